"""A program, a mentor in Berlin, a mentee in New York, and the pair they form."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    PairCreated,
    ParticipantRegistered,
    ProgramCreated,
    ProgramUpdated,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole, utc_now
from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

ADMIN = bearer(DEV_ADMIN_TOKEN)
PROGRAM = "prog-sched"
MENTOR_EMPLOYEE, MENTEE_EMPLOYEE, OUTSIDER_EMPLOYEE = "e-mentor", "e-mentee", "e-outsider"
MENTOR, MENTEE = "part-mentor", "part-mentee"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def as_person(employee_id: str) -> dict[str, str]:
    """The Authorization header of a participant."""
    return bearer(participant_token(employee_id))


def program(today: date, **changes: Any) -> ProgramCreated:
    """A weekly program that began eight weeks ago and runs four more months."""
    fields: dict[str, Any] = {
        "program_id": PROGRAM,
        "name": "Scheduling pilot",
        "cadence": "weekly",
        "starts_on": today - timedelta(weeks=8),
        "ends_on": today + timedelta(days=120),
        "session_minutes": 45,
    }
    return example(ProgramCreated, **(fields | changes))


def program_updated(today: date, **changes: Any) -> ProgramUpdated:
    """The program of `program` with ``changes``, as an update."""
    state = program(today, **changes).model_dump(exclude={"created_at"})
    return example(ProgramUpdated, **state, updated_at=utc_now(), changed_fields=tuple(changes))


def participant(
    participant_id: str, employee_id: str, zone: str, role: str
) -> ParticipantRegistered:
    """A registration with a time zone."""
    base = example(ParticipantRegistered)
    return example(
        ParticipantRegistered,
        participant_id=participant_id,
        program_id=PROGRAM,
        person_id=dev_person_id(employee_id),
        role=ParticipantRole(role),
        capacity=2 if role == "mentor" else 0,
        profile=base.profile.model_copy(update={"time_zone": zone}),
    )


def pair(created_at: datetime, pair_id: str = "pair-1", **changes: Any) -> PairCreated:
    """The mentor and the mentee, paired at ``created_at``."""
    fields: dict[str, Any] = {
        "pair_id": pair_id,
        "program_id": PROGRAM,
        "mentor_participant_id": MENTOR,
        "mentee_participant_id": MENTEE,
        "mentor_person_id": dev_person_id(MENTOR_EMPLOYEE),
        "mentee_person_id": dev_person_id(MENTEE_EMPLOYEE),
        "created_at": created_at,
    }
    return example(PairCreated, **(fields | changes))


def history(paired_days_ago: int = 30) -> list[IntegrationEvent]:
    """Program, both registrations and the pair, paired ``paired_days_ago`` days ago."""
    now = utc_now()
    return [
        program(now.date()),
        participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
        participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
        pair(now - timedelta(days=paired_days_ago)),
    ]


async def series_of(client: httpx.AsyncClient, pair_id: str = "pair-1") -> dict[str, Any]:
    """A series as the admin sees it, once it is there."""
    response = await eventually(
        lambda: client.get(f"/v1/pairs/{pair_id}/sessions", headers=ADMIN),
        lambda r: r.status_code == 200,
    )
    body: dict[str, Any] = response.json()
    return body
