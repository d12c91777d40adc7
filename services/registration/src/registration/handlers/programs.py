"""Program management: create, revise, close registration, version the questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from pydantic import ValidationError

from mentorship_contracts.types import RegistrationStatus, utc_now
from mentorship_kit.http_errors import ApiError, FieldProblem
from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.programs import ProgramRepository
from registration.domain.programs import Program, ProgramSettings, QuestionnaireVersion
from registration.domain.questionnaire import Questionnaire
from registration.domain.template import Template, questionnaire_from
from registration.handlers.registering import program_not_found


def settings_invalid(error: ValidationError) -> ApiError:
    """A 422 naming each invalid setting."""
    problems = [
        FieldProblem(".".join(("body", *map(str, item["loc"]))), item["msg"])
        for item in error.errors(include_url=False)
    ]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    return ApiError(422, "validation_failed", f"The program is invalid ({summary}).", problems)


class ProgramService:
    """Programs and their questionnaires; every change is announced with the new state."""

    def __init__(self, transactor: Transactor, programs: ProgramRepository) -> None:
        self._transactor = transactor
        self._programs = programs

    async def create(self, settings: ProgramSettings, template: Template) -> Program:
        """A new program whose questionnaire starts from ``template``."""
        program_id = f"prog-{uuid4().hex[:16]}"

        async def work(tx: Transaction) -> Program:
            questionnaire = questionnaire_from(template)
            program = Program.create(program_id, settings, questionnaire, tx.now)
            await self._programs.save(program, tx)
            await self._programs.add_version(
                QuestionnaireVersion(program_id, 1, questionnaire, tx.now), tx
            )
            tx.emit(program.created_event(tx.now))
            return program

        return await self._transactor.run(work)

    async def get(self, program_id: str) -> Program:
        """One program (404 when unknown)."""
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
        """Apply a partial change of settings, checked as a whole (422 naming the field)."""

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            try:
                settings = ProgramSettings.model_validate(
                    program.settings.model_dump() | dict(changes)
                )
            except ValidationError as error:
                raise settings_invalid(error) from None
            revised, changed = program.revised(settings, tx.now)
            if changed:
                await self._programs.save(revised, tx)
                tx.emit(revised.updated_event(tx.now, changed))
            return revised

        return await self._transactor.run(work)

    async def close_registration(self, program_id: str) -> Program:
        """Stop taking registrations now (idempotent)."""

        async def work(tx: Transaction) -> Program:
            program = await self._existing(program_id, tx)
            if program.registration_closed_at is not None:
                return program
            closed = program.closed(tx.now)
            await self._programs.save(closed, tx)
            tx.emit(closed.updated_event(tx.now, ("registration_status",)))
            return closed

        return await self._transactor.run(work)

    async def questionnaire(self, program_id: str, version: int | None) -> QuestionnaireVersion:
        """The current (or a given) version of a program's questionnaire."""
        program = await self.get(program_id)
        wanted = version or program.questionnaire_version
        found = await self._programs.version(program_id, wanted)
        if found is None:
            raise ApiError(
                404,
                "questionnaire_version_not_found",
                f"Program {program_id} has questionnaire versions 1 to "
                f"{program.questionnaire_version}, not {wanted}.",
            )
        return found

    async def replace_questionnaire(
        self, program_id: str, questionnaire: Questionnaire
    ) -> QuestionnaireVersion:
        """Store ``questionnaire`` as the program's next version.

        Earlier versions stay: registrations keep the answers they gave to the version
        they answered.
        """

        async def work(tx: Transaction) -> QuestionnaireVersion:
            program = await self._existing(program_id, tx)
            version = QuestionnaireVersion(
                program_id, program.questionnaire_version + 1, questionnaire, tx.now
            )
            await self._programs.add_version(version, tx)
            revised, changed = program.with_questionnaire(version, tx.now)
            await self._programs.save(revised, tx)
            if changed:
                tx.emit(revised.updated_event(tx.now, changed))
            return version

        return await self._transactor.run(work)

    async def apply_template(self, program_id: str, template: Template) -> QuestionnaireVersion:
        """Replace the questionnaire with a fresh copy of ``template``."""
        return await self.replace_questionnaire(program_id, questionnaire_from(template))

    async def _existing(self, program_id: str, tx: Transaction) -> Program:
        program = await self._programs.get(program_id, tx)
        if program is None:
            raise program_not_found(program_id)
        return program
