"""Planning series: a new one's slot and sessions, and more sessions for one that goes on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mentorship_contracts.types import Cadence, ProgramFormat
from scheduling.domain.recurrence import (
    default_slot,
    first_day,
    local_date,
    occurrences,
    resume_day,
    slot_of,
)
from scheduling.domain.sessions import Series, Session, session_id_of


@dataclass(frozen=True, slots=True)
class PlanningRules:
    """How this deployment plans series."""

    weekday: int = 1
    """Default meeting day (Monday 0); Tuesday."""
    lead_days: int = 2
    """The first session is at least this many days after the pair is made."""
    flash_sessions: int = 1
    """Sessions a flash (one-off) pair gets: 1 or 2, a week apart."""


@dataclass(frozen=True, slots=True)
class ProgramCalendar:
    """What planning needs of a program."""

    program_id: str
    format: ProgramFormat
    cadence: Cadence
    starts_on: date
    ends_on: date
    session_minutes: int


def plan_sessions(
    series: Series,
    program: ProgramCalendar,
    *,
    member_zones: Sequence[str],
    paired_at: datetime,
    rules: PlanningRules,
    first_sequence: int = 1,
) -> list[Session]:
    """The sessions of a new series, from the pair's start to the program's end."""
    earliest = max(
        local_date(paired_at, series.zone) + timedelta(days=rules.lead_days), program.starts_on
    )
    slot_probe = first_day(
        default_slot(series.zone, (), rules.weekday, earliest, program.session_minutes),
        earliest,
    )
    slot = default_slot(
        series.zone, member_zones, rules.weekday, slot_probe, program.session_minutes
    )
    flash = program.format is ProgramFormat.FLASH
    starts = occurrences(
        slot,
        Cadence.WEEKLY if flash else program.cadence,
        first_day(slot, earliest),
        program.ends_on,
        limit=rules.flash_sessions if flash else None,
    )
    return _sessions(series, starts, first_sequence, paired_at)


def resume_sessions(
    series: Series,
    program: ProgramCalendar,
    *,
    met_at: datetime,
    not_before: datetime,
    first_sequence: int,
    now: datetime,
) -> list[Session]:
    """More sessions of ``series``, after ``not_before`` until the program's end.

    They keep the slot (weekday and wall-clock time) and the rhythm of the session it had at
    ``met_at``, at the program's current cadence.
    """
    slot = slot_of(met_at, series.zone)
    earliest = max(local_date(not_before, series.zone), program.starts_on)
    first = resume_day(program.cadence, local_date(met_at, series.zone), earliest)
    starts = occurrences(slot, program.cadence, first, program.ends_on)
    return _sessions(series, [s for s in starts if s > not_before], first_sequence, now)


def _sessions(
    series: Series, starts: Sequence[datetime], first_sequence: int, now: datetime
) -> list[Session]:
    return [
        Session(
            session_id=session_id_of(series.series_id, sequence),
            series_id=series.series_id,
            program_id=series.program_id,
            sequence=sequence,
            participant_ids=series.participant_ids,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            updated_at=now,
        )
        for sequence, start in enumerate(starts, start=first_sequence)
    ]
