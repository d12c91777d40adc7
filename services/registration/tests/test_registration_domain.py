from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import ParticipantRole
from registration.domain.registration import Registration

FIRST = datetime(2026, 1, 10, tzinfo=UTC)
LATER = datetime(2026, 1, 20, tzinfo=UTC)


def _registration(**changes: object) -> Registration:
    base = Registration(
        participant_id="part-1",
        program_id="prog-1",
        employee_id="emp-1",
        person_id="person-1",
        role=ParticipantRole.MENTEE,
        capacity=0,
        department="sales",
        reporting_line=("person-boss",),
        profile=MatchingProfile(languages=("en",)),
        registered_at=FIRST,
        updated_at=FIRST,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_revising_keeps_identity_and_registration_time() -> None:
    original = _registration()
    revision = _registration(
        participant_id="fresh-id",
        person_id="fresh-person",
        role=ParticipantRole.MENTOR,
        capacity=2,
        registered_at=LATER,
        updated_at=LATER,
    )

    revised = original.revise(revision)

    assert revised.participant_id == "part-1"
    assert revised.person_id == "person-1"
    assert revised.registered_at == FIRST
    assert revised.updated_at == LATER
    assert (revised.role, revised.capacity) == (ParticipantRole.MENTOR, 2)


def test_events_carry_the_state_matching_needs_and_no_employee_id() -> None:
    registration = _registration()
    registered = registration.registered()
    updated = registration.updated()
    assert registered.participant_id == updated.participant_id == "part-1"
    assert registered.reporting_line == ("person-boss",)
    assert registered.profile.languages == ("en",)
    assert registered.registered_at == FIRST
    assert "emp-1" not in registered.model_dump_json()
