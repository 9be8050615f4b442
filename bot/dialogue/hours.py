"""Human-agent service hours (``dialogue.service_hours``/``service_days``/``timezone``)."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo

_DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _parse_hours(spec: str) -> tuple[time, time]:
    start, _, end = spec.partition("-")
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"service_hours must look like 09:00-18:00, got {spec!r}") from None


class ServiceHours:
    def __init__(self, hours: str, days: tuple[int, ...], timezone: str) -> None:
        self.start, self.end = _parse_hours(hours)
        self.days = tuple(sorted(set(days)))
        self.tz: tzinfo = ZoneInfo(timezone)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        return local.isoweekday() in self.days and self.start <= local.time() < self.end

    def describe(self) -> str:
        """``周一至周五 09:00-18:00``."""
        return f"{self._days_text()} {self.start:%H:%M}-{self.end:%H:%M}"

    def _days_text(self) -> str:
        if not self.days:
            return "暂无"
        runs: list[list[int]] = []
        for day in self.days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        parts = []
        for run in runs:
            first, last = _DAY_NAMES[run[0] - 1], _DAY_NAMES[run[-1] - 1]
            parts.append(first if len(run) == 1 else f"{first}至{last}")
        return "、".join(parts)
