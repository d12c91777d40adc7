"""Series generation: every cadence, and a weekly slot that keeps its local time across DST."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mentorship_contracts.types import Cadence, ProgramFormat
from scheduling.domain.planning import (
    PlanningRules,
    ProgramCalendar,
    plan_sessions,
    resume_sessions,
)
from scheduling.domain.recurrence import (
    Slot,
    default_slot,
    end_of_day,
    first_day,
    local_delta,
    nth_weekday,
    occurrences,
    resume_day,
    shift_local,
)
from scheduling.domain.sessions import Member, MemberRole, Series

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
TUESDAY = 1


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def test_weekly_series_keeps_its_local_time_across_both_dst_changes() -> None:
    slot = Slot(BERLIN, TUESDAY, time(10, 0))
    starts = occurrences(slot, Cadence.WEEKLY, date(2027, 3, 2), date(2027, 11, 30))
    assert all(local(s, BERLIN).time() == time(10, 0) for s in starts)
    assert all(local(s, BERLIN).weekday() == TUESDAY for s in starts)
    # The UTC instant moves by an hour at each change (CET +1 -> CEST +2 -> CET +1).
    assert local(starts[0], BERLIN).utcoffset() == timedelta(hours=1)
    march_30 = next(s for s in starts if local(s, BERLIN).date() == date(2027, 3, 30))
    assert march_30.astimezone(UTC).time() == time(8, 0)
    assert starts[0].astimezone(UTC).time() == time(9, 0)
    assert starts[-1].astimezone(UTC).time() == time(9, 0)
    assert [b - a for a, b in itertools.pairwise(starts)].count(
        timedelta(days=7) - timedelta(hours=1)
    ) == 1


def test_biweekly_series_is_fourteen_local_days_apart() -> None:
    slot = Slot(NEW_YORK, 3, time(15, 30))
    starts = occurrences(slot, Cadence.BIWEEKLY, date(2027, 1, 7), date(2027, 6, 30))
    days = [local(s, NEW_YORK).date() for s in starts]
    assert all((b - a).days == 14 for a, b in itertools.pairwise(days))
    assert all(local(s, NEW_YORK).time() == time(15, 30) for s in starts)
    assert days[0] == date(2027, 1, 7)
    assert days[-1] <= date(2027, 6, 30)
    assert len(days) == 13


def test_monthly_series_meets_on_the_same_weekday_of_the_month() -> None:
    slot = Slot(BERLIN, TUESDAY, time(9, 0))
    first = date(2027, 1, 12)  # the second Tuesday of January
    starts = occurrences(slot, Cadence.MONTHLY, first, date(2027, 12, 31))
    days = [local(s, BERLIN).date() for s in starts]
    assert len(days) == 12
    assert all(day.weekday() == TUESDAY and 8 <= day.day <= 14 for day in days)
    assert [day.month for day in days] == list(range(1, 13))


def test_a_monthly_series_starting_in_a_fifth_week_uses_the_fourth() -> None:
    assert nth_weekday(2027, 2, TUESDAY, 4) == date(2027, 2, 23)
    slot = Slot("UTC", TUESDAY, time(9, 0))
    starts = occurrences(slot, Cadence.MONTHLY, date(2027, 3, 30), date(2027, 5, 31))
    assert [s.date() for s in starts] == [date(2027, 3, 23), date(2027, 4, 27), date(2027, 5, 25)]


def test_first_day_is_the_next_slot_weekday() -> None:
    slot = Slot("UTC", TUESDAY, time(9, 0))
    assert first_day(slot, date(2027, 1, 5)) == date(2027, 1, 5)
    assert first_day(slot, date(2027, 1, 6)) == date(2027, 1, 12)


def test_default_slot_fits_both_working_days_when_it_can() -> None:
    slot = default_slot(BERLIN, [NEW_YORK], TUESDAY, date(2027, 1, 5), 60)
    start = slot.at(date(2027, 1, 5))
    assert local(start, NEW_YORK).hour >= 9
    assert local(start, NEW_YORK).hour + 1 <= 17
    assert local(start, BERLIN).hour + 1 <= 17
    assert default_slot(BERLIN, [BERLIN], TUESDAY, date(2027, 1, 5), 60).local_time == time(10)


def test_shifting_by_wall_clock_time_is_dst_safe() -> None:
    before = Slot(BERLIN, TUESDAY, time(10)).at(date(2027, 3, 23))
    moved = shift_local(before, BERLIN, timedelta(days=7, hours=2))
    assert local(moved, BERLIN).replace(tzinfo=None) == datetime(
        2027, 3, 30, 12, 0, tzinfo=ZoneInfo(BERLIN)
    ).replace(tzinfo=None)
    assert local_delta(before, moved, BERLIN) == timedelta(days=7, hours=2)


def series(zone: str = BERLIN) -> Series:
    return Series(
        series_id="pair-1",
        program_id="program-1",
        members=(
            Member("mentor-1", "p-mentor", MemberRole.MENTOR, "pair-1"),
            Member("mentee-1", "p-mentee", MemberRole.MENTEE, "pair-1"),
        ),
        zone=zone,
        duration_minutes=45,
    )


def program(cadence: Cadence, fmt: ProgramFormat = ProgramFormat.ONE_ON_ONE) -> ProgramCalendar:
    return ProgramCalendar(
        program_id="program-1",
        format=fmt,
        cadence=cadence,
        starts_on=date(2027, 1, 4),
        ends_on=date(2027, 6, 30),
        session_minutes=45,
    )


def test_a_series_runs_from_the_pair_start_to_the_program_end() -> None:
    paired_at = datetime(2027, 2, 1, 12, tzinfo=UTC)
    sessions = plan_sessions(
        series(),
        program(Cadence.WEEKLY),
        member_zones=[BERLIN],
        paired_at=paired_at,
        rules=PlanningRules(),
    )
    assert sessions[0].starts_at > paired_at + timedelta(days=2)
    assert local(sessions[-1].starts_at, BERLIN).date() <= date(2027, 6, 30)
    assert [s.sequence for s in sessions] == list(range(1, len(sessions) + 1))
    assert len({s.session_id for s in sessions}) == len(sessions)
    assert all(s.participant_ids == ("mentor-1", "mentee-1") for s in sessions)
    assert all(s.duration_minutes == 45 for s in sessions)
    assert len(sessions) == 21


def test_a_pair_made_before_the_program_starts_meets_from_its_start() -> None:
    sessions = plan_sessions(
        series(),
        program(Cadence.MONTHLY),
        member_zones=[BERLIN],
        paired_at=datetime(2026, 12, 1, tzinfo=UTC),
        rules=PlanningRules(),
    )
    assert local(sessions[0].starts_at, BERLIN).date() >= date(2027, 1, 4)
    assert len(sessions) == 6


def test_flash_pairs_get_one_or_two_sessions() -> None:
    for count in (1, 2):
        sessions = plan_sessions(
            series(),
            program(Cadence.WEEKLY, ProgramFormat.FLASH),
            member_zones=[BERLIN],
            paired_at=datetime(2027, 2, 1, tzinfo=UTC),
            rules=PlanningRules(flash_sessions=count),
        )
        assert len(sessions) == count


def test_planning_is_deterministic_so_replays_create_the_same_sessions() -> None:
    def plan() -> list[tuple[str, datetime]]:
        sessions = plan_sessions(
            series(),
            program(Cadence.BIWEEKLY),
            member_zones=[NEW_YORK],
            paired_at=datetime(2027, 2, 1, tzinfo=UTC),
            rules=PlanningRules(),
        )
        return [(s.session_id, s.starts_at) for s in sessions]

    assert plan() == plan()


@given(
    zone=st.sampled_from([BERLIN, NEW_YORK, "Australia/Sydney", "Asia/Kolkata", "UTC"]),
    cadence=st.sampled_from(list(Cadence)),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 1)),
    hour=st.integers(min_value=8, max_value=18),
)
def test_every_occurrence_is_at_the_slot_time_in_its_zone(
    zone: str, cadence: Cadence, start: date, hour: int
) -> None:
    slot = Slot(zone, start.weekday(), time(hour, 30))
    starts = occurrences(slot, cadence, start, start + timedelta(days=400))
    assert starts == sorted(starts)
    for instant in starts:
        assert local(instant, zone).time() == time(hour, 30)
        assert local(instant, zone).weekday() == start.weekday()


def test_a_series_resumes_in_its_rhythm_in_either_direction() -> None:
    met_on = date(2027, 3, 2)  # a Tuesday
    assert resume_day(Cadence.WEEKLY, met_on, date(2027, 3, 2)) == met_on
    assert resume_day(Cadence.WEEKLY, met_on, date(2027, 3, 3)) == date(2027, 3, 9)
    assert resume_day(Cadence.BIWEEKLY, met_on, date(2027, 3, 10)) == date(2027, 3, 16)
    assert resume_day(Cadence.BIWEEKLY, met_on, date(2027, 2, 10)) == date(2027, 2, 16)
    # The first Tuesday of the month, from mid-December on: January's.
    assert resume_day(Cadence.MONTHLY, met_on, date(2027, 12, 15)) == date(2028, 1, 4)
    assert resume_day(Cadence.MONTHLY, met_on, date(2027, 12, 7)) == date(2027, 12, 7)


def test_the_last_moment_of_a_day_is_in_its_zone() -> None:
    assert end_of_day(date(2027, 6, 30), BERLIN) == datetime(
        2027, 6, 30, 21, 59, 59, 999999, tzinfo=UTC
    )


def test_resumed_sessions_keep_the_slot_and_number_on() -> None:
    met_at = Slot(BERLIN, 3, time(15, 30)).at(date(2027, 3, 4))  # a Thursday, 15:30 in Berlin
    not_before = datetime(2027, 5, 1, tzinfo=UTC)
    sessions = resume_sessions(
        series(),
        program(Cadence.BIWEEKLY),
        met_at=met_at,
        not_before=not_before,
        first_sequence=8,
        now=not_before,
    )
    days = [local(s.starts_at, BERLIN).date() for s in sessions]
    assert days[0] == date(2027, 5, 13)  # 10 weeks after March 4
    assert days[-1] <= date(2027, 6, 30)
    assert all((b - a).days == 14 for a, b in itertools.pairwise(days))
    assert {local(s.starts_at, BERLIN).time() for s in sessions} == {time(15, 30)}
    assert [s.sequence for s in sessions] == list(range(8, 8 + len(sessions)))
    assert sessions[0].session_id == "pair-1.s008"
