"""The question pool: questions an organisation reuses across its programs.

The pool is the standard template's questions (with the organisation's lists of offices,
time zones and languages) plus the organisation's own custom questions. A program manager
adds questions from the pool to a program's questionnaire by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

from registration.domain.questionnaire import Question, Questionnaire
from registration.domain.template import OrganisationChoices, Template, questionnaire_from

MAX_CUSTOM_QUESTIONS = 500


class PoolSource(StrEnum):
    """Where a pool question comes from."""

    STANDARD = "standard"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class PoolQuestion:
    """A question of the pool and where it comes from."""

    question: Question
    source: PoolSource


class PoolError(ValueError):
    """A pool change or a use of the pool that cannot be; ``problems`` are (field, message)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)


def standard_questions(lists: OrganisationChoices) -> tuple[Question, ...]:
    """The standard template's questions."""
    return questionnaire_from(Template.STANDARD, lists).questions


def pool(lists: OrganisationChoices, custom: Iterable[Question]) -> list[PoolQuestion]:
    """The whole pool: standard questions first, then the custom ones by key."""
    return [
        PoolQuestion(question, PoolSource.STANDARD) for question in standard_questions(lists)
    ] + [
        PoolQuestion(question, PoolSource.CUSTOM)
        for question in sorted(custom, key=lambda question: question.key)
    ]


def check_custom(question: Question, lists: OrganisationChoices, custom_count: int) -> None:
    """Accept a custom question for the pool.

    Raises:
        PoolError: its key is a standard question's, or the pool is full.
    """
    if question.key in {standard.key for standard in standard_questions(lists)}:
        raise PoolError([("key", f"{question.key!r} is a standard question's key; choose another")])
    if custom_count >= MAX_CUSTOM_QUESTIONS:
        raise PoolError([("key", f"the pool holds at most {MAX_CUSTOM_QUESTIONS} questions")])


def add_from_pool(
    questionnaire: Questionnaire, available: Mapping[str, PoolQuestion], keys: Sequence[str]
) -> Questionnaire:
    """``questionnaire`` with the pool questions ``keys`` appended, in that order.

    Raises:
        PoolError: a key is not in the pool, already asked, or the result is not a valid
            questionnaire (e.g. two questions with one meaning).
    """
    asked = {question.key for question in questionnaire.questions}
    problems = [
        (f"keys[{index}]", f"{key!r} is not in the question pool")
        for index, key in enumerate(keys)
        if key not in available
    ]
    problems += [
        (f"keys[{index}]", f"{key!r} is already asked")
        for index, key in enumerate(keys)
        if key in asked
    ]
    if problems:
        raise PoolError(problems)
    try:
        return Questionnaire(
            questions=(*questionnaire.questions, *(available[key].question for key in keys))
        )
    except ValidationError as error:
        raise PoolError(
            [("keys", str(item["msg"])) for item in error.errors(include_url=False)]
        ) from None
