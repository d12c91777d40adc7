"""A person's registration for a program: deciding it, changing it, and its events."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
)
from mentorship_contracts.types import MatchingMode, ParticipantRole, WithdrawalReason
from registration.domain.directory import slug
from registration.domain.profile import MatchingInputs, matching_inputs
from registration.domain.programs import Program, QuestionnaireVersion
from registration.domain.questionnaire import (
    AnswerProblem,
    AnswersInvalidError,
    AnswerValue,
    check_answers,
)

MAX_PREFERRED_MENTORS = 3


class RegistrationRefusedError(Exception):
    """The program does not take this registration now (e.g. outside its window)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AccessRefusedError(Exception):
    """The program's participant access does not let this person register."""

    def __init__(self, employee_id: str, message: str) -> None:
        super().__init__(message)
        self.employee_id = employee_id
        self.message = message


class Status(StrEnum):
    """Whether a registration takes part."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Change(StrEnum):
    """What a registration decision changed."""

    REGISTERED = "registered"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def normalise_department(name: str | None) -> str | None:
    """A department as a stable key: "Sales EMEA" -> "sales_emea"."""
    return slug(name)


@dataclass(frozen=True, slots=True)
class Submission:
    """What a person (or an admin, or a CSV row) submits to register or update."""

    employee_id: str
    name: str
    email: str
    department: str | None
    manager_employee_id: str | None
    answers: Mapping[str, Any]
    preferred_mentors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Registration:
    """One person's registration for one program, with their personal data."""

    participant_id: str
    program_id: str
    employee_id: str
    person_id: str
    name: str
    email: str
    department: str | None
    manager_employee_id: str | None
    reporting_line: tuple[str, ...]
    answers: dict[str, AnswerValue]
    questionnaire_version: int
    inputs: MatchingInputs
    status: Status
    registered_at: datetime
    updated_at: datetime
    withdrew_at: datetime | None = None

    @property
    def role(self) -> ParticipantRole:
        """Mentor, mentee or both, as answered."""
        return self.inputs.role

    @property
    def capacity(self) -> int:
        """Mentees this participant takes on (0 for mentees)."""
        return self.inputs.capacity

    @property
    def preferred_mentors(self) -> tuple[str, ...]:
        """The mentors this participant picked, best first."""
        return self.inputs.profile.preferred_mentors

    def registered(self) -> ParticipantRegistered:
        """The event announcing this registration."""
        return ParticipantRegistered.model_validate(
            self._state() | {"registered_at": self.registered_at}
        )

    def updated(self) -> ParticipantUpdated:
        """The event announcing this registration's new state."""
        return ParticipantUpdated.model_validate(self._state() | {"updated_at": self.updated_at})

    def withdraw(
        self, now: datetime, reason: WithdrawalReason = WithdrawalReason.PARTICIPANT_REQUEST
    ) -> tuple[Registration, ParticipantWithdrew | None]:
        """This registration withdrawn (no event when it already was)."""
        if self.status is Status.WITHDRAWN:
            return self, None
        withdrawn = replace(self, status=Status.WITHDRAWN, withdrew_at=now, updated_at=now)
        event = ParticipantWithdrew(
            participant_id=self.participant_id,
            program_id=self.program_id,
            withdrew_at=now,
            reason=reason,
        )
        return withdrawn, event

    def erased(self, now: datetime) -> ParticipantErased:
        """The event telling every service to forget this registration's person."""
        return ParticipantErased(
            participant_id=self.participant_id,
            program_id=self.program_id,
            person_id=self.person_id,
            erased_at=now,
        )

    def _state(self) -> dict[str, object]:
        return {
            "participant_id": self.participant_id,
            "program_id": self.program_id,
            "person_id": self.person_id,
            "role": self.inputs.role,
            "capacity": self.inputs.capacity,
            "department": self.department,
            "reporting_line": self.reporting_line,
            "profile": self.inputs.profile,
            "choice_answers": self.inputs.choice_answers,
            "questionnaire_version": self.questionnaire_version,
        }

    def same_submission(self, other: Registration) -> bool:
        """Whether ``other`` says the same as this registration (ids and dates aside)."""
        return (
            self.name,
            self.email,
            self.department,
            self.manager_employee_id,
            self.reporting_line,
            self.answers,
            self.questionnaire_version,
            self.inputs,
        ) == (
            other.name,
            other.email,
            other.department,
            other.manager_employee_id,
            other.reporting_line,
            other.answers,
            other.questionnaire_version,
            other.inputs,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """The registration to store and the event to publish with it."""

    registration: Registration
    change: Change
    event: IntegrationEvent | None


@dataclass(frozen=True, slots=True)
class Person:
    """Who a submission is from, as the people directory knows them.

    ``department`` is the directory's when SCIM or the HRIS import described the person, the
    submission's otherwise.
    """

    person_id: str
    reporting_line: tuple[str, ...]
    department: str | None


@dataclass(frozen=True, slots=True)
class CheckedSubmission:
    """A submission whose answers and picks were accepted, normalised for matching."""

    submission: Submission
    answers: dict[str, AnswerValue]
    inputs: MatchingInputs


@dataclass(frozen=True, slots=True)
class CheckedAnswers:
    """A submission's answers accepted by one questionnaire version, normalised for matching.

    They depend on nothing but the submission and that (immutable) version, so a bulk import
    can check a chunk's answers before its transaction, while the previous chunk's commits.
    """

    questionnaire_version: int
    answers: dict[str, AnswerValue]
    inputs: MatchingInputs


@dataclass(frozen=True, slots=True)
class PrecheckedAnswers:
    """The answers of a batch's submissions, in order, each checked or refused by one version."""

    questionnaire_version: int
    results: tuple[CheckedAnswers | AnswersInvalidError, ...]


def check_submission_answers(
    questionnaire: QuestionnaireVersion, submission: Submission
) -> CheckedAnswers:
    """The submission's answers checked against ``questionnaire``.

    Raises:
        AnswersInvalidError: an answer is not acceptable.
    """
    answers = check_answers(questionnaire.questionnaire, submission.answers)
    inputs = matching_inputs(questionnaire.questionnaire, answers, submission.preferred_mentors)
    return CheckedAnswers(questionnaire.version, answers, inputs)


def check_submission(
    program: Program,
    questionnaire: QuestionnaireVersion,
    submission: Submission,
    known_mentors: Collection[str],
    now: datetime,
    *,
    checked: CheckedAnswers | None = None,
) -> CheckedSubmission:
    """Accept a submission for ``program`` at ``now``, or say why not.

    ``checked``: its answers, already checked (used when checked against ``questionnaire``).

    Raises:
        RegistrationRefusedError: the program does not take registrations now.
        AnswersInvalidError: an answer or a preferred mentor is not acceptable.
    """
    refusal = program.registration_refusal(now)
    if refusal is not None:
        raise RegistrationRefusedError(refusal.code, refusal.message)
    if checked is None or checked.questionnaire_version != questionnaire.version:
        checked = check_submission_answers(questionnaire, submission)
    _check_preferred_mentors(program, submission, checked.inputs, known_mentors)
    return CheckedSubmission(submission, checked.answers, checked.inputs)


def decide(
    *,
    program_id: str,
    questionnaire_version: int,
    checked: CheckedSubmission,
    existing: Registration | None,
    person: Person,
    new_participant_id: str,
    now: datetime,
) -> Decision:
    """Register a checked submission, or update ``existing``: idempotent per employee.

    Registering again after withdrawing registers anew (same participant id).
    """
    submission = checked.submission
    candidate = Registration(
        participant_id=existing.participant_id if existing else new_participant_id,
        program_id=program_id,
        employee_id=submission.employee_id,
        person_id=person.person_id,
        name=submission.name,
        email=submission.email,
        department=person.department,
        manager_employee_id=submission.manager_employee_id,
        reporting_line=person.reporting_line,
        answers=checked.answers,
        questionnaire_version=questionnaire_version,
        inputs=checked.inputs,
        status=Status.ACTIVE,
        registered_at=now,
        updated_at=now,
    )
    if existing is None or existing.status is Status.WITHDRAWN:
        return Decision(candidate, Change.REGISTERED, candidate.registered())
    if existing.same_submission(candidate):
        return Decision(existing, Change.UNCHANGED, None)
    updated = replace(candidate, registered_at=existing.registered_at)
    return Decision(updated, Change.UPDATED, updated.updated())


def leave_programs(
    registrations: Sequence[Registration], now: datetime
) -> list[tuple[Registration, ParticipantWithdrew]]:
    """Decide that a person left the organisation: withdrawn from each open program.

    ``registrations`` are their registrations in programs that are not closed; each active
    one is withdrawn with reason ``left_organisation`` (nothing is erased).
    """
    withdrawn = [
        registration.withdraw(now, WithdrawalReason.LEFT_ORGANISATION)
        for registration in registrations
    ]
    return [(registration, event) for registration, event in withdrawn if event is not None]


def erase_person(
    registrations: Sequence[Registration], now: datetime
) -> tuple[ParticipantErased, ...]:
    """Decide a person's erasure: each of their registrations is announced as erased.

    ``registrations`` are every registration of the person (in any program); each other
    service forgets the person when it reads the event.
    """
    return tuple(registration.erased(now) for registration in registrations)


def _check_preferred_mentors(
    program: Program,
    submission: Submission,
    inputs: MatchingInputs,
    known_mentors: Collection[str],
) -> None:
    picks = submission.preferred_mentors
    if not picks:
        return
    field = "preferred_mentors"
    problems: list[AnswerProblem] = []
    if program.settings.matching_mode is MatchingMode.ADMIN_LED:
        problems.append(AnswerProblem(field, "this program does not let mentees choose mentors"))
    if inputs.role is ParticipantRole.MENTOR:
        problems.append(AnswerProblem(field, "only mentees choose mentors"))
    if len(picks) > MAX_PREFERRED_MENTORS or len(set(picks)) != len(picks):
        problems.append(AnswerProblem(field, "choose up to 3 different mentors"))
    unknown = [pick for pick in picks if pick not in known_mentors]
    if unknown:
        problems.append(AnswerProblem(field, f"{unknown} are not mentors in this program"))
    if problems:
        raise AnswersInvalidError(problems)
