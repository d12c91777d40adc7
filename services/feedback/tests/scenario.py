"""A program with a pair that held a session, an unmatched participant and an outsider."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    PairCreated,
    ParticipantRegistered,
    ProgramCreated,
    SessionCompleted,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole, utc_now
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

ADMIN = bearer(DEV_ADMIN_TOKEN)
PROGRAM = "prog-feedback"
MENTOR, MENTEE, LONER = "part-mentor", "part-mentee", "part-loner"
EMPLOYEES = {MENTOR: "e-mentor", MENTEE: "e-mentee", LONER: "e-loner"}
OUTSIDER_EMPLOYEE = "e-outsider"
SESSION, SESSION_NOT_HELD = "pair-1.s001", "pair-1.s002"
SKILLS = ("public_speaking", "delegation")
GOALS = ("first_team_lead", "promotion")


def as_person(employee_id: str) -> dict[str, str]:
    """A participant's Authorization header."""
    return bearer(participant_token(employee_id))


def registration(participant_id: str, role: str) -> ParticipantRegistered:
    """A registration in the program."""
    return example(
        ParticipantRegistered,
        participant_id=participant_id,
        program_id=PROGRAM,
        person_id=dev_person_id(EMPLOYEES[participant_id]),
        role=ParticipantRole(role),
        capacity=2 if role == "mentor" else 0,
    )


def pair(pair_id: str = "pair-1", **changes: Any) -> PairCreated:
    """The mentor and the mentee."""
    fields: dict[str, Any] = {
        "pair_id": pair_id,
        "program_id": PROGRAM,
        "mentor_participant_id": MENTOR,
        "mentee_participant_id": MENTEE,
        "mentor_person_id": dev_person_id(EMPLOYEES[MENTOR]),
        "mentee_person_id": dev_person_id(EMPLOYEES[MENTEE]),
    }
    return example(PairCreated, **(fields | changes))


def history() -> list[IntegrationEvent]:
    """Program, three registrations, the pair and its first held session."""
    today = utc_now().date()
    return [
        example(
            ProgramCreated,
            program_id=PROGRAM,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=150),
        ),
        registration(MENTOR, "mentor"),
        registration(MENTEE, "mentee"),
        registration(LONER, "mentee"),
        pair(),
        example(
            SessionCompleted,
            session_id=SESSION,
            pair_id="pair-1",
            program_id=PROGRAM,
            participant_ids=(MENTOR, MENTEE),
        ),
    ]


def problems(response: httpx.Response) -> list[str]:
    """The field paths a 422 names."""
    return [problem["field"] for problem in response.json()["errors"]]
