from __future__ import annotations

from intents.cues import cue_features
from intents.features import mask, placeholder
from intents.normalize import blank_symbols, normalize
from intents.types import Entity


def test_normalize_keeps_length_and_blank_symbols_too() -> None:
    for text in ("費用多少？？😊", "ＳＺ２０２４ 辦理", "好的👍🏻!!", "a\u200db"):
        norm = normalize(text)
        assert len(norm) == len(text)
        assert len(blank_symbols(norm)) == len(text)
    assert blank_symbols(normalize("好的！！😊")).strip() == "好的"
    assert blank_symbols("要多少钱?") == "要多少钱?"  # a question mark is kept


def test_mask_replaces_entities_with_one_placeholder_each() -> None:
    text = "查SZ20240101000001，谢谢！"
    ent = Entity("case_no", 1, 17, "SZ20240101000001", text[1:17], "RegexEntityExtractor")
    assert mask(normalize(text), [ent]) == f"查{placeholder('case_no')} 谢谢"
    assert placeholder("plate") == placeholder("plate") != placeholder("case_no")


def test_cue_features_name_concepts_not_intents() -> None:
    feats = cue_features(normalize("辦這個要帶啥證件，多少錢"))
    assert {"cue:materials", "cue:fee", "cue2:materials", "cue2:fee"} <= set(feats)
    assert not any(k.startswith("cue:ask_") for k in feats)
