"""Program policy, the registration window, revisions and their events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from mentorship_contracts.events import ProgramCreated, ProgramUpdated
from mentorship_contracts.types import RegistrationStatus
from registration.domain.programs import (
    Program,
    ProgramSettings,
    QuestionnaireVersion,
    ReadBack,
    ReadOnlyFieldsError,
    add_months,
)
from registration.domain.template import Template, questionnaire_from

from .factories import program_settings


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": "2027-01-01", "ends_on": "2027-01-20"}, "ends_on\n.*at least 1 month"),
        ({"starts_on": "2027-01-01", "ends_on": "2028-01-02"}, "ends_on\n.*at most 12 months"),
        ({"ends_on": "2026-01-01"}, "ends_on\n.*at least 1 month"),
        (
            {"registration_closes_at": "2030-01-01T00:00:00Z"},
            "registration_closes_at\n.*must close before the program ends",
        ),
        (
            {"registration_closes_at": "2000-01-01T00:00:00Z"},
            "registration_closes_at\n.*must close after it opens",
        ),
        ({"format": "group"}, "max_group_size is required for group programs"),
        ({"cadence": "daily"}, "cadence"),
    ],
)
def test_program_policy(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ProgramSettings.model_validate(program_settings(**changes))


def test_twelve_months_and_one_month_are_allowed() -> None:
    ProgramSettings.model_validate(
        program_settings(
            starts_on="2027-01-31",
            ends_on="2028-01-31",
            registration_opens_at="2026-12-01T00:00:00Z",
            registration_closes_at="2027-01-15T00:00:00Z",
        )
    )
    ProgramSettings.model_validate(
        program_settings(
            starts_on="2027-01-31",
            ends_on="2027-02-28",
            registration_opens_at="2026-12-01T00:00:00Z",
            registration_closes_at="2027-01-15T00:00:00Z",
        )
    )


def test_registration_window(open_program: Program) -> None:
    opens = open_program.settings.registration_opens_at
    closes = open_program.settings.registration_closes_at
    assert (
        open_program.registration_status(opens - timedelta(seconds=1))
        is RegistrationStatus.SCHEDULED
    )
    assert open_program.registration_status(opens) is RegistrationStatus.OPEN
    assert open_program.registration_status(closes) is RegistrationStatus.CLOSED
    refusal = open_program.registration_refusal(opens - timedelta(seconds=1))
    assert refusal is not None
    assert refusal.code == "registration_not_open"
    assert opens.isoformat() in refusal.message
    assert open_program.registration_refusal(opens) is None


def test_closing_early_closes_the_window(open_program: Program) -> None:
    now = open_program.settings.registration_opens_at + timedelta(hours=1)
    closed = open_program.closed(now)
    assert closed.registration_status(now) is RegistrationStatus.CLOSED
    refusal = closed.registration_refusal(now + timedelta(minutes=1))
    assert refusal is not None
    assert refusal.code == "registration_closed"
    assert now.isoformat() in refusal.message
    event = closed.updated_event(now, ("registration_status",))
    assert event.registration_status is RegistrationStatus.CLOSED


def test_revisions_name_what_changed(open_program: Program) -> None:
    now = datetime.now(UTC)
    settings = ProgramSettings.model_validate(
        open_program.settings.model_dump() | {"name": "Renamed", "cadence": "weekly"}
    )
    revised, changed = open_program.revised(settings, now)
    assert changed == ("name", "cadence")
    event = revised.updated_event(now, changed)
    assert event.name == "Renamed"
    assert event.changed_fields == ("name", "cadence")
    assert open_program.revised(open_program.settings, now)[1] == ()


def test_created_event_carries_settings_and_topics(open_program: Program) -> None:
    event = open_program.created_event(datetime.now(UTC))
    assert event.program_id == "prog-1"
    assert event.registration_status is RegistrationStatus.OPEN
    assert "public_speaking" in event.topics.skills
    assert event.matching.weights.skills > 0


def test_a_new_questionnaire_version_moves_the_topics(open_program: Program) -> None:
    now = datetime.now(UTC)
    minimal = QuestionnaireVersion("prog-1", 2, questionnaire_from(Template.MINIMAL), now)
    revised, changed = open_program.with_questionnaire(minimal, now)
    assert revised.questionnaire_version == 2
    assert changed == ("topics",)
    assert revised.topics.skills == ()


# ---------------------------------------------------------------- decisions: state and events


def test_starting_a_program_decides_version_one_and_announces_it() -> None:
    now = datetime.now(UTC)
    settings = ProgramSettings.model_validate(program_settings())
    decision = Program.start("prog-9", settings, questionnaire_from(Template.STANDARD), now)
    assert decision.program.questionnaire_version == 1
    assert decision.new_version is not None
    assert (decision.new_version.program_id, decision.new_version.version) == ("prog-9", 1)
    [event] = decision.events
    assert isinstance(event, ProgramCreated)
    assert event.program_id == "prog-9"


def test_revising_announces_only_a_real_change(open_program: Program) -> None:
    now = datetime.now(UTC)
    same = open_program.revise(open_program.settings, now)
    assert same.program is open_program
    assert same.events == ()
    renamed = ProgramSettings.model_validate(
        open_program.settings.model_dump() | {"name": "Renamed"}
    )
    decision = open_program.revise(renamed, now)
    [event] = decision.events
    assert isinstance(event, ProgramUpdated)
    assert event.changed_fields == ("name",)
    assert decision.program.settings.name == "Renamed"


def test_closing_registration_is_announced_once(open_program: Program) -> None:
    now = open_program.settings.registration_opens_at + timedelta(hours=1)
    closing = open_program.close_registration(now)
    [event] = closing.events
    assert isinstance(event, ProgramUpdated)
    assert event.registration_status is RegistrationStatus.CLOSED
    again = closing.program.close_registration(now + timedelta(minutes=5))
    assert again.program is closing.program
    assert again.events == ()


def test_a_new_questionnaire_is_announced_when_the_topics_move(open_program: Program) -> None:
    now = datetime.now(UTC)
    same_topics = open_program.replace_questionnaire(questionnaire_from(Template.STANDARD), now)
    assert same_topics.new_version is not None
    assert same_topics.new_version.version == 2
    assert same_topics.program.questionnaire_version == 2
    assert same_topics.events == ()
    minimal = open_program.replace_questionnaire(questionnaire_from(Template.MINIMAL), now)
    [event] = minimal.events
    assert isinstance(event, ProgramUpdated)
    assert event.changed_fields == ("topics",)


def test_an_edit_may_send_back_the_read_only_fields_it_read() -> None:
    made = datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    current = QuestionnaireVersion("prog-1", 3, questionnaire_from(Template.MINIMAL), made)
    current.check_read_back(ReadBack())
    current.check_read_back(ReadBack("prog-1", 3, made))
    stored = made.replace(microsecond=123000, tzinfo=None)  # as the database keeps it
    current.check_read_back(ReadBack(created_at=stored))

    with pytest.raises(ReadOnlyFieldsError) as stale:
        current.check_read_back(ReadBack("prog-1", 2, made - timedelta(days=1)))
    assert stale.value.stale
    assert [field for field, _ in stale.value.problems] == ["version"]

    with pytest.raises(ReadOnlyFieldsError) as edited:
        current.check_read_back(ReadBack("prog-2", 3, made + timedelta(seconds=1)))
    assert not edited.value.stale
    assert [field for field, _ in edited.value.problems] == ["program_id", "created_at"]
    assert all("read-only" in message for _, message in edited.value.problems)
