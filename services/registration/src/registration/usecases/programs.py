"""Program management: create, revise, close registration, version the questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from pydantic import ValidationError

from mentorship_contracts.types import ProgramLifecycle, RegistrationStatus, utc_now
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from registration.adapters.invitations import InvitationRepository
from registration.adapters.organisation import OrganisationRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.domain.access import AccessPreview, ParticipantAccess, preview
from registration.domain.launch import (
    LaunchFacts,
    LaunchStep,
    StepState,
    check_reviewable,
    launch_steps,
)
from registration.domain.programs import (
    AgendaItem,
    Program,
    ProgramDecision,
    ProgramSettings,
    QuestionnaireVersion,
    ReadBack,
)
from registration.domain.question_pool import add_from_pool, pool
from registration.domain.questionnaire import (
    Questionnaire,
    QuestionnaireChanges,
    changes_between,
)
from registration.domain.template import Template, questionnaire_from
from registration.usecases.errors import (
    ProgramInvalidError,
    program_not_found,
    questionnaire_version_not_found,
)


class ProgramService:
    """Programs and their questionnaires; every change is announced with the new state."""

    def __init__(
        self,
        transactor: Transactor,
        programs: ProgramRepository,
        organisation: OrganisationRepository,
        people: PeopleDirectory,
        invitations: InvitationRepository,
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._organisation = organisation
        self._people = people
        self._invitations = invitations

    async def create(
        self,
        settings: ProgramSettings,
        template: Template,
        lifecycle: ProgramLifecycle = ProgramLifecycle.REGISTRATION_OPEN,
        creator: Principal | None = None,
    ) -> Program:
        """A new program whose questionnaire starts from ``template``.

        Admins create programs for anyone; a program manager (``creator`` holding the
        program-manager role) creates programs they manage: they join its managers.

        Raises:
            ForbiddenError: the creator is neither an admin nor a program manager.
            LifecycleError: a program cannot start in ``lifecycle``.
        """
        if creator is not None and not creator.is_admin:
            if not creator.is_program_manager or creator.employee_id is None:
                msg = "Creating a program needs the admin role or the program-manager role."
                raise ForbiddenError(msg)
            if creator.employee_id not in settings.managers:
                settings = settings.model_copy(
                    update={"managers": (*settings.managers, creator.employee_id)}
                )
        program_id = _new_program_id()

        async def work(tx: Transaction) -> Program:
            questionnaire = questionnaire_from(template, await self._organisation.choices(tx))
            decision = Program.start(
                program_id,
                settings,
                questionnaire,
                tx.now,
                lifecycle=lifecycle,
                person_ids=self._people.person_id,
            )
            return await self._apply(None, decision, tx)

        return await self._transactor.run(work)

    async def next_cohort(self, program_id: str, changes: Mapping[str, Any]) -> Program:
        """A draft for a program's next cohort.

        It keeps the program's questionnaire, matching settings, access and agenda, with
        ``changes`` (its name and dates) applied to the settings.

        Raises:
            CodedNotFoundError: program_not_found.
            ProgramInvalidError: the settings with ``changes`` break the policy.
        """
        cohort_id = _new_program_id()

        async def work(tx: Transaction) -> Program:
            source = await self._existing(program_id, tx)
            settings = _settings(source.settings.model_dump() | dict(changes))
            current = await self._programs.version(program_id, source.questionnaire_version, tx)
            assert current is not None, "a program always has its current version"
            decision = source.next_cohort(
                cohort_id,
                settings,
                current.questionnaire,
                tx.now,
                person_ids=self._people.person_id,
            )
            return await self._apply(None, decision, tx)

        return await self._transactor.run(work)

    async def transition(self, program_id: str, to: ProgramLifecycle) -> Program:
        """Move a program along its lifecycle.

        Raises:
            CodedNotFoundError: program_not_found.
            LifecycleError: the move is not allowed now.
        """

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            current = await self._programs.version(program_id, program.questionnaire_version, tx)
            assert current is not None, "a program always has its current version"
            return await self._apply(
                program, program.transition(to, current.questionnaire, tx.now), tx
            )

        return await self._transactor.run(work)

    async def set_access(self, program_id: str, access: ParticipantAccess) -> Program:
        """Who may register for a program (not announced: rules name people)."""

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            changed = program.with_access(access, tx.now)
            await self._programs.save(changed, tx)
            return changed

        return await self._transactor.run(work)

    async def preview_access(
        self, program_id: str, access: ParticipantAccess | None = None
    ) -> AccessPreview:
        """How many people ``access`` (the program's own by default) lets register."""
        program = await self.get(program_id)
        return preview(access or program.access, await self._people.every_entry())

    async def set_agenda(self, program_id: str, agenda: list[AgendaItem]) -> Program:
        """The sessions' planned content."""

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            changed = program.with_agenda(agenda, tx.now)
            await self._programs.save(changed, tx)
            return changed

        return await self._transactor.run(work)

    async def mark_reviewed(self, program_id: str, step: LaunchStep) -> list[StepState]:
        """Mark a review step of the launch checklist done; the checklist after it.

        Raises:
            StepNotReviewableError: the step is done by doing it.
        """
        check_reviewable(step)

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            changed = program.with_step_reviewed(step.value, tx.now)
            await self._programs.save(changed, tx)
            return changed

        await self._transactor.run(work)
        return await self.launch(program_id)

    async def launch(self, program_id: str) -> list[StepState]:
        """The launch checklist of a program."""
        program = await self.get(program_id)
        current = await self._programs.version(program_id, program.questionnaire_version)
        assert current is not None, "a program always has its current version"
        facts = LaunchFacts(
            questionnaire=current.questionnaire,
            invitations=await self._invitations.count(program_id),
            eligible=preview(program.access, await self._people.every_entry()).eligible,
        )
        return launch_steps(program, facts)

    async def import_questionnaire(
        self, program_id: str, source_program_id: str, version: int | None
    ) -> QuestionnaireVersion:
        """Copy another program's questionnaire as this program's next version.

        The source's current version is copied, or ``version``.

        Raises:
            CodedNotFoundError: program_not_found, questionnaire_version_not_found.
        """
        source = await self.questionnaire(source_program_id, version)
        return await self.replace_questionnaire(program_id, source.questionnaire)

    async def add_pool_questions(self, program_id: str, keys: list[str]) -> QuestionnaireVersion:
        """Append questions of the organisation's pool to a program's questionnaire.

        Raises:
            CodedNotFoundError: program_not_found.
            PoolError: a key is unknown, already asked, or the result is not valid.
        """
        available = {
            item.question.key: item
            for item in pool(
                await self._organisation.choices(), await self._organisation.custom_questions()
            )
        }
        current = await self.questionnaire(program_id, None)
        extended = add_from_pool(current.questionnaire, available, keys)
        return await self.replace_questionnaire(
            program_id, extended, ReadBack(version=current.version)
        )

    async def get(self, program_id: str) -> Program:
        """One program.

        Raises:
            CodedNotFoundError: program_not_found.
        """
        program = await self._programs.get(program_id)
        if program is None:
            raise program_not_found(program_id)
        return program

    async def page(
        self,
        status: RegistrationStatus | None,
        after: str | None,
        limit: int,
        only: frozenset[str] | None = None,
    ) -> list[Program]:
        """Programs in id order, optionally by registration status and among ``only``."""
        return await self._programs.page(
            status=status, now=utc_now(), after=after, limit=limit, only=only
        )

    async def managers_of(self, program_id: str) -> tuple[str, ...]:
        """The person ids of a program's managers (none for an unknown program)."""
        program = await self._programs.get(program_id)
        return program.manager_person_ids if program else ()

    async def managed_by(self, principal: Principal) -> frozenset[str] | None:
        """The programs ``principal`` manages; None for an admin (every program)."""
        if principal.is_admin:
            return None
        listed = (
            await self._programs.managed_by(principal.person_id) if principal.person_id else set()
        )
        return frozenset(listed) | principal.managed_programs

    async def revise(self, program_id: str, changes: Mapping[str, Any]) -> Program:
        """Apply a partial change of settings, checked as a whole.

        Raises:
            CodedNotFoundError: program_not_found.
            ProgramInvalidError: the settings with ``changes`` break the policy (by setting).
        """

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            settings = _settings(program.settings.model_dump() | dict(changes))
            return await self._apply(
                program, program.revise(settings, tx.now, person_ids=self._people.person_id), tx
            )

        return await self._transactor.run(work)

    async def close_registration(self, program_id: str) -> Program:
        """Stop taking registrations now (idempotent)."""

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            return await self._apply(program, program.close_registration(tx.now), tx)

        return await self._transactor.run(work)

    async def questionnaire(self, program_id: str, version: int | None) -> QuestionnaireVersion:
        """The current (or a given) version of a program's questionnaire.

        Raises:
            CodedNotFoundError: program_not_found, questionnaire_version_not_found.
        """
        program = await self.get(program_id)
        wanted = version or program.questionnaire_version
        found = await self._programs.version(program_id, wanted)
        if found is None:
            raise questionnaire_version_not_found(program_id, program.questionnaire_version, wanted)
        return found

    async def questionnaire_versions(
        self, program_id: str
    ) -> list[tuple[QuestionnaireVersion, QuestionnaireChanges]]:
        """Every version of a program's questionnaire, newest first, with what it changed.

        Raises:
            CodedNotFoundError: program_not_found.
        """
        await self.get(program_id)
        versions = await self._programs.versions(program_id)
        earlier: list[QuestionnaireVersion | None] = [None, *versions[:-1]]
        listed = [
            (
                version,
                changes_between(before.questionnaire if before else None, version.questionnaire),
            )
            for before, version in zip(earlier, versions, strict=True)
        ]
        return listed[::-1]

    async def replace_questionnaire(
        self, program_id: str, questionnaire: Questionnaire, read_back: ReadBack | None = None
    ) -> QuestionnaireVersion:
        """Store ``questionnaire`` as the program's next version.

        Earlier versions stay: registrations keep the answers they gave to the version
        they answered. ``read_back`` holds the read-only fields of the version the edit
        started from, when the caller sent them back.

        Raises:
            CodedNotFoundError: program_not_found.
            ReadOnlyFieldsError: ``read_back`` is not the current version's.
        """

        async def work(tx: Transaction) -> QuestionnaireVersion:
            program = await self._existing(program_id, tx)
            if read_back is not None:
                current = await self._programs.version(
                    program_id, program.questionnaire_version, tx
                )
                assert current is not None, "a program always has its current version"
                current.check_read_back(read_back)
            decision = program.replace_questionnaire(questionnaire, tx.now)
            await self._apply(program, decision, tx)
            assert decision.new_version is not None
            return decision.new_version

        return await self._transactor.run(work)

    async def apply_template(self, program_id: str, template: Template) -> QuestionnaireVersion:
        """Replace the questionnaire with a fresh copy of ``template``.

        The standard template offers the organisation's offices, time zones and languages.
        """
        lists = await self._organisation.choices()
        return await self.replace_questionnaire(program_id, questionnaire_from(template, lists))

    async def _existing(self, program_id: str, tx: Transaction) -> Program:
        program = await self._programs.get(program_id, tx)
        if program is None:
            raise program_not_found(program_id)
        return program

    async def _apply(
        self, before: Program | None, decision: ProgramDecision, tx: Transaction
    ) -> Program:
        """Store what ``decision`` changed and stage the events it caused."""
        if decision.new_version is not None:
            await self._programs.add_version(decision.new_version, tx)
        if decision.program is not before:
            await self._programs.save(decision.program, tx)
        for event in decision.events:
            tx.emit(event)
        return decision.program


def _new_program_id() -> str:
    return f"prog-{uuid4().hex[:16]}"


def _settings(values: Mapping[str, Any]) -> ProgramSettings:
    """Settings checked as a whole.

    Raises:
        ProgramInvalidError: they break the policy (each problem by setting).
    """
    try:
        return ProgramSettings.model_validate(values)
    except ValidationError as error:
        raise ProgramInvalidError(
            [
                (".".join(map(str, item["loc"])), item["msg"])
                for item in error.errors(include_url=False)
            ]
        ) from None
