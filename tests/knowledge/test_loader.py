"""Catalogue schema and validation: every problem reported with file, service id and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from knowledge.districts import DEFAULT_DISTRICTS
from knowledge.loader import CatalogueError, Problem, check_catalogue, load_catalogue
from knowledge.schema import Catalogue, Service
from tests.knowledge.conftest import TINY_CATALOGUE

Writer = Callable[..., Path]


def service_yaml(**overrides: object) -> dict[str, object]:
    """One valid service as a mapping; ``overrides`` replace or (value ...) drop keys."""
    base: dict[str, object] = {
        "id": "svc-1",
        "name": "测试事项",
        "aliases": ["别名"],
        "department": "测试局",
        "category": "测试",
        "audience": ["个人"],
        "conditions": ["条件一"],
        "materials": ["居民身份证"],
        "process": ["申请"],
        "time_limit": "5个工作日",
        "fee": "不收费",
        "locations": [
            {
                "name": "大厅",
                "address": "某路1号",
                "district": "南山区",
                "hours": "9:00-18:00",
                "phone": "0755-1",
            }
        ],
        "online_url": "https://example.gov.cn/",
        "phone": "0755-2",
        "legal_basis": [],
        "faq": [{"q": "问", "a": "答"}],
    }
    for key, value in overrides.items():
        if value is ...:
            base.pop(key)
        else:
            base[key] = value
    return base


def dump(*services: dict[str, object]) -> str:
    return yaml.safe_dump({"services": list(services)}, allow_unicode=True)


def problems_of(write: Writer, files: dict[str, str]) -> list[str]:
    return [str(p) for p in check_catalogue(write(files), DEFAULT_DISTRICTS)]


def test_valid_tiny_catalogue_loads(tiny_path: Path) -> None:
    catalogue = load_catalogue(tiny_path, DEFAULT_DISTRICTS)
    assert [s.id for s in catalogue.services] == [
        "id-first",
        "id-renew",
        "gjj-rent",
        "blank-service",
    ]
    assert catalogue.get("gjj-rent") is not None
    assert catalogue.get("nope") is None


def test_lenient_shapes_are_normalised(tiny_path: Path) -> None:
    catalogue = load_catalogue(tiny_path, DEFAULT_DISTRICTS)
    first = catalogue.get("id-first")
    assert first is not None
    assert first.audience == ("个人",)  # single string -> one item
    assert first.legal_basis == ("《居民身份证法》",)
    assert first.materials[1] == "照片回执（1份，可现场拍照）"  # mapping -> display string
    assert first.time_limit == "20个工作日"  # number -> working days
    assert first.fee == "20元"
    assert first.phone == "0755-12345678"
    renew = catalogue.get("id-renew")
    assert renew is not None
    assert renew.legal_basis == () and renew.faq == ()  # null -> empty
    assert renew.locations[0].district == "罗湖区"  # exact short form -> full name
    blank = catalogue.get("blank-service")
    assert blank is not None
    assert blank.fee == "" and blank.phone == "" and blank.online_url is None


def test_number_fee_zero_means_free() -> None:
    service = Service.model_validate(service_yaml(fee=0, phone=75512345, time_limit=3.0))
    assert service.fee == "不收费"
    assert service.phone == "75512345"
    assert service.time_limit == "3个工作日"


def test_material_mapping_variants() -> None:
    materials = [
        {"name": "户口簿", "required": False},
        {"title": "合同", "copies": "原件及复印件各1份"},
        "身份证",
    ]
    service = Service.model_validate(service_yaml(materials=materials))
    assert service.materials == ("户口簿（非必需）", "合同（原件及复印件各1份）", "身份证")


def test_unknown_key_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="a-1", colour="red"))
    assert problems_of(write_catalogue, {"a.yml": text}) == ["a.yml: a-1: colour: unknown key"]


def test_missing_field_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="a-1", fee=...))
    assert problems_of(write_catalogue, {"a.yml": text}) == [
        "a.yml: a-1: fee: missing required field"
    ]


def test_wrong_type_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="a-1", aliases={"x": 1}, faq="oops"))
    problems = problems_of(write_catalogue, {"a.yml": text})
    assert any(p.startswith("a.yml: a-1: aliases: expected a list") for p in problems)
    assert any(p.startswith("a.yml: a-1: faq") for p in problems)


def test_duplicate_id_across_files_names_both(write_catalogue: Writer) -> None:
    files = {"a.yml": dump(service_yaml(id="dup")), "b.yml": dump(service_yaml(id="dup"))}
    assert problems_of(write_catalogue, files) == ["b.yml: dup: id: duplicate id (also in a.yml)"]


def test_empty_and_null_materials_are_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="m-1", materials=[]), service_yaml(id="m-2", materials=None))
    assert problems_of(write_catalogue, {"m.yml": text}) == [
        "m.yml: m-1: materials: must not be empty",
        "m.yml: m-2: materials: must not be empty",
    ]


def test_bad_url_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="u-1", online_url="www.example.com"))
    problems = problems_of(write_catalogue, {"u.yml": text})
    assert len(problems) == 1
    assert problems[0].startswith("u.yml: u-1: online_url: must be an http(s) URL")


def test_unknown_district_is_reported(write_catalogue: Writer) -> None:
    location = {"name": "x", "address": "y", "district": "浦东新区", "hours": "", "phone": ""}
    text = dump(service_yaml(id="d-1", locations=[location]))
    problems = problems_of(write_catalogue, {"d.yml": text})
    assert len(problems) == 1
    assert problems[0].startswith("d.yml: d-1: locations[0].district: unknown district '浦东新区'")


def test_empty_name_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="n-1", name="  "))
    assert problems_of(write_catalogue, {"n.yml": text}) == ["n.yml: n-1: name: must not be empty"]


def test_yaml_syntax_error_reports_line(write_catalogue: Writer) -> None:
    text = "services:\n  - id: x\n    name: [unclosed\n    fee: 1\n"
    problems = problems_of(write_catalogue, {"bad.yml": text})
    assert len(problems) == 1
    assert problems[0].startswith("bad.yml: YAML syntax error at line ")


def test_top_level_must_be_services(write_catalogue: Writer) -> None:
    files = {"a.yml": "- just a list\n", "b.yml": "items: []\n", "c.yml": ""}
    problems = problems_of(write_catalogue, files)
    assert problems[0] == "a.yml: top level must be a mapping with 'services:'"
    assert "b.yml: items: unknown top-level key (expected 'services')" in problems
    assert "b.yml: services: missing top-level 'services:' list" in problems
    assert problems[-1].startswith("c.yml: file is empty")


def test_duplicate_yaml_key_is_reported(write_catalogue: Writer) -> None:
    text = dump(service_yaml(id="k-1")).replace("fee: 不收费", "fee: 不收费\n  fee: 10元")
    problems = problems_of(write_catalogue, {"k.yml": text})
    assert any("duplicate key 'fee'" in p for p in problems)


def test_every_problem_is_reported_not_just_the_first(write_catalogue: Writer) -> None:
    bad_location = {"name": "x", "address": "", "district": "火星", "hours": "", "phone": ""}
    one = dump(
        service_yaml(
            id="p-1", extra=1, materials=[], online_url="ftp://x", locations=[bad_location]
        ),
        service_yaml(id="p-2", name=..., phone=...),
    )
    two = dump(service_yaml(id="p-1"))
    problems = check_catalogue(write_catalogue({"one.yml": one, "two.yml": two}), DEFAULT_DISTRICTS)
    fields = {(p.file, p.service_id, p.field) for p in problems}
    assert fields == {
        ("one.yml", "p-1", "extra"),
        ("one.yml", "p-1", "materials"),
        ("one.yml", "p-1", "online_url"),
        ("one.yml", "p-1", "locations[0].district"),
        ("one.yml", "p-2", "name"),
        ("one.yml", "p-2", "phone"),
    }
    # p-1 in two.yml is not a duplicate: the one in one.yml was invalid.
    with pytest.raises(CatalogueError) as info:
        load_catalogue(write_catalogue({"one.yml": one, "two.yml": two}), DEFAULT_DISTRICTS)
    assert len(info.value.problems) == len(problems)
    assert "6 catalogue problem(s)" in str(info.value)


def test_folder_skips_synonyms_and_other_files(write_catalogue: Writer) -> None:
    folder = write_catalogue(
        {
            "a.yml": TINY_CATALOGUE,
            "synonyms.yml": "synonyms:\n  残疾人证: [残废证]\n",
            "README.txt": "not yaml: [",
            "words.txt": "残疾人证\n",
        }
    )
    catalogue = load_catalogue(folder, DEFAULT_DISTRICTS)
    assert len(catalogue.services) == 4


def test_bad_synonyms_file_is_a_problem(write_catalogue: Writer) -> None:
    folder = write_catalogue({"a.yml": TINY_CATALOGUE, "synonyms.yml": "synonyms: [1, 2]\n"})
    problems = [str(p) for p in check_catalogue(folder, DEFAULT_DISTRICTS)]
    assert problems == ["synonyms.yml: expected a top-level 'synonyms:' mapping"]


def test_single_file_and_missing_path(tiny_path: Path, tmp_path: Path) -> None:
    catalogue = load_catalogue(tiny_path / "tiny.yml", DEFAULT_DISTRICTS)
    assert isinstance(catalogue, Catalogue) and len(catalogue.services) == 4
    problems = check_catalogue(tmp_path / "nowhere", DEFAULT_DISTRICTS)
    assert problems and problems[0].message == "no such file or directory"


def test_problem_str_skips_empty_parts() -> None:
    assert str(Problem("huji.yml", "hj-1", "materials", "must not be empty")) == (
        "huji.yml: hj-1: materials: must not be empty"
    )
    assert str(Problem("a.yml", "", "", "YAML syntax error")) == "a.yml: YAML syntax error"


def test_models_are_frozen(tiny_path: Path) -> None:
    service = load_catalogue(tiny_path, DEFAULT_DISTRICTS).services[0]
    with pytest.raises(ValueError):
        service.name = "x"  # type: ignore[misc]


def test_shipped_catalogue_is_valid() -> None:
    from tests.knowledge.conftest import SHIPPED_CATALOGUE

    if not any(SHIPPED_CATALOGUE.glob("*.yml")):
        pytest.skip("the shipped catalogue is not there yet")
    assert check_catalogue(SHIPPED_CATALOGUE, DEFAULT_DISTRICTS) == []
