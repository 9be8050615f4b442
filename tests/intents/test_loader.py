from __future__ import annotations

from pathlib import Path

import pytest

from intents.loader import (
    TrainingData,
    TrainingDataError,
    load_training_data,
    parse_annotated,
    parse_training_text,
)


def _error(text: str) -> str:
    with pytest.raises(TrainingDataError) as info:
        parse_training_text(text, "f.yml")
    return str(info.value)


def test_small_file_parses(small_data: TrainingData) -> None:
    assert small_data.intents == ("ask_fee", "ask_materials", "greet", "query_case_status")
    first = small_data.examples[0]
    assert first.text == "护照多少钱"
    assert first.line == 5 and first.source == "small.yml"
    (span,) = first.entities
    assert (span.entity, span.start, span.end, span.text) == ("service", 0, 2, "护照")
    assert small_data.regexes[0].name == "case_no"
    assert small_data.lookup_table() == {"service": ("港澳通行证",)}
    assert small_data.synonym_table() == {"身分证": "身份证"}
    assert len(small_data.sha256) == 64


def test_annotation_forms() -> None:
    plain, spans = parse_annotated(
        '去[南山](district:南山区)和[福田]{"entity": "district", '
        '"value": "福田区", "role": "from"}办'
    )  # type: ignore[misc]
    assert plain == "去南山和福田办"
    assert [(s.start, s.end, s.value, s.role) for s in spans] == [
        (1, 3, "南山区", None),
        (4, 6, "福田区", "from"),
    ]
    assert plain[spans[1].start : spans[1].end] == "福田"


def test_plain_brackets_are_text() -> None:
    plain, spans = parse_annotated("发了个[图片] 你看下")  # type: ignore[misc]
    assert plain == "发了个[图片] 你看下" and spans == []


def test_malformed_yaml_names_line() -> None:
    msg = _error("nlu:\n- intent: a\n  examples: |\n    - x\n  - bad: [\n")
    assert msg.startswith("f.yml:5: malformed YAML")


def test_bad_annotation_names_line() -> None:
    text = "nlu:\n- intent: a\n  examples: |\n    - ok\n    - 办[身份证](service 要多久\n"
    assert "f.yml:5: bad entity annotation" in _error(text)


def test_bad_json_annotation() -> None:
    text = 'nlu:\n- intent: a\n  examples: |\n    - [x]{"entity": service}\n'
    assert "f.yml:4: bad JSON in entity annotation" in _error(text)


def test_unknown_entity_names_line_and_known_names() -> None:
    text = "nlu:\n- intent: a\n  examples: |\n    - ok\n    - 去[南山](distrct)\n"
    msg = _error(text)
    assert "f.yml:5: unknown entity 'distrct'" in msg
    assert "district" in msg


def test_entity_declared_by_regex_or_lookup_is_known() -> None:
    text = (
        "nlu:\n- intent: a\n  examples: |\n    - 车牌[粤B12345](plate) [蓝色](color)\n"
        "- regex: plate\n  examples: |\n    - 粤[A-Z]\\d{5}\n"
        "- lookup: color\n  examples: |\n    - 蓝色\n"
    )
    data = parse_training_text(text)
    assert data.declared_entities() == {"plate", "color"}


def test_duplicate_across_intents_names_both_lines() -> None:
    text = "nlu:\n- intent: a\n  examples: |\n    - 你好\n- intent: b\n  examples: |\n    - 你好 \n"
    msg = _error(text)
    assert "f.yml:7: duplicate example '你好' in intents 'a' (f.yml:4) and 'b'" in msg


def test_duplicate_within_intent_is_dropped() -> None:
    data = parse_training_text("nlu:\n- intent: a\n  examples: |\n    - 你好\n    - 你好\n")
    assert len(data.examples) == 1


def test_structure_errors() -> None:
    assert "missing top-level 'nlu:'" in _error("version: '3.1'\n")
    assert "f.yml:2: unknown key(s) ['exmples']" in _error(
        "nlu:\n- intent: a\n  exmples: |\n    - x\n"
    )
    assert "f.yml:2: intent 'a': missing 'examples'" in _error("nlu:\n- intent: a\n")
    assert "f.yml:4: example line must start with '- '" in _error(
        "nlu:\n- intent: a\n  examples: |\n    no dash\n"
    )
    assert "invalid pattern" in _error("nlu:\n- regex: r\n  examples: |\n    - ([\n")


def test_all_errors_reported_together() -> None:
    text = "nlu:\n- intent: a\n  examples: |\n    - [x](nope1)\n    - [y](nope2)\n"
    msg = _error(text)
    assert "f.yml:4:" in msg and "f.yml:5:" in msg


def test_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "nlu:\n- intent: a\n  examples: |\n    - 一\n", encoding="utf-8"
    )
    (tmp_path / "b.yml").write_text(
        "nlu:\n- intent: b\n  examples: |\n    - 二\n", encoding="utf-8"
    )
    data = load_training_data(tmp_path)
    assert data.intents == ("a", "b") and len(data.sources) == 2
    with pytest.raises(TrainingDataError, match="cannot read"):
        load_training_data(tmp_path / "missing.yml")


def test_shipped_data_loads(shipped_data: TrainingData) -> None:
    assert len(shipped_data.intents) == 20
    for ex in shipped_data.examples:
        for span in ex.entities:
            assert ex.text[span.start : span.end] == span.text


def test_lenient_load_turns_consistency_errors_into_warnings() -> None:
    text = (
        "nlu:\n- intent: a\n  examples: |\n    - 车牌[粤B12345](plate)\n"
        "- intent: b\n  examples: |\n    - 车牌粤B12345\n"
    )
    data = parse_training_text(text, "t.yml", strict=False)
    assert len(data.examples) == 2
    assert any("t.yml:4: unknown entity 'plate'" in w for w in data.warnings)
    assert any("t.yml:7: duplicate example" in w for w in data.warnings)
    with pytest.raises(TrainingDataError):
        parse_training_text("nlu:\n- intent: a\n  examples: |\n    - [x](zz\n", strict=False)
