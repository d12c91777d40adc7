"""Registering, updating and withdrawing: state and events committed together.

One code path serves a single request and a CSV chunk: every submission is checked before
anything is written, then the chunk's people, registrations and events are written in one
transaction with a handful of round trips whatever the chunk's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.domain.programs import Program, QuestionnaireVersion
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import (
    CheckedSubmission,
    Decision,
    Registration,
    Status,
    Submission,
    check_submission,
    decide,
)
from registration.usecases.errors import program_not_found, registration_not_found


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one submission of a batch."""

    submission: Submission
    decision: Decision | None = None
    problems: AnswersInvalidError | None = None


class RegistrationService:
    """Registers people for programs; registering again updates, never duplicates."""

    def __init__(
        self,
        transactor: Transactor,
        programs: ProgramRepository,
        registrations: RegistrationRepository,
        people: PeopleDirectory,
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._registrations = registrations
        self._people = people

    async def register(self, program_id: str, submission: Submission) -> Decision:
        """Register (or update) one person; invalid answers store nothing.

        Raises:
            CodedNotFoundError: program_not_found.
            RegistrationRefusedError: outside the registration window.
            AnswersInvalidError: the answers do not fit the questionnaire.
        """

        async def work(tx: Transaction) -> Decision:
            [outcome] = await self.register_batch(program_id, [submission], tx)
            if outcome.problems is not None:
                raise outcome.problems
            assert outcome.decision is not None
            return outcome.decision

        return await self._transactor.run(work, retry_on_duplicate_key=True)

    async def update(self, program_id: str, submission: Submission) -> Decision:
        """Change an existing registration's answers.

        Raises:
            CodedNotFoundError: registration_not_found, program_not_found.
        """
        if await self._registrations.get(program_id, submission.employee_id) is None:
            raise registration_not_found(program_id, submission.employee_id)
        return await self.register(program_id, submission)

    async def register_batch(
        self, program_id: str, submissions: Sequence[Submission], tx: Transaction
    ) -> list[Outcome]:
        """Register many people in one transaction; each valid one is stored and announced."""
        program, questionnaire = await self._program(program_id, tx)
        picks = {pick for submission in submissions for pick in submission.preferred_mentors}
        mentors = await self._registrations.active_mentors(program_id, picks, tx)
        outcomes: dict[int, Outcome] = {}
        checked: list[tuple[int, CheckedSubmission]] = []
        for index, submission in enumerate(submissions):
            try:
                item = check_submission(program, questionnaire, submission, mentors, tx.now)
            except AnswersInvalidError as problems:
                outcomes[index] = Outcome(submission, problems=problems)
            else:
                checked.append((index, item))
        if checked:
            decisions = await self._store([item for _, item in checked], program, questionnaire, tx)
            outcomes |= {
                index: Outcome(item.submission, decision=decision)
                for (index, item), decision in zip(checked, decisions, strict=True)
            }
        return [outcomes[index] for index in range(len(submissions))]

    async def _store(
        self,
        checked: Sequence[CheckedSubmission],
        program: Program,
        questionnaire: QuestionnaireVersion,
        tx: Transaction,
    ) -> list[Decision]:
        """Decide every checked submission, then write and announce them together."""
        employees = [item.submission.employee_id for item in checked]
        people = await self._people.resolve(
            {item.submission.employee_id: item.submission.manager_employee_id for item in checked},
            tx,
        )
        existing = await self._registrations.by_employees(program.program_id, employees, tx)
        decisions = [
            decide(
                program_id=program.program_id,
                questionnaire_version=questionnaire.version,
                checked=item,
                existing=existing.get(item.submission.employee_id),
                person=people[item.submission.employee_id],
                new_participant_id=uuid4().hex,
                now=tx.now,
            )
            for item in checked
        ]
        changed = [decision for decision in decisions if decision.event is not None]
        await self._registrations.insert_all(
            [d.registration for d in changed if d.registration.employee_id not in existing], tx
        )
        await self._registrations.save_all(
            [d.registration for d in changed if d.registration.employee_id in existing], tx
        )
        for decision in changed:
            assert decision.event is not None
            tx.emit(decision.event)
        return decisions

    async def _program(
        self, program_id: str, tx: Transaction
    ) -> tuple[Program, QuestionnaireVersion]:
        program = await self._programs.get(program_id, tx)
        if program is None:
            raise program_not_found(program_id)
        version = await self._programs.version(program_id, program.questionnaire_version, tx)
        assert version is not None, "a program always has its current questionnaire version"
        return program, version

    async def page(
        self, program_id: str, status: Status | None, after: str | None, limit: int
    ) -> list[Registration]:
        """A program's registrations in employee-id order.

        Raises:
            CodedNotFoundError: program_not_found.
        """
        if await self._programs.get(program_id) is None:
            raise program_not_found(program_id)
        return await self._registrations.page(program_id, status=status, after=after, limit=limit)

    async def get(self, program_id: str, employee_id: str) -> Registration:
        """One registration.

        Raises:
            CodedNotFoundError: registration_not_found.
        """
        registration = await self._registrations.get(program_id, employee_id)
        if registration is None:
            raise registration_not_found(program_id, employee_id)
        return registration

    async def withdraw(self, program_id: str, employee_id: str) -> Registration:
        """Withdraw a registration; withdrawing twice changes nothing.

        Raises:
            CodedNotFoundError: registration_not_found.
        """

        async def work(tx: Transaction) -> Registration:
            registration = await self._registrations.get(program_id, employee_id, tx)
            if registration is None:
                raise registration_not_found(program_id, employee_id)
            withdrawn, event = registration.withdraw(tx.now)
            if event is not None:
                await self._registrations.save_all([withdrawn], tx)
                tx.emit(event)
            return withdrawn

        return await self._transactor.run(work)
