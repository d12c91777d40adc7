"""A program, two registered people, their pair and sessions: the events notifications reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mentorship_contracts.events import (
    MatchingProfile,
    PairCreated,
    ParticipantRegistered,
    ProgramCreated,
    SessionCancelled,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole, SessionCancelReason, utc_now
from mentorship_devstack.tokens import dev_person_id

PROGRAM = "prog-notify"
MENTOR, MENTEE = "part-mentor", "part-mentee"
EMPLOYEES = {MENTOR: "e-mentor", MENTEE: "e-mentee"}
PAIR = "pair-1"
CONTRIBUTIONS = {"skills": 1.8, "time_zone": 0.6, "interests": 0.3, "location": 0.0}


def program(**changes: Any) -> ProgramCreated:
    """The program, named "Pilot"."""
    return example(ProgramCreated, program_id=PROGRAM, name="Pilot", **changes)


def registered(
    participant_id: str, role: str, zone: str = "Europe/Paris", languages: tuple[str, ...] = ("en",)
) -> ParticipantRegistered:
    """A registration in the program."""
    return example(
        ParticipantRegistered,
        participant_id=participant_id,
        program_id=PROGRAM,
        person_id=dev_person_id(EMPLOYEES[participant_id]),
        role=ParticipantRole(role),
        capacity=2 if role == "mentor" else 0,
        profile=MatchingProfile(time_zone=zone, languages=languages),
    )


def pair() -> PairCreated:
    """The mentor and the mentee, with their score explained."""
    return example(
        PairCreated,
        pair_id=PAIR,
        program_id=PROGRAM,
        mentor_participant_id=MENTOR,
        mentee_participant_id=MENTEE,
        mentor_person_id=dev_person_id(EMPLOYEES[MENTOR]),
        mentee_person_id=dev_person_id(EMPLOYEES[MENTEE]),
        score=2.7,
        contributions=CONTRIBUTIONS,
    )


def session_id(number: int) -> str:
    """Scheduling's id of the pair's n-th session."""
    return f"{PAIR}.s{number:03d}"


def scheduled(number: int, starts_at: datetime | None = None) -> SessionScheduled:
    """The pair's n-th session, weekly from a week from now."""
    start = starts_at or (utc_now() + timedelta(days=7 * number)).replace(microsecond=0)
    return SessionScheduled(
        session_id=session_id(number),
        pair_id=PAIR,
        program_id=PROGRAM,
        series_id=PAIR,
        sequence=number,
        participant_ids=(MENTOR, MENTEE),
        starts_at=start,
        duration_minutes=60,
    )


def rescheduled(number: int, previous: datetime, starts_at: datetime) -> SessionRescheduled:
    """The n-th session moved."""
    return SessionRescheduled(
        session_id=session_id(number),
        pair_id=PAIR,
        program_id=PROGRAM,
        previous_starts_at=previous,
        starts_at=starts_at,
        duration_minutes=60,
    )


def cancelled(number: int, starts_at: datetime) -> SessionCancelled:
    """The n-th session cancelled."""
    return SessionCancelled(
        session_id=session_id(number),
        pair_id=PAIR,
        program_id=PROGRAM,
        starts_at=starts_at,
        reason=SessionCancelReason.PARTICIPANT_REQUEST,
        cancelled_at=utc_now(),
    )


def reminder(number: int, starts_at: datetime, lead_minutes: int = 60) -> SessionReminderDue:
    """A reminder of the n-th session."""
    return SessionReminderDue(
        session_id=session_id(number),
        pair_id=PAIR,
        program_id=PROGRAM,
        participant_ids=(MENTOR, MENTEE),
        starts_at=starts_at,
        lead_minutes=lead_minutes,
        due_at=starts_at - timedelta(minutes=lead_minutes),
    )
