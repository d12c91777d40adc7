"""Registration decisions: new, updated, unchanged, re-registered, and refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentorship_contracts.events import (
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
)
from mentorship_contracts.types import MatchingMode
from registration.domain.programs import Program, QuestionnaireVersion
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import (
    Change,
    Person,
    RegistrationRefusedError,
    Status,
    Submission,
    check_submission,
    check_submission_answers,
    decide,
    erase_person,
    normalise_department,
)
from registration.domain.template import Template, questionnaire_from

from .factories import MENTEE_ANSWERS, MENTOR_ANSWERS

NOW = datetime.now(UTC)
PERSON = Person(person_id="person-1", reporting_line=("person-boss",), department="engineering")


def _version(program: Program) -> QuestionnaireVersion:
    return QuestionnaireVersion(program.program_id, 1, questionnaire_from(Template.STANDARD), NOW)


def _submission(**changes: Any) -> Submission:
    base = Submission(
        employee_id="emp-1",
        name="Ada Lovelace",
        email="ada@example.com",
        department="engineering",
        manager_employee_id="emp-boss",
        answers=MENTEE_ANSWERS,
    )
    return replace(base, **changes)


def _decide(program: Program, submission: Submission, existing: Any = None) -> Any:
    checked = check_submission(program, _version(program), submission, {"m-1", "m-2"}, NOW)
    return decide(
        program_id=program.program_id,
        questionnaire_version=1,
        checked=checked,
        existing=existing,
        person=PERSON,
        new_participant_id="part-new",
        now=NOW,
    )


def test_a_first_registration_is_registered(open_program: Program) -> None:
    decision = _decide(open_program, _submission())
    assert decision.change is Change.REGISTERED
    assert isinstance(decision.event, ParticipantRegistered)
    assert decision.event.participant_id == "part-new"
    assert decision.event.person_id == "person-1"
    assert decision.event.reporting_line == ("person-boss",)
    assert decision.event.department == "engineering"
    assert "Ada" not in decision.event.model_dump_json()
    assert "ada@example.com" not in decision.event.model_dump_json()


def test_registering_again_updates_or_changes_nothing(open_program: Program) -> None:
    first = _decide(open_program, _submission()).registration
    later = NOW + timedelta(days=1)

    same = _decide(open_program, _submission(), existing=first)
    assert same.change is Change.UNCHANGED
    assert same.event is None

    changed = _decide(open_program, _submission(answers=MENTOR_ANSWERS), existing=first)
    assert changed.change is Change.UPDATED
    assert isinstance(changed.event, ParticipantUpdated)
    assert changed.registration.participant_id == "part-new"
    assert changed.registration.registered_at == first.registered_at
    assert changed.event.role == "mentor"
    assert later > NOW


def test_registering_after_withdrawing_registers_anew(open_program: Program) -> None:
    first = _decide(open_program, _submission()).registration
    withdrawn, event = first.withdraw(NOW)
    assert withdrawn.status is Status.WITHDRAWN
    assert event is not None
    assert withdrawn.withdraw(NOW)[1] is None, "withdrawing twice emits nothing"

    again = _decide(open_program, _submission(), existing=withdrawn)
    assert again.change is Change.REGISTERED
    assert again.registration.participant_id == first.participant_id
    assert again.registration.status is Status.ACTIVE


def test_outside_the_window_is_refused(open_program: Program) -> None:
    closed = open_program.closed(NOW - timedelta(seconds=1))
    with pytest.raises(RegistrationRefusedError) as caught:
        _decide(closed, _submission())
    assert caught.value.code == "registration_closed"


def test_preferred_mentors_must_be_mentors_of_this_program(open_program: Program) -> None:
    assert _decide(open_program, _submission(preferred_mentors=("m-1",))).event is not None
    with pytest.raises(AnswersInvalidError, match="'m-9'"):
        _decide(open_program, _submission(preferred_mentors=("m-9",)))
    with pytest.raises(AnswersInvalidError, match="up to 3 different"):
        _decide(open_program, _submission(preferred_mentors=("m-1", "m-1")))
    with pytest.raises(AnswersInvalidError, match="only mentees choose"):
        _decide(open_program, _submission(answers=MENTOR_ANSWERS, preferred_mentors=("m-1",)))
    admin_led = replace(
        open_program,
        settings=open_program.settings.model_copy(update={"matching_mode": MatchingMode.ADMIN_LED}),
    )
    with pytest.raises(AnswersInvalidError, match="does not let mentees choose"):
        _decide(admin_led, _submission(preferred_mentors=("m-1",)))


def test_erasing_a_person_announces_each_of_their_registrations(open_program: Program) -> None:
    first = _decide(open_program, _submission()).registration
    other = replace(first, participant_id="part-other", program_id="prog-2")
    events = erase_person([first, other], NOW)
    assert [type(event) for event in events] == [ParticipantErased, ParticipantErased]
    assert {(e.participant_id, e.program_id) for e in events} == {
        ("part-new", "prog-1"),
        ("part-other", "prog-2"),
    }
    assert {e.person_id for e in events} == {"person-1"}
    assert erase_person([], NOW) == ()


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Sales EMEA", "sales_emea"),
        ("  R&D / Platform ", "r_d_platform"),
        ("Ventes — Québec", "ventes_quebec"),
        ("!!!", None),
    ],
)
def test_departments_become_stable_keys(raw: str, key: str | None) -> None:
    assert normalise_department(raw) == key


def test_answers_checked_ahead_are_used_for_their_version_only(open_program: Program) -> None:
    version = _version(open_program)
    submission = _submission()
    ahead = check_submission_answers(version, submission)
    assert ahead.questionnaire_version == 1
    assert check_submission(open_program, version, submission, set(), NOW, checked=ahead) == (
        check_submission(open_program, version, submission, set(), NOW)
    )

    stale = replace(ahead, answers={"role": "not what was submitted"})
    newer = replace(version, version=2)
    rechecked = check_submission(open_program, newer, submission, set(), NOW, checked=stale)
    assert rechecked.answers == ahead.answers, "another version's answers are checked again"


def test_answers_checked_ahead_still_meet_the_picks_rules(open_program: Program) -> None:
    version = _version(open_program)
    submission = _submission(preferred_mentors=("m-unknown",))
    ahead = check_submission_answers(version, submission)
    with pytest.raises(AnswersInvalidError, match="not mentors in this program"):
        check_submission(open_program, version, submission, {"m-1"}, NOW, checked=ahead)
