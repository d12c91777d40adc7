"""Topics people tick must be the program's skills or goals."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from feedback.domain.errors import FeedbackInputError
from mentorship_contracts.events.program import ProgramState


def program_topics(program: ProgramState) -> tuple[str, ...]:
    """The topics feedback accepts in ``program``: its skills, then its goals."""
    return (*program.topics.skills, *program.topics.goals)


def check_topics(known: Collection[str], fields: Mapping[str, Sequence[str] | str]) -> None:
    """Refuse topics that are not in ``known``, naming each one's field.

    ``fields`` maps an input field to its topics (a list: ``field[i]`` is named) or its one
    topic (a string: ``field`` is named).

    Raises:
        FeedbackInputError: one problem per unknown topic.
    """
    allowed = set(known)
    problems = []
    for field, given in fields.items():
        named = [(field, given)] if isinstance(given, str) else _indexed(field, given)
        problems += [
            (path, f"{topic!r} is not one of the program's skills or goals")
            for path, topic in named
            if topic not in allowed
        ]
    if problems:
        raise FeedbackInputError(problems)


def _indexed(field: str, topics: Sequence[str]) -> list[tuple[str, str]]:
    return [(f"{field}[{index}]", topic) for index, topic in enumerate(topics)]
