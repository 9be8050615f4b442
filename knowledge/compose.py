"""Short Simplified-Chinese answers about one service and one aspect.

Every answer starts with the service name in 【】 and uses only catalogue data: an empty field
is reported as not available ("目录中暂无……，请拨打……咨询"), never filled in. The contact
number is the service's ``phone``, else its first office's, else the city hotline (12345).
Answers are at most ``max_chars`` characters: a list that does not fit is cut at an item
boundary and ends with a pointer to the online page or the phone number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.districts import NEIGHBOURS
from knowledge.schema import Location, Service

DEFAULT_HOTLINE = "12345"
MAX_OFFICES = 3


@dataclass(frozen=True)
class Answer:
    text: str
    links: tuple[tuple[str, str], ...] = ()


def contact_phone(service: Service, hotline: str = DEFAULT_HOTLINE) -> str:
    """The number to call about this service."""
    if service.phone:
        return service.phone
    return next((loc.phone for loc in service.locations if loc.phone), hotline)


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)]


def _unavailable(service: Service, what: str, hotline: str) -> str:
    phone = contact_phone(service, hotline)
    return f"【{service.name}】目录中暂无该事项的{what}信息，请拨打 {phone} 咨询。"


def _more(service: Service, hotline: str) -> str:
    if service.online_url:
        return f"更多请见：{service.online_url}"
    return f"更多请拨打 {contact_phone(service, hotline)} 咨询。"


def fit(head: str, items: Sequence[str], more: str, max_chars: int, tail: str = "") -> str:
    """``head`` + as many whole ``items`` as fit (+ ``more`` when some are left out) + tail.
    When not even the first item fits, it is shortened with "…" rather than dropped."""
    lines = [head]
    for index, item in enumerate(items):
        rest_needed = 0 if index == len(items) - 1 else len(more) + 1
        candidate = "\n".join([*lines, item])
        if len(candidate) + rest_needed + (len(tail) + 1 if tail else 0) > max_chars:
            room = max_chars - len("\n".join(lines)) - len(more) - 2
            if index == 0 and room >= 8:
                lines.append(item[: room - 1] + "…")
            lines.append(more)
            break
        lines.append(item)
    else:
        if tail:
            lines.append(tail)
    text = "\n".join(lines)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def office_line(loc: Location) -> str:
    """``name：address；hours；电话 phone`` (empty parts left out)."""
    parts = [loc.address, loc.hours, f"电话 {loc.phone}" if loc.phone else ""]
    details = "；".join(p for p in parts if p)
    return f"{loc.name}：{details}" if details else loc.name


def _by_nearness(locations: Sequence[Location], district: str) -> list[Location]:
    near = NEIGHBOURS.get(district, ())
    rank = {d: i for i, d in enumerate(near)}
    return sorted(locations, key=lambda loc: rank.get(loc.district, len(rank)))


def _locations(service: Service, district: str | None, max_chars: int, hotline: str) -> str:
    name = f"【{service.name}】"
    if not service.locations:
        online = f"可网上办理：{service.online_url}；" if service.online_url else ""
        phone = contact_phone(service, hotline)
        return f"{name}目录中暂无该事项的办理地点信息，{online}请拨打 {phone} 咨询。"
    more = _more(service, hotline)
    if district:
        here = [loc for loc in service.locations if loc.district == district]
        if here:
            head = f"{name}{district}的办理地点："
            return fit(head, _numbered([office_line(loc) for loc in here]), more, max_chars)
        others = _by_nearness(service.locations, district)[:MAX_OFFICES]
        head = f"{name}目录中暂无{district}的办理地点，可前往以下地点办理："
        return fit(head, _numbered([office_line(loc) for loc in others]), more, max_chars)
    shown = service.locations[:MAX_OFFICES]
    total = len(service.locations)
    head = f"{name}办理地点（共{total}处）：" if total > 1 else f"{name}办理地点："
    tail = "告诉我您所在的区，可为您列出该区的办理地点。" if total > MAX_OFFICES else ""
    return fit(head, _numbered([office_line(loc) for loc in shown]), more, max_chars, tail)


def _online(service: Service, district: str | None, max_chars: int, hotline: str) -> str:
    name = f"【{service.name}】"
    if service.online_url:
        return fit(f"{name}可以网上办理：{service.online_url}", [], "", max_chars)
    here = [loc for loc in service.locations if district and loc.district == district]
    offices = here or list(service.locations)
    phone = contact_phone(service, hotline)
    if not offices:
        return f"{name}目录中暂无该事项的网上办理渠道和办理地点信息，请拨打 {phone} 咨询。"
    head = f"{name}目录中暂无该事项的网上办理渠道，请到现场办理："
    return fit(head, [office_line(offices[0])], f"更多请拨打 {phone} 咨询。", max_chars)


def _general(service: Service, max_chars: int, hotline: str) -> str:
    name = f"【{service.name}】"
    head = f"{name}由{service.department}办理。" if service.department else name
    facts = []
    if service.time_limit:
        facts.append(f"办理时限：{service.time_limit}")
    if service.fee:
        facts.append(f"收费：{service.fee}")
    if service.materials:
        facts.append(f"所需材料：共{len(service.materials)}项")
    if service.online_url:
        facts.append("可网上办理")
    if service.locations:
        facts.append(f"办理地点：{len(service.locations)}处")
    tail = "您可以继续问：需要什么材料、在哪里办、要多久、多少钱。"
    return fit(head, facts, _more(service, hotline), max_chars, tail)


_LISTS = {
    "materials": ("需要准备的材料", "材料清单"),
    "conditions": ("申请条件", "申请条件"),
    "process": ("办理流程", "办理流程"),
}
_TEXTS = {"fee": ("收费标准", "收费"), "time_limit": ("办理时限", "办理时限")}


def _listed(service: Service, aspect: str, max_chars: int, hotline: str) -> str:
    title, missing = _LISTS[aspect]
    items: tuple[str, ...] = getattr(service, aspect)
    if not items:
        return _unavailable(service, missing, hotline)
    lines = _numbered(items) if len(items) > 1 else list(items)
    return fit(f"【{service.name}】{title}：", lines, _more(service, hotline), max_chars)


def _single(service: Service, aspect: str, max_chars: int, hotline: str) -> str:
    title, missing = _TEXTS[aspect]
    value: str = getattr(service, aspect)
    if not value:
        return _unavailable(service, missing, hotline)
    return fit(f"【{service.name}】{title}：{value}", [], "", max_chars)


def compose_answer(
    service: Service,
    aspect: str,
    district: str | None = None,
    max_chars: int = 300,
    hotline: str = DEFAULT_HOTLINE,
) -> Answer:
    """The answer about ``aspect`` of ``service`` (unknown aspects get the general summary)."""
    if aspect in _LISTS:
        text = _listed(service, aspect, max_chars, hotline)
    elif aspect in _TEXTS:
        text = _single(service, aspect, max_chars, hotline)
    elif aspect == "locations":
        text = _locations(service, district, max_chars, hotline)
    elif aspect == "online":
        text = _online(service, district, max_chars, hotline)
    else:
        text = _general(service, max_chars, hotline)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    links = ((f"{service.name}（网上办理）", service.online_url),) if service.online_url else ()
    return Answer(text=text, links=links)
