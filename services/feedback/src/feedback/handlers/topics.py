"""Checking topics against the program's skills and goals."""

from __future__ import annotations

from collections.abc import Sequence

from feedback.adapters.directory import Directory
from feedback.domain.records import unknown_topics
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.errors import InvalidInputError, RuleError


async def program_of(directory: Directory, program_id: str) -> ProgramState:
    """The program, which must be known here."""
    program = await directory.programs.get(program_id)
    if program is None:
        msg = f"program {program_id} is not known here yet; try again shortly"
        raise RuleError("program_not_known", msg)
    return program


def check_topics(program: ProgramState, fields: dict[str, Sequence[str] | str]) -> None:
    """Refuse topics that are not the program's skills or goals (422 naming each one).

    ``fields`` maps a request field to its topics (a list) or its one topic (a string).
    """
    known = (*program.topics.skills, *program.topics.goals)
    problems = []
    for field, given in fields.items():
        found = unknown_topics([given] if isinstance(given, str) else given, known, field)
        for problem in found:
            path = f"body.{field}" if isinstance(given, str) else f"body.{problem.field}"
            problems.append(
                (path, f"{problem.topic!r} is not one of the program's skills or goals")
            )
    if problems:
        raise InvalidInputError(problems)
