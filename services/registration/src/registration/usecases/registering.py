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
from registration.adapters.invitations import InvitationRepository
from registration.adapters.metrics import RegistrationMetrics
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.domain.directory import (
    DirectoryEntry,
    EntryChange,
    managers_above,
    new_entry,
    reporting_line,
)
from registration.domain.programs import Program, QuestionnaireVersion
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import (
    AccessRefusedError,
    Change,
    CheckedAnswers,
    CheckedSubmission,
    Decision,
    Person,
    PrecheckedAnswers,
    Registration,
    RegistrationRefusedError,
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
    refusal: AccessRefusedError | None = None


class RegistrationService:
    """Registers people for programs; registering again updates, never duplicates."""

    def __init__(
        self,
        transactor: Transactor,
        programs: ProgramRepository,
        registrations: RegistrationRepository,
        people: PeopleDirectory,
        invitations: InvitationRepository,
        *,
        metrics: RegistrationMetrics,
    ) -> None:
        self._metrics = metrics
        self._transactor = transactor
        self._programs = programs
        self._registrations = registrations
        self._people = people
        self._invitations = invitations

    async def register(self, program_id: str, submission: Submission) -> Decision:
        """Register (or update) one person; invalid answers store nothing.

        Raises:
            CodedNotFoundError: program_not_found.
            RegistrationRefusedError: outside the registration window.
            AccessRefusedError: the program's participant access leaves them out.
            AnswersInvalidError: the answers do not fit the questionnaire.
        """

        async def work(tx: Transaction) -> Decision:
            [outcome] = await self.register_batch(program_id, [submission], tx)
            if outcome.refusal is not None:
                raise outcome.refusal
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
        self,
        program_id: str,
        submissions: Sequence[Submission],
        tx: Transaction,
        prechecked: PrecheckedAnswers | None = None,
    ) -> list[Outcome]:
        """Register many people in one transaction; each valid one is stored and announced.

        ``prechecked``: the submissions' answers as `check_submission_answers` judged them
        before the transaction (used when against the program's current questionnaire).

        Raises:
            RegistrationRefusedError: the program does not take registrations now.
        """
        self._metrics.count_committed(tx)
        program, questionnaire = await self._program(program_id, tx)
        if (window := program.registration_refusal(tx.now)) is not None:
            raise RegistrationRefusedError(window.code, window.message)
        picks = {pick for submission in submissions for pick in submission.preferred_mentors}
        mentors = await self._registrations.active_mentors(program_id, picks, tx)
        entries = await self._people.load_with_chains(
            {s.employee_id for s in submissions}
            | {s.manager_employee_id for s in submissions if s.manager_employee_id},
            tx,
        )
        managers = {employee: entry.manager_employee_id for employee, entry in entries.items()}
        outcomes: dict[int, Outcome] = {}
        checked: list[tuple[int, CheckedSubmission]] = []
        early_answers = (
            prechecked.results
            if prechecked is not None and prechecked.questionnaire_version == questionnaire.version
            else ()
        )
        for index, submission in enumerate(submissions):
            employee = submission.employee_id
            refusal = program.access.refusal(
                employee, entries.get(employee), managers_above(employee, managers)
            )
            if refusal is not None:
                outcomes[index] = Outcome(submission, refusal=AccessRefusedError(employee, refusal))
                continue
            early = early_answers[index] if early_answers else None
            if isinstance(early, AnswersInvalidError):
                outcomes[index] = Outcome(submission, problems=early)
                continue
            try:
                item = check_submission(
                    program,
                    questionnaire,
                    submission,
                    mentors,
                    tx.now,
                    checked=early if isinstance(early, CheckedAnswers) else None,
                )
            except AnswersInvalidError as problems:
                outcomes[index] = Outcome(submission, problems=problems)
            else:
                checked.append((index, item))
        if checked:
            decisions = await self._store(
                [item for _, item in checked], program, questionnaire, entries, tx
            )
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
        entries: dict[str, DirectoryEntry],
        tx: Transaction,
    ) -> list[Decision]:
        """Decide every checked submission, then write and announce them together.

        The directory learns each registrant's manager and department when no directory
        source described them (the fallback), and every manager named who is not known yet.
        """
        employees = [item.submission.employee_id for item in checked]
        people = await self._fill_directory(checked, entries, tx)
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
        registered = [
            d.registration.employee_id for d in decisions if d.change is Change.REGISTERED
        ]
        if registered:
            invitations = await self._invitations.of_employees(program.program_id, registered, tx)
            await self._invitations.save_all(
                [invitation.registered(tx.now) for invitation in invitations.values()], tx
            )
        return decisions

    async def _fill_directory(
        self,
        checked: Sequence[CheckedSubmission],
        entries: dict[str, DirectoryEntry],
        tx: Transaction,
    ) -> dict[str, Person]:
        """Record what registrations say in the directory; who each registrant is.

        Entries the directory did not hold are inserted, the others replaced: an import of new
        people costs one plain bulk insert rather than an upsert per person.
        """
        person_ids = self._people.person_id
        stored = set(entries)
        changes: list[EntryChange] = []
        for item in checked:
            submission = item.submission
            employee = submission.employee_id
            entry = entries.get(employee) or new_entry(employee, person_ids)
            change = entry.registered(
                submission.manager_employee_id, submission.department, tx.now, person_ids
            )
            entries[employee] = change.entry
            changes.append(change)
        for item in checked:
            manager = item.submission.manager_employee_id
            if manager and manager not in entries:
                change = new_entry(manager, person_ids).registered(None, None, tx.now, person_ids)
                entries[manager] = change.entry
                changes.append(change)
        # ``entries`` holds the chains above every manager the submissions name (read by
        # `register_batch`), and the managers added here are new: nothing more to read.
        announced = [change for change in changes if change.event is not None]
        written = {change.entry.employee_id: change.entry for change in announced}
        await self._people.insert_all(
            [entry for employee, entry in written.items() if employee not in stored], tx
        )
        await self._people.save_all(
            [entry for employee, entry in written.items() if employee in stored], tx
        )
        for change in announced:
            assert change.event is not None
            tx.emit(change.event)
        managers = {employee: entry.manager_employee_id for employee, entry in entries.items()}

        def person_id(employee: str) -> str:
            known = entries.get(employee)
            return known.person_id if known else person_ids(employee)

        people: dict[str, Person] = {}
        for item in checked:
            employee = item.submission.employee_id
            entry = entries[employee]
            people[employee] = Person(
                person_id=entry.person_id,
                reporting_line=reporting_line(employee, managers, person_id),
                department=(
                    entry.department_key
                    if entry.described_by_directory
                    else item.submission.department
                ),
            )
        return people

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
