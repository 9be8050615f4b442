from bot.privacy import mask, mask_text


def test_id_numbers_keep_region_and_last_four() -> None:
    assert mask_text("证件号440305199001011234") == "证件号4403**********1234"
    assert mask_text("44030519900101123X") == "4403**********123X"


def test_phone_numbers_keep_prefix_and_last_four() -> None:
    assert mask_text("电话13812345678") == "电话138****5678"
    assert mask_text("+86 138-1234-5678") == "+86 138****5678"


def test_other_numbers_are_untouched() -> None:
    assert mask_text("办件编号 SZ20261103000123，费用60元") == "办件编号 SZ20261103000123，费用60元"
    assert mask_text("0755-12345") == "0755-12345"


def test_long_identifiers_keep_only_the_ends() -> None:
    assert mask("oyORnuP8q7ou2gfYjqLzSIWZf0rs") == "oyOR***f0rs"
    assert mask("u1") == "u1"
    assert mask("13812345678") == "138****5678"
