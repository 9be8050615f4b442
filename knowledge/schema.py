"""The service catalogue as frozen pydantic models (DESIGN §5).

Every key of a service is required and unknown keys are errors, but value shapes are lenient
so that catalogues written by different departments load:

- list fields (``aliases audience conditions materials process legal_basis``) accept a single
  string (one item) or ``null`` (no items; for ``materials`` the loader then reports
  "must not be empty");
- a ``materials`` item is a string or a mapping ``{name, copies?, note?, required?}`` which is
  turned into one display string;
- ``locations`` and ``faq`` accept ``null`` (none) or a single mapping;
- ``time_limit`` accepts text or a number (``5`` -> ``5个工作日``); ``fee`` text or a number
  (``0`` -> ``不收费``, ``20`` -> ``20元``); ``phone`` text or a number; ``null`` -> ``""``;
- ``online_url`` is ``null``/empty or an http(s) URL.

Checks that need the configured districts (``locations[].district``) run when the caller
passes ``context={"districts": [...]}`` to ``model_validate`` (the loader does); a district's
exact short form (``南山``) is accepted and stored as the full name (``南山区``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from knowledge.districts import full_district_name

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SCALARS = (str, int, float, date)  # YAML turns an unquoted 2024-01-01 into a date

# Keys accepted in a materials mapping (several spellings seen in department spreadsheets).
_MATERIAL_NAME_KEYS = ("name", "title", "material")
_MATERIAL_KEYS = {
    *_MATERIAL_NAME_KEYS,
    "copies",
    "count",
    "note",
    "notes",
    "remark",
    "required",
    "original",
}


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise ValueError(f"expected text, got {type(value).__name__}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(value: Any) -> str:
    """Required text that may be empty: ``null`` -> ``""``, numbers -> their digits."""
    return "" if value is None else _scalar_text(value)


def _text_list(value: Any) -> tuple[str, ...]:
    """A list of text items; a single string is one item and ``null`` is no items."""
    if value is None:
        return ()
    if isinstance(value, _SCALARS) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of text, got {type(value).__name__}")
    items = [_scalar_text(item) for item in value]
    return tuple(item for item in items if item)


def material_text(item: Mapping[str, Any]) -> str:
    """One display string for a materials mapping: ``name（1份，note，非必需）``."""
    unknown = sorted(str(k) for k in item if k not in _MATERIAL_KEYS)
    if unknown:
        raise ValueError(f"unknown key in materials item: {', '.join(unknown)}")
    name = next((item[k] for k in _MATERIAL_NAME_KEYS if item.get(k) is not None), None)
    if name is None or not _scalar_text(name):
        raise ValueError("materials item needs a name")
    details: list[str] = []
    copies = item.get("copies", item.get("count"))
    if copies is not None and _scalar_text(copies):
        text = _scalar_text(copies)
        details.append(f"{text}份" if text.isdigit() else text)
    if item.get("original") is True:
        details.append("原件")
    for key in ("note", "notes", "remark"):
        if item.get(key) is not None and _scalar_text(item[key]):
            details.append(_scalar_text(item[key]))
    if item.get("required") is False:
        details.append("非必需")
    suffix = f"（{'，'.join(details)}）" if details else ""
    return f"{_scalar_text(name)}{suffix}"


def _materials(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping | str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    out: list[str] = []
    for item in value:
        text = material_text(item) if isinstance(item, Mapping) else _scalar_text(item)
        if text:
            out.append(text)
    return tuple(out)


def _mapping_list(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return (value,)
    return value


def _time_limit(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{_scalar_text(value)}个工作日"
    return _text(value)


def _fee(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "不收费" if value == 0 else f"{_scalar_text(value)}元"
    return _text(value)


def _url(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    if not _URL.match(text):
        raise ValueError(f"must be an http(s) URL, got {text!r}")
    return text


Text = Annotated[str, BeforeValidator(_text)]
TextList = Annotated[tuple[str, ...], BeforeValidator(_text_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Model):
    name: Text
    address: Text
    district: Text
    hours: Text
    phone: Text

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("district")
    @classmethod
    def _known_district(cls, value: str, info: ValidationInfo) -> str:
        districts = (info.context or {}).get("districts")
        if districts is None or value in districts:
            return value
        full = full_district_name(value, districts)
        if full is None:
            raise ValueError(f"unknown district {value!r} (expected one of {'、'.join(districts)})")
        return full


class FaqItem(_Model):
    q: Text
    a: Text


class Service(_Model):
    id: Text
    name: Text
    aliases: TextList
    department: Text
    category: Text
    audience: TextList
    conditions: TextList
    materials: Annotated[tuple[str, ...], BeforeValidator(_materials)]
    process: TextList
    time_limit: Annotated[str, BeforeValidator(_time_limit)]
    fee: Annotated[str, BeforeValidator(_fee)]
    locations: Annotated[tuple[Location, ...], BeforeValidator(_mapping_list)]
    online_url: Annotated[str | None, BeforeValidator(_url)]
    phone: Text
    legal_basis: TextList
    faq: Annotated[tuple[FaqItem, ...], BeforeValidator(_mapping_list)]

    @field_validator("id", "name")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("materials")
    @classmethod
    def _has_materials(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must not be empty")
        return value


class Catalogue(_Model):
    services: tuple[Service, ...]

    def get(self, service_id: str) -> Service | None:
        """The service with this id, or None."""
        for service in self.services:
            if service.id == service_id:
                return service
        return None
