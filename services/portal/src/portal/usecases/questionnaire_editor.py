"""The questionnaire editor's use cases: questions added, edited, removed, previewed, versions.

Questions come from the organisation's pool or are written; the preview is the participant's
form; the versions list what each one changed.

Every save sends the whole questionnaire back with the version it was read at, so
registration stores it as the next version, or refuses it (409) when someone saved a
version in between; earlier versions never change (registrations keep their answers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError
from portal.adapters.api import parse
from portal.adapters.console import ProgramAdminApi
from portal.domain.console import ManagedProgram, SettingsInvalid, new_question, question_field
from portal.domain.models import Questionnaire
from portal.usecases.console import SettingsRefused
from portal.usecases.participant import Caller


@dataclass(frozen=True, slots=True)
class EditorPage:
    """The editor: the program, its current questionnaire, the pool questions not asked."""

    program: ManagedProgram
    questionnaire: dict[str, Any]
    pool: list[dict[str, Any]]
    pool_available: bool


@dataclass(frozen=True, slots=True)
class VersionPage:
    """One version as a participant would see it, and the one before it (if any)."""

    program: ManagedProgram
    version: dict[str, Any]
    form: Questionnaire
    before: dict[str, Any] | None
    summary: dict[str, Any] | None


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _refused(error: InvalidInputError) -> SettingsRefused:
    return SettingsRefused.of(error.problems, question_field)


class QuestionnaireEditor:
    """What the questionnaire editor does, through registration's API."""

    def __init__(self, programs: ProgramAdminApi) -> None:
        self._programs = programs

    async def page(self, caller: Caller, program_id: str) -> EditorPage:
        """The program, its questionnaire and the pool questions it does not ask yet."""
        program, questionnaire = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.questionnaire(caller.token, program_id),
        )
        try:
            pool = await self._programs.question_pool(caller.token)
        except (ForbiddenError, NotFoundError):
            return EditorPage(program, questionnaire, [], pool_available=False)
        asked = {question["key"] for question in questionnaire["questions"]}
        return EditorPage(
            program,
            questionnaire,
            [item for item in pool if item["question"]["key"] not in asked],
            pool_available=True,
        )

    async def _save(
        self, caller: Caller, program_id: str, read: dict[str, Any], questions: list[Any]
    ) -> int:
        edited = {**read, "questions": questions}
        try:
            saved = await self._programs.save_questionnaire(caller.token, program_id, edited)
        except InvalidInputError as refused:
            raise _refused(refused) from None
        return int(saved["version"])

    async def _read(self, caller: Caller, program_id: str, version: int | None) -> dict[str, Any]:
        """The current version, with ``version`` (the one the form was read at) kept as read.

        Registration then refuses the save (409) when another version came since.
        """
        current = await self._programs.questionnaire(caller.token, program_id)
        return current if version is None else {**current, "version": version}

    async def add_question(
        self,
        caller: Caller,
        program_id: str,
        values: dict[str, str],
        shown_if: Sequence[str],
        *,
        version: int | None = None,
    ) -> int:
        """Append a written question; the questionnaire's new version number."""
        try:
            question = new_question(values, shown_if)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        read = await self._read(caller, program_id, version)
        return await self._save(caller, program_id, read, [*read["questions"], question])

    async def edit_question(
        self,
        caller: Caller,
        program_id: str,
        key: str,
        values: dict[str, str],
        shown_if: Sequence[str],
        *,
        version: int | None = None,
    ) -> int:
        """Replace question ``key`` in place (its key kept, so stored answers stay its own).

        Raises:
            NotFoundError: no question ``key`` in the current version.
        """
        try:
            question = new_question(values | {"key": key}, shown_if)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        read = await self._read(caller, program_id, version)
        keys = [q["key"] for q in read["questions"]]
        if key not in keys:
            raise NotFoundError(f"no question {key}")
        questions = list(read["questions"])
        questions[keys.index(key)] = question
        return await self._save(caller, program_id, read, questions)

    async def remove_question(
        self, caller: Caller, program_id: str, key: str, version: int | None = None
    ) -> int:
        """Remove question ``key`` (earlier versions keep it, with their answers).

        Raises:
            NotFoundError: no question ``key`` in the current version.
            SettingsRefused: registration refuses the questionnaire without it (e.g. another
                question is asked only after an answer to it).
        """
        read = await self._read(caller, program_id, version)
        questions = [q for q in read["questions"] if q["key"] != key]
        if len(questions) == len(read["questions"]):
            raise NotFoundError(f"no question {key}")
        return await self._save(caller, program_id, read, questions)

    async def question(
        self, caller: Caller, program_id: str, key: str
    ) -> tuple[ManagedProgram, dict[str, Any], dict[str, Any]]:
        """The program, its current questionnaire and its question ``key``."""
        program, questionnaire = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.questionnaire(caller.token, program_id),
        )
        found = next((q for q in questionnaire["questions"] if q["key"] == key), None)
        if found is None:
            raise NotFoundError(f"no question {key}")
        return program, questionnaire, found

    async def add_from_pool(self, caller: Caller, program_id: str, keys: list[str]) -> int:
        """Append pool questions, in the order given; the new version number."""
        if not keys:
            raise SettingsRefused({"pool": "Choose at least one question of the pool."})
        try:
            saved = await self._programs.add_pool_questions(caller.token, program_id, keys)
        except InvalidInputError as refused:
            # one problem per key chosen (not in the pool, already asked): all on the pool
            raise SettingsRefused.of(refused.problems, lambda _: "pool") from None
        return int(saved["version"])

    async def versions(
        self, caller: Caller, program_id: str
    ) -> tuple[ManagedProgram, dict[str, Any]]:
        """The program and every version of its questionnaire with what each changed."""
        program, versions = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.questionnaire_versions(caller.token, program_id),
        )
        for version in versions["versions"]:
            version["created_at"] = _moment(version["created_at"])
        return program, versions

    async def version(self, caller: Caller, program_id: str, number: int | None) -> VersionPage:
        """One version (the current one when ``number`` is None) and the one before it."""
        program, chosen, listed = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.questionnaire(caller.token, program_id, number),
            self._programs.questionnaire_versions(caller.token, program_id),
        )
        before = None
        if int(chosen["version"]) > 1:
            before = await self._programs.questionnaire(
                caller.token, program_id, int(chosen["version"]) - 1
            )
        summary = next((v for v in listed["versions"] if v["version"] == chosen["version"]), None)
        form = parse(Questionnaire, chosen)
        return VersionPage(
            program, chosen | {"created_at": _moment(chosen["created_at"])}, form, before, summary
        )
