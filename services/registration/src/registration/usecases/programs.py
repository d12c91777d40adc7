"""Program management: create, revise, close registration, version the questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from pydantic import ValidationError

from mentorship_contracts.types import RegistrationStatus, utc_now
from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.programs import ProgramRepository
from registration.domain.programs import (
    Program,
    ProgramDecision,
    ProgramSettings,
    QuestionnaireVersion,
    ReadBack,
)
from registration.domain.questionnaire import Questionnaire
from registration.domain.template import Template, questionnaire_from
from registration.usecases.errors import (
    ProgramInvalidError,
    program_not_found,
    questionnaire_version_not_found,
)


class ProgramService:
    """Programs and their questionnaires; every change is announced with the new state."""

    def __init__(self, transactor: Transactor, programs: ProgramRepository) -> None:
        self._transactor = transactor
        self._programs = programs

    async def create(self, settings: ProgramSettings, template: Template) -> Program:
        """A new program whose questionnaire starts from ``template``."""
        program_id = f"prog-{uuid4().hex[:16]}"

        async def work(tx: Transaction) -> Program:
            decision = Program.start(program_id, settings, questionnaire_from(template), tx.now)
            return await self._apply(None, decision, tx)

        return await self._transactor.run(work)

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
        self, status: RegistrationStatus | None, after: str | None, limit: int
    ) -> list[Program]:
        """Programs in id order, optionally by registration status."""
        return await self._programs.page(status=status, now=utc_now(), after=after, limit=limit)

    async def revise(self, program_id: str, changes: Mapping[str, Any]) -> Program:
        """Apply a partial change of settings, checked as a whole.

        Raises:
            CodedNotFoundError: program_not_found.
            ProgramInvalidError: the settings with ``changes`` break the policy (by setting).
        """

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            try:
                settings = ProgramSettings.model_validate(
                    program.settings.model_dump() | dict(changes)
                )
            except ValidationError as error:
                raise ProgramInvalidError(
                    [
                        (".".join(map(str, item["loc"])), item["msg"])
                        for item in error.errors(include_url=False)
                    ]
                ) from None
            return await self._apply(program, program.revise(settings, tx.now), tx)

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
        """Replace the questionnaire with a fresh copy of ``template``."""
        return await self.replace_questionnaire(program_id, questionnaire_from(template))

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
