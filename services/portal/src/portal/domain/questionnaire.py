"""Turning a submitted form into answers, and which questions a set of answers shows.

The registration service checks every answer again (kind, range, required, branching); this
module only reads the form the way the questionnaire says and drops answers to questions
the other answers hide, so a person who changed their mind is not refused for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from portal.domain.models import AnswerValue, Question, QuestionKind, Questionnaire

FormValues = Mapping[str, Sequence[str]]
"""A submitted form: every value of each field name."""

FIELD_PREFIX = "answers."
"""Form fields holding answers are named ``answers.<question key>``."""


def is_shown(question: Question, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether ``question`` is asked given the ``answers`` so far."""
    condition = question.show_if
    if condition is None:
        return True
    given = answers.get(condition.question)
    chosen = set(given) if isinstance(given, list) else {str(given)} if given is not None else set()
    return bool(chosen & set(condition.any_of))


def _number(question: Question, raw: str) -> tuple[AnswerValue | None, str | None]:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None, "number"
    if question.integer or question.kind is QuestionKind.SCALE:
        if not value.is_integer():
            return None, "whole_number"
        return int(value), None
    return value, None


def read_answers(
    questionnaire: Questionnaire, form: FormValues
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """The answers in ``form`` and the fields that could not be read (key -> problem code).

    Problem codes: ``number`` (not a number), ``whole_number``. Empty fields are left out;
    answers to questions the other answers hide are dropped.
    """
    answers: dict[str, AnswerValue] = {}
    problems: dict[str, str] = {}
    for question in questionnaire.questions:
        values = [value.strip() for value in form.get(FIELD_PREFIX + question.key, ())]
        values = [value for value in values if value]
        if not values:
            continue
        if question.kind is QuestionKind.MULTIPLE_CHOICE:
            answers[question.key] = list(dict.fromkeys(values))
        elif question.kind in {QuestionKind.NUMBER, QuestionKind.SCALE}:
            number, problem = _number(question, values[0])
            if problem:
                problems[question.key] = problem
            elif number is not None:
                answers[question.key] = number
        else:
            answers[question.key] = values[0]
    shown = {q.key for q in questionnaire.questions if is_shown(q, answers)}
    return {key: value for key, value in answers.items() if key in shown}, problems


def answer_field(path: str) -> str | None:
    """The question key an API error path names (``body.answers.capacity`` -> ``capacity``)."""
    parts = path.split(".")
    if "answers" in parts:
        index = parts.index("answers")
        if index + 1 < len(parts):
            return parts[index + 1]
    return None


def ordered_picks(values: Sequence[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` distinct, non-empty mentor ids in the order given."""
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))[:limit]
