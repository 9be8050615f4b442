"""WeChat signatures and safe-mode crypto against Tencent's published vectors."""

from __future__ import annotations

import pytest

from channels.wechat_crypto import (
    AppIdMismatch,
    WechatCrypto,
    WechatCryptoError,
    check_signature,
    sign,
)
from channels.wechat_xml import pack_texts, parse_xml, text_reply_xml
from tests.fakes import wechat_sender as sample
from tests.fakes.wechat_sender import WechatSender, xml_fields

TOKEN, AES_KEY, APP_ID = sample.SAMPLE_TOKEN, sample.SAMPLE_AES_KEY, sample.SAMPLE_APP_ID
TIMESTAMP, NONCE = sample.SAMPLE_TIMESTAMP, sample.SAMPLE_NONCE
MSG_SIGNATURE, ENCRYPT = sample.SAMPLE_MSG_SIGNATURE, sample.SAMPLE_ENCRYPT
PLAIN_VECTOR = ("test", "1410685589", "test")
PLAIN_SIGNATURE = "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"


@pytest.fixture
def crypto() -> WechatCrypto:
    return WechatCrypto(TOKEN, AES_KEY, APP_ID)


def test_plain_signature_vector() -> None:
    assert sign("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    assert check_signature("f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "test", "1410685589", "test")
    assert not check_signature(
        "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe", "test", "1410685589", "test"
    )
    assert not check_signature(None, "test", "1410685589", "test")
    assert not check_signature("ünïcode", "test", "1410685589", "test")


def test_tencent_sample_decrypts(crypto: WechatCrypto) -> None:
    assert crypto.check_msg_signature(MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT)
    fields = parse_xml(crypto.decrypt(ENCRYPT))
    assert fields["MsgType"] == "text"
    assert fields["FromUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert fields["Content"] == "abcdteT"
    assert fields["MsgId"] == "6054768590064713728"


def test_tencent_sample_signature_rejects_tampering(crypto: WechatCrypto) -> None:
    assert not crypto.check_msg_signature(MSG_SIGNATURE, TIMESTAMP, "1320562133", ENCRYPT)
    assert not crypto.check_msg_signature(MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT[:-4] + "AAA=")


def test_round_trip_and_independent_implementation(crypto: WechatCrypto) -> None:
    xml = text_reply_xml("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a", "港澳通行证 ]]> 材料")
    sealed = crypto.encrypt(xml)
    assert sealed != crypto.encrypt(xml)  # random prefix
    assert crypto.decrypt(sealed) == xml
    assert parse_xml(crypto.decrypt(sealed))["Content"] == "港澳通行证 ]]> 材料"
    sender = WechatSender(TOKEN, APP_ID, AES_KEY)
    assert crypto.decrypt(sender.encrypt(xml)) == xml
    for size in (0, 1, 11, 12, 31, 32, 33, 500):
        message = "x" * size
        assert crypto.decrypt(crypto.encrypt(message)) == message


def test_envelope_opens_with_independent_implementation(crypto: WechatCrypto) -> None:
    from channels.wechat_xml import envelope_xml

    xml = text_reply_xml("openid-1", "gh_x", "你好")
    encrypted = crypto.encrypt(xml)
    body = envelope_xml(encrypted, crypto.msg_signature("123", "456", encrypted), "123", "456")
    fields = WechatSender(TOKEN, APP_ID, AES_KEY).open_reply(body)
    assert fields["Content"] == "你好" and fields["ToUserName"] == "openid-1"


def test_wrong_appid_is_refused(crypto: WechatCrypto) -> None:
    other = WechatCrypto(TOKEN, AES_KEY, "wxotheraccount00000")
    with pytest.raises(AppIdMismatch):
        crypto.decrypt(other.encrypt("<xml/>"))


@pytest.mark.parametrize(
    "blob",
    ["not base64!!", "", "QUJD", "A" * 24, ENCRYPT[:-24] + "AAAAAAAAAAAAAAAAAAAAAA=="],
)
def test_garbage_is_refused(crypto: WechatCrypto, blob: str) -> None:
    with pytest.raises(WechatCryptoError):
        crypto.decrypt(blob)


def test_bad_key_is_refused() -> None:
    with pytest.raises(ValueError):
        WechatCrypto(TOKEN, "short", APP_ID)
    with pytest.raises(ValueError):
        WechatCrypto(TOKEN, "!" * 43, APP_ID)


def test_reply_xml_is_well_formed_with_cdata_breakers() -> None:
    fields = xml_fields(text_reply_xml("u", "gh", "a]]>b<c>&d"))
    assert fields["Content"] == "a]]>b<c>&d"
    assert fields["MsgType"] == "text"


def test_pack_texts_joins_and_splits() -> None:
    assert pack_texts(["一", "", "二"]) == ["一\n\n二"]
    chunks = pack_texts(["办" * 1000, "理"], limit=2000)
    assert all(len(c.encode()) <= 2000 for c in chunks)
    assert "".join(chunks).replace("\n", "") == "办" * 1000 + "理"
    assert pack_texts([]) == []
