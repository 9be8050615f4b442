"""Case fixtures for ``citizen-hub cases import FILE`` (YAML or JSON).

```yaml
cases:
  - case_no: SZ20250301000123
    status: reviewing            # machine status
    status_text: 审核中          # optional, shown to the citizen
    service_id: crj-hk-macau-permit-first
    service_name: 往来港澳通行证首次申领
    department: 深圳市公安局出入境管理局
    id_number: "440305199001011234"   # or id_suffix: "011234"; only its hash is stored
    phone: "13800138000"              # optional; only its hash is stored
    events:
      - {status: received, note: 已受理, at: "2025-03-01T10:00:00+08:00"}
```
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.cases import CaseEventRecord, CaseRecord, normalise_id_suffix, normalise_phone


class FixtureError(Exception):
    """The fixture file is unreadable or invalid; the message names the item and field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Event(_Model):
    status: str = Field(min_length=1)
    note: str | None = None
    at: datetime | None = None


class _Case(_Model):
    case_no: str = Field(min_length=4, max_length=64)
    status: str = Field(min_length=1)
    status_text: str | None = None
    service_id: str | None = None
    service_name: str | None = None
    department: str | None = None
    id_number: str | None = None
    id_suffix: str | None = None
    phone: str | None = None
    events: tuple[_Event, ...] = ()

    @field_validator("id_suffix", "id_number")
    @classmethod
    def _id_like(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{5}[\dXx]|\d{17}[\dXx]", value.strip()):
            raise ValueError("must be 18 characters (ID) or the last 6 characters of one")
        return value

    @field_validator("phone")
    @classmethod
    def _phone_like(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"1[3-9]\d{9}", normalise_phone(value)):
            raise ValueError("must be a mainland mobile number")
        return value

    def record(self) -> CaseRecord:
        suffix = self.id_suffix or self.id_number
        events = tuple(
            CaseEventRecord(e.status, e.note, _aware(e.at) if e.at else None) for e in self.events
        )
        return CaseRecord(
            case_no=self.case_no.strip().upper(),
            status=self.status,
            service_id=self.service_id,
            service_name=self.service_name,
            department=self.department,
            status_text=self.status_text,
            id_suffix=normalise_id_suffix(suffix) if suffix else None,
            phone=normalise_phone(self.phone) if self.phone else None,
            events=events,
        )


class _Fixture(_Model):
    cases: tuple[_Case, ...]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FixtureError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from None


def load_case_fixture(path: Path) -> list[CaseRecord]:
    """Parse a fixture file into case records; FixtureError lists every problem."""
    data = _read(path)
    try:
        fixture = _Fixture.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise FixtureError("\n".join(lines)) from None
    return [case.record() for case in fixture.cases]
