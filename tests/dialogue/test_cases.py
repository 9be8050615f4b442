"""Case records: hashed secrets, verification, fixtures and `citizen-hub cases import`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.case_fixtures import FixtureError, load_case_fixture
from bot.cases import CaseRecord, CaseRepository, SubscriptionRepository, Verifier, secret_hash
from bot.cli import main
from bot.db import Case, Database

FIXTURE = Path(__file__).resolve().parents[2] / "stories" / "fixtures" / "cases.yml"


@pytest.fixture
async def cases(db: Database) -> CaseRepository:
    repo = CaseRepository(db)
    await repo.upsert(load_case_fixture(FIXTURE))
    return repo


async def test_secrets_are_stored_only_as_hashes(db: Database, cases: CaseRepository) -> None:
    async with db.session() as s:
        row = (await s.execute(select(Case).where(Case.case_no == "SZ20260301000123"))).scalar_one()
    assert row.id_suffix_hash == secret_hash("SZ20260301000123", "id", "01123X")
    assert row.phone_hash == secret_hash("SZ20260301000123", "phone", "13812345678")
    assert "13812345678" not in repr(row.__dict__) and "01123X" not in repr(row.__dict__)


async def test_verify_accepts_id_suffix_and_phone(cases: CaseRepository) -> None:
    by_id = await cases.verify("SZ20260301000123", Verifier("id", "01123x"))
    by_phone = await cases.verify("sz20260301000123", Verifier("phone", "+86 138 1234 5678"))
    assert by_id is not None and by_phone is not None
    assert by_id.status_text == "审核中"
    assert [e.status for e in by_id.events] == ["received", "reviewing"]


async def test_wrong_secret_and_unknown_case_look_the_same(cases: CaseRepository) -> None:
    assert await cases.verify("SZ20260301000123", Verifier("id", "000000")) is None
    assert await cases.verify("SZ20999999000001", Verifier("id", "01123X")) is None
    # A case filed without a phone cannot be verified by phone.
    assert await cases.verify("SZ20260215000456", Verifier("phone", "13900001111")) is not None
    assert await cases.verify("SZ20260220000789", Verifier("id", "000000")) is None


async def test_upsert_replaces_status_and_events(cases: CaseRepository) -> None:
    update = CaseRecord("SZ20260301000123", "completed", id_suffix="01123X")
    await cases.upsert([update])
    view = await cases.verify("SZ20260301000123", Verifier("id", "01123X"))
    assert view is not None and view.status == "completed" and view.events == ()
    assert await cases.verify("SZ20260301000123", Verifier("phone", "13812345678")) is None


def test_fixture_errors_name_the_item_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("cases:\n  - {case_no: SZ1, status: x, phone: '12345', colour: red}\n")
    with pytest.raises(FixtureError) as info:
        load_case_fixture(bad)
    message = str(info.value)
    assert (
        "cases.0.phone" in message and "cases.0.colour" in message and "cases.0.case_no" in message
    )


def test_json_fixtures_load_too(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text('{"cases": [{"case_no": "sz20260101000001", "status": "received"}]}')
    (record,) = load_case_fixture(path)
    assert record.case_no == "SZ20260101000001"


async def test_subscriptions_are_per_channel_and_reactivate(db: Database) -> None:
    subs = SubscriptionRepository(db)
    assert await subs.subscribe("SZ1", "wechat", "openid-1") is True
    assert await subs.subscribe("SZ1", "wechat", "openid-1") is False
    assert await subs.active("sms", "openid-1") == []
    assert await subs.unsubscribe(["SZ1"], "wechat", "openid-1") == ["SZ1"]
    assert await subs.active("wechat", "openid-1") == []
    assert await subs.subscribe("SZ1", "wechat", "openid-1") is True


def test_cases_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yml"
    config.write_text(f"storage:\n  database_url: sqlite+aiosqlite:///{tmp_path}/hub.db\n")
    assert main(["cases", "import", str(FIXTURE), "--config", str(config)]) == 0
    assert "imported 3 cases with 8 events" in capsys.readouterr().out
    bad = tmp_path / "bad.yml"
    bad.write_text("cases: [{status: x}]\n")
    assert main(["cases", "import", str(bad), "--config", str(config)]) == 2
    assert "cases.0.case_no" in capsys.readouterr().err
