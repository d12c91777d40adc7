"""When a pair meets: a weekly slot in one time zone, repeated at the program's cadence.

Occurrences are computed in the slot's local wall time and only then converted to UTC, so a
daylight-saving change never moves a 10:00 meeting to 09:00 or 11:00 for the people in that
zone (the UTC instant moves instead).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentorship_contracts.types import Cadence

WORKDAY_START_HOUR = 9
WORKDAY_END_HOUR = 17
PREFERRED_HOURS = tuple(range(10, 17))
DAYS_PER_CADENCE = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}
MAX_WEEK_OF_MONTH = 4
"""Monthly series meet on the n-th weekday of the month, n at most 4 so it always exists."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A weekday and a local time of day in a time zone."""

    zone: str
    weekday: int
    """Monday is 0."""
    local_time: time

    def at(self, day: date) -> datetime:
        """The UTC instant of this slot's time on ``day`` (a local date in the zone)."""
        local = datetime.combine(day, self.local_time, tzinfo=ZoneInfo(self.zone))
        return local.astimezone(UTC)


def local_date(instant: datetime, zone: str) -> date:
    """The date ``instant`` falls on in ``zone``."""
    return instant.astimezone(ZoneInfo(zone)).date()


def in_zone(instant: datetime, zone: str) -> datetime | None:
    """``instant`` on ``zone``'s clock, or None when that date is past the year 9999."""
    try:
        return instant.astimezone(ZoneInfo(zone))
    except OverflowError:
        return None


def end_of_day(day: date, zone: str) -> datetime:
    """The UTC instant of the last moment of ``day`` in ``zone``."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def slot_of(instant: datetime, zone: str) -> Slot:
    """The slot (weekday and wall-clock time in ``zone``) an instant falls on."""
    local = instant.astimezone(ZoneInfo(zone))
    return Slot(zone, local.weekday(), local.time())


def first_day(slot: Slot, not_before: date) -> date:
    """The first date on or after ``not_before`` that falls on the slot's weekday."""
    return not_before + timedelta(days=(slot.weekday - not_before.weekday()) % 7)


def occurrences(
    slot: Slot, cadence: Cadence, first: date, last: date, *, limit: int | None = None
) -> list[datetime]:
    """UTC start times of the series from ``first`` (a slot weekday) to ``last`` inclusive."""
    starts: list[datetime] = []
    for day in _days(cadence, first):
        if day > last or (limit is not None and len(starts) >= limit):
            break
        starts.append(slot.at(day))
    return starts


def _days(cadence: Cadence, first: date) -> Iterator[date]:
    if cadence in DAYS_PER_CADENCE:
        step = timedelta(days=DAYS_PER_CADENCE[cadence])
        day = first
        while True:
            yield day
            day += step
    week = _week_of_month(first)
    year, month = first.year, first.month
    while True:
        yield nth_weekday(year, month, first.weekday(), week)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def resume_day(cadence: Cadence, met_on: date, not_before: date) -> date:
    """The first day on or after ``not_before`` in the rhythm of a series that met on ``met_on``.

    Weekly and biweekly series keep their step from ``met_on`` (in either direction); monthly
    ones their n-th weekday of the month.
    """
    if cadence in DAYS_PER_CADENCE:
        step = DAYS_PER_CADENCE[cadence]
        steps = -(-(not_before - met_on).days // step)  # rounded up
        return met_on + timedelta(days=steps * step)
    same_month = nth_weekday(
        not_before.year, not_before.month, met_on.weekday(), _week_of_month(met_on)
    )
    return next(day for day in _days(cadence, same_month) if day >= not_before)


def _week_of_month(day: date) -> int:
    """Which of its weekday's occurrences in the month ``day`` is (at most the fourth)."""
    return min(MAX_WEEK_OF_MONTH, (day.day - 1) // 7 + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday 0) of a month."""
    first_of_month = date(year, month, 1)
    offset = (weekday - first_of_month.weekday()) % 7
    return first_of_month + timedelta(days=offset + 7 * (n - 1))


def default_slot(
    anchor_zone: str, other_zones: Sequence[str], weekday: int, on: date, minutes: int
) -> Slot:
    """A slot inside everyone's working hours on ``on`` if there is one.

    Tries the anchor zone's hours from 10:00 on and keeps the first whose whole meeting lies
    within 09:00-17:00 for every other zone; otherwise the hour that strays least.
    """

    def strain(hour: int) -> int:
        start = Slot(anchor_zone, weekday, time(hour)).at(on)
        worst = 0
        for zone in (anchor_zone, *other_zones):
            local = start.astimezone(ZoneInfo(zone))
            begins = local.hour * 60 + local.minute
            ends = begins + minutes
            early = max(0, WORKDAY_START_HOUR * 60 - begins)
            late = max(0, ends - WORKDAY_END_HOUR * 60)
            worst = max(worst, early + late)
        return worst

    best = min(PREFERRED_HOURS, key=lambda hour: (strain(hour), PREFERRED_HOURS.index(hour)))
    return Slot(anchor_zone, weekday, time(best))


def shift_local(instant: datetime, zone: str, delta: timedelta) -> datetime:
    """``instant`` moved by ``delta`` of local wall-clock time in ``zone`` (DST-safe)."""
    local = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) + delta
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_delta(before: datetime, after: datetime, zone: str) -> timedelta:
    """The wall-clock difference in ``zone`` between two instants."""
    tz = ZoneInfo(zone)
    return after.astimezone(tz).replace(tzinfo=None) - before.astimezone(tz).replace(tzinfo=None)
