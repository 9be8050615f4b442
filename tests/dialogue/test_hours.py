"""Human-agent service hours in the configured timezone."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.dialogue.hours import ServiceHours

WEEKDAYS = ServiceHours("09:00-18:00", (1, 2, 3, 4, 5), "Asia/Shanghai")


def test_open_on_a_weekday_in_local_time() -> None:
    # 01:30 UTC on Monday is 09:30 in Shenzhen.
    assert WEEKDAYS.is_open(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    assert not WEEKDAYS.is_open(datetime(2026, 3, 2, 0, 30, tzinfo=UTC))


def test_closed_at_the_end_and_on_weekends() -> None:
    assert not WEEKDAYS.is_open(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # 18:00 local
    assert not WEEKDAYS.is_open(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))  # Sunday 11:00


def test_describe_groups_consecutive_days() -> None:
    assert WEEKDAYS.describe() == "周一至周五 09:00-18:00"
    assert ServiceHours("08:30-12:00", (1, 3, 6, 7), "Asia/Shanghai").describe() == (
        "周一、周三、周六至周日 08:30-12:00"
    )
