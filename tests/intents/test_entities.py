from __future__ import annotations

from datetime import date

import pytest

from intents.engine import NluEngine
from intents.entities.dates import chinese_number, find_dates
from intents.entities.lookup import Gazetteer, district_forms
from intents.entities.numbers import RegexExtractor, find_id_numbers, find_phones, find_usccs
from intents.normalize import normalize

from .conftest import invalid_id, valid_id, valid_uscc

TODAY = date(2026, 11, 26)  # a Thursday


def _spans(found: list) -> list[tuple[str, int, int, object]]:  # type: ignore[type-arg]
    return [(e.entity, e.start, e.end, e.value) for e in found]


# --- id_number ---------------------------------------------------------------------------


def test_valid_id_number_exact_span() -> None:
    text = f"我的身份证号{valid_id()}，帮我查"
    found, suspects = find_id_numbers(normalize(text), text)
    assert _spans(found) == [("id_number", 6, 24, valid_id())]
    assert text[6:24] == valid_id() and not suspects


def test_id_number_with_x_and_full_width() -> None:
    body = next(b for b in (f"1101051949123100{i}" for i in range(10)) if valid_id(b).endswith("X"))
    number = valid_id(body)
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    text = f"证件{full_width.lower().replace('ｘ', 'ｘ')}"
    found, _ = find_id_numbers(normalize(text), text)
    assert [(e.start, e.end, e.value) for e in found] == [(2, 20, number)]


def test_bad_checksum_is_a_suspect_not_an_id() -> None:
    text = f"身份证{invalid_id()}"
    found, suspects = find_id_numbers(normalize(text), text)
    assert found == []
    assert [(s.kind, s.start, s.end) for s in suspects] == [("invalid_id_number", 3, 21)]
    assert "checksum" in suspects[0].reason


def test_seventeen_digits_and_nineteen_digits_are_not_ids() -> None:
    for text in (f"号码{valid_id()[:17]}", f"号码{valid_id()}1"):
        found, suspects = find_id_numbers(normalize(text), text)
        assert found == [] and suspects == []


def test_impossible_birth_date_is_not_an_id() -> None:
    body = "44030519901340123"  # month 13
    found, suspects = find_id_numbers(body + "0", body + "0")
    assert found == [] and len(suspects) == 1


# --- uscc --------------------------------------------------------------------------------


def test_uscc_valid_and_invalid() -> None:
    code = valid_uscc()
    text = f"公司代码{code.lower()}办执照"
    assert _spans(find_usccs(normalize(text), text)) == [("uscc", 4, 22, code)]
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert find_usccs(bad, bad) == []


def test_valid_id_is_not_a_uscc() -> None:
    number = valid_id()
    assert find_usccs(number, number) == []


# --- phone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("电话13812345678", (2, 13), "13812345678"),
        ("打+86 138-1234-5678找我", (1, 18), "13812345678"),
        ("手机 138 1234 5678 谢谢", (3, 16), "13812345678"),
        ("+8615790520481", (0, 14), "15790520481"),
        ("００８６１３８１２３４５６７８", (0, 15), "13812345678"),
    ],
)
def test_mobile_numbers(text: str, span: tuple[int, int], value: str) -> None:
    found = find_phones(normalize(text), text)
    assert [(e.start, e.end, e.value) for e in found] == [(*span, value)]


@pytest.mark.parametrize(
    "text",
    [
        "座机0755-83902110",
        "打0755 2661 3110",
        "拨打12345热线",
        "号码83902110",
        "1381234567",
        "138123456789",
        "12812345678",
    ],
)
def test_landlines_and_wrong_lengths_are_not_phones(text: str) -> None:
    assert find_phones(normalize(text), text) == []


# --- case_no / regex ---------------------------------------------------------------------


def test_case_number_regex_boundaries_and_case() -> None:
    ex = RegexExtractor([("case_no", r"[A-Z]{2}\d{14}")])
    text = "受理号sz20240101000123的进度"
    (found,) = ex.find(normalize(text), text)
    assert (found.start, found.end, found.value) == (3, 19, "SZ20240101000123")
    assert ex.find("xsz20240101000123", "xsz20240101000123") == []
    assert ex.find("sz202401010001234", "sz202401010001234") == []


# --- districts ---------------------------------------------------------------------------


def test_district_full_and_short_forms() -> None:
    gaz = Gazetteer(((s, "district", v) for s, v in district_forms().items()), "D")
    text = "南山的还是福田区的，大鹏也行"
    found = gaz.find(normalize(text), text)
    assert _spans(found) == [
        ("district", 0, 2, "南山区"),
        ("district", 5, 8, "福田区"),
        ("district", 10, 12, "大鹏新区"),
    ]
    trad = "羅湖區"
    assert _spans(gaz.find(normalize(trad), trad)) == [("district", 0, 3, "罗湖区")]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "iso"),
    [
        ("明天去办", "明天", "2026-11-27"),
        ("今天", "今天", "2026-11-26"),
        ("后天", "后天", "2026-11-28"),
        ("大后天可以吗", "大后天", "2026-11-29"),
        ("下周一上班吗", "下周一", "2026-11-30"),
        ("这周六开门吗", "这周六", "2026-11-28"),
        ("星期天呢", "星期天", "2026-11-29"),
        ("禮拜六", "禮拜六", "2026-11-28"),
        ("上周三交的", "上周三", "2026-11-18"),
        ("5月1日", "5月1日", "2027-05-01"),
        ("五月一号", "五月一号", "2027-05-01"),
        ("11月20日交的", "11月20日", "2026-11-20"),
        ("2026年12月3日", "2026年12月3日", "2026-12-03"),
        ("二〇二六年十二月三日", "二〇二六年十二月三日", "2026-12-03"),
        ("2026-12-03", "2026-12-03", "2026-12-03"),
        ("12.3号能拿吗", "12.3号", "2026-12-03"),
        ("下个月5号", "下个月5号", "2026-12-05"),
        ("国庆节上班吗", "国庆节", "2027-10-01"),
        ("元旦", "元旦", "2027-01-01"),
        ("春节前能办好吗", "春节", "2027-02-06"),
        ("周末几点开", "周末", "2026-11-28"),
        ("上个礼拜交的", "上个礼拜", "2026-11-16"),
    ],
)
def test_dates(text: str, surface: str, iso: str) -> None:
    (m,) = find_dates(normalize(text), TODAY)
    assert text[m.start : m.end] == surface
    assert m.value is not None and m.value.isoformat() == iso


@pytest.mark.parametrize("text", ["2月30日", "13月1日", "2026年2月29日", "4月31号"])
def test_impossible_dates_are_flagged(text: str) -> None:
    (m,) = find_dates(normalize(text), TODAY)
    assert m.value is None and "no such date" in m.reason


@pytest.mark.parametrize("text", ["收费12.5元", "3.5%", "版本2.50", "办了3个月"])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(normalize(text), TODAY) == []


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("12", "十", "十二", "二十三", "两", "二〇二六")] == [
        12,
        10,
        12,
        23,
        2,
        2026,
    ]


# --- the pipeline inside an engine --------------------------------------------------------


def test_engine_entities_spans_on_original_text(small_engine: NluEngine) -> None:
    text = f"身分证{valid_id()} 手机+86 138 1234 5678 查SZ20240101000001 明天去南山"
    parse = small_engine.parse_sync(text, today=TODAY)
    got = {(e.entity, text[e.start : e.end], e.value) for e in parse.entities}
    assert ("id_number", valid_id(), valid_id()) in got
    assert ("phone", "+86 138 1234 5678", "13812345678") in got
    assert ("case_no", "SZ20240101000001", "SZ20240101000001") in got
    # 身分证 right before a number labels it: not a service mention.
    assert not any(e.entity == "service" for e in parse.entities)


def test_engine_synonym_and_lookup(small_engine: NluEngine) -> None:
    parse = small_engine.parse_sync("身分证和港澳通行证都要办", today=TODAY)
    assert [(e.entity, e.text, e.value) for e in parse.entities] == [
        ("service", "身分证", "身份证"),
        ("service", "港澳通行证", "港澳通行证"),
    ]


def test_engine_reports_suspects(small_engine: NluEngine) -> None:
    parse = small_engine.parse_sync(f"身份证号{invalid_id()}", today=TODAY)
    assert not parse.entity_values("id_number")
    assert parse.extras["suspects"][0]["kind"] == "invalid_id_number"


def test_intent_only_data_produces_no_entities() -> None:
    from intents.loader import parse_training_text

    data = parse_training_text(
        "nlu:\n- intent: a\n  examples: |\n    - 明天去\n    - 后天去\n"
        "- intent: b\n  examples: |\n    - 谢谢\n    - 多谢\n"
    )
    engine = NluEngine.train(data)
    assert engine.parse_sync("明天 13812345678", today=TODAY).entities == ()


_SERVICES = [
    "残疾证",
    "居住证",
    "驾驶证",
    "结婚证",
    "营业执照",
    "社保卡",
    "医保卡",
    "护照",
    "出生证明",
    "户口本",
    "房产证",
    "学位证",
    "行驶证",
    "签注",
    "长者卡",
    "港澳通行证",
]
_FRAMES = ["我要办理{}", "{}要带什么材料", "办{}多少钱", "{}在哪里办", "申请{}要多久"]


def _service_yaml() -> str:
    lines = ["nlu:", "- intent: ask", "  examples: |"]
    for i, name in enumerate(_SERVICES):
        for frame in (_FRAMES[i % 5], _FRAMES[(i + 2) % 5]):
            lines.append("    - " + frame.format(f"[{name}](service)"))
    lines += [
        "- intent: chat",
        "  examples: |",
        "    - 今天天气怎么样",
        "    - 讲个笑话",
        "    - 你是谁",
        "    - 我要投诉窗口人员",
        "    - 谢谢你",
        "    - 你好",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def service_engine() -> NluEngine:
    from intents.loader import parse_training_text

    return NluEngine.train(parse_training_text(_service_yaml()))


def test_learned_extractor_finds_unseen_service(service_engine: NluEngine) -> None:
    text = "我要办理独生子女证"
    found = [e for e in service_engine.parse_sync(text, today=TODAY).entities]
    assert [(e.entity, text[e.start : e.end], e.extractor) for e in found] == [
        ("service", "独生子女证", "SpanTagger")
    ]
    assert 0.0 < found[0].confidence <= 1.0


def test_dictionary_service_and_office_and_number_label(service_engine: NluEngine) -> None:
    parse = service_engine.parse_sync("护照要带什么材料", today=TODAY)
    assert [(e.text, e.extractor) for e in parse.entities] == [("护照", "LookupEntityExtractor")]
    # 护照处 (the office) is not the service; 护照号 labels a number.
    assert service_engine.parse_sync("护照处在哪", today=TODAY).entities == ()
    assert service_engine.parse_sync("护照号是多少", today=TODAY).entities == ()


def test_touching_mentions_merge(service_engine: NluEngine) -> None:
    text = "港澳通行证签注要多久"
    (ent,) = service_engine.parse_sync(text, today=TODAY).entities
    assert (ent.start, ent.end, ent.value) == (0, 7, "港澳通行证签注")


def test_fuzzy_dictionary_match(service_engine: NluEngine) -> None:
    text = "港澳通证在哪里办"  # 港澳通行证 with one character left out
    (ent,) = service_engine.parse_sync(text, today=TODAY).entities
    assert (text[ent.start : ent.end], ent.value, ent.confidence) == ("港澳通证", "港澳通行证", 0.8)
