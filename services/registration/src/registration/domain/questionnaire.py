"""Questionnaires: the questions a program asks, and checking answers against them.

A questionnaire is an ordered list of questions. Each has a stable ``key`` (answers are
stored by key), a kind, and optionally:

- ``required``: a shown question must be answered;
- ``show_if``: shown only when an earlier choice question's answer is one of some values
  (branching, e.g. the capacity question only for mentors);
- ``meaning``: what the answer means to matching (skills wanted, seniority, languages ...).

Questionnaires are versioned by the caller (`registration.domain.programs`); a version is
never changed, so answers stored against it stay meaningful.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mentorship_contracts.types import ParticipantRole, Seniority

AnswerValue = str | int | float | list[str]
"""A stored answer: a choice key, choice keys, a number or text."""

QuestionKey = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$"), Field(examples=["skills_to_grow"])
]
ChoiceKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./+-]*$"),
]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
REMOTE = "remote"
"""The location choice that means "happy to meet remotely"."""


class QuestionKind(StrEnum):
    """How a question is answered."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    SCALE = "scale"
    FREE_TEXT = "free_text"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class Meaning(StrEnum):
    """What an answer means to matching; at most one question per meaning."""

    ROLE = "role"
    CAPACITY = "capacity"
    SENIORITY = "seniority"
    YEARS_EXPERIENCE = "years_experience"
    YEARS_IN_ROLE = "years_in_role"
    DISCIPLINE = "discipline"
    DISCIPLINES_EXPERIENCED = "disciplines_experienced"
    PREFERRED_MENTOR_DISCIPLINES = "preferred_mentor_disciplines"
    LOCATIONS = "locations"
    TIME_ZONE = "time_zone"
    LANGUAGES = "languages"
    SKILLS_WANTED = "skills_wanted"
    SKILLS_OFFERED = "skills_offered"
    GOALS_WANTED = "goals_wanted"
    GOALS_ACHIEVED = "goals_achieved"
    INTERESTS = "interests"


_NUMBER_MEANINGS = frozenset({Meaning.CAPACITY, Meaning.YEARS_EXPERIENCE, Meaning.YEARS_IN_ROLE})
_SINGLE_MEANINGS = frozenset(
    {Meaning.ROLE, Meaning.SENIORITY, Meaning.TIME_ZONE, Meaning.DISCIPLINE}
)
_SKILL_MEANINGS = frozenset({Meaning.SKILLS_WANTED, Meaning.SKILLS_OFFERED})
_GOAL_MEANINGS = frozenset({Meaning.GOALS_WANTED, Meaning.GOALS_ACHIEVED})


def _time_zone_problem(key: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"{key!r} is not an IANA time zone"
    return None


def _one_of(allowed: Iterable[str], what: str) -> Callable[[str], str | None]:
    values = sorted(allowed)
    return lambda key: None if key in values else f"{what} choices must be among {values}"


def _matches(pattern: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    return lambda key: None if pattern.match(key) else f"{key!r} {what}"


_CHOICE_KEY_RULES: dict[Meaning | None, Callable[[str], str | None]] = {
    Meaning.ROLE: _one_of((role.value for role in ParticipantRole), "role"),
    Meaning.SENIORITY: _one_of((level.value for level in Seniority), "seniority"),
    Meaning.TIME_ZONE: _time_zone_problem,
    Meaning.LANGUAGES: _matches(_LANGUAGE, "is not an ISO 639 language code"),
}
_SLUG_RULE = _matches(_SLUG, "must be lower-case letters, digits and _ . -")


def _choice_key_problem(meaning: Meaning | None, key: str) -> str | None:
    """Why ``key`` cannot be a choice of a question with ``meaning`` (None if it can)."""
    return _CHOICE_KEY_RULES.get(meaning, _SLUG_RULE)(key)


choice_key_problem = _choice_key_problem


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Choice(_Model):
    """One option of a choice question."""

    key: ChoiceKey
    label: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Condition(_Model):
    """Show a question only when an earlier choice answer is one of ``any_of``."""

    question: QuestionKey
    any_of: tuple[ChoiceKey, ...] = Field(min_length=1)


class Question(_Model):
    """One question of a questionnaire."""

    key: QuestionKey
    prompt: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    help: Annotated[str, StringConstraints(max_length=1000)] = ""
    kind: QuestionKind
    required: bool = False
    choices: tuple[Choice, ...] = Field(default=(), max_length=500)
    max_selections: int | None = Field(default=None, ge=1)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    max_length: int = Field(default=2000, ge=1, le=10_000)
    meaning: Meaning | None = None
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_kind()
        self._check_meaning()
        return self

    def _check_kind(self) -> None:
        if self.kind in CHOICE_KINDS:
            if not self.choices:
                msg = "a choice question needs choices"
                raise ValueError(msg)
            keys = [choice.key for choice in self.choices]
            if len(set(keys)) != len(keys):
                msg = "choice keys must be unique"
                raise ValueError(msg)
        elif self.choices:
            msg = f"a {self.kind} question has no choices"
            raise ValueError(msg)
        if self.max_selections is not None and self.kind is not QuestionKind.MULTIPLE_CHOICE:
            msg = "max_selections applies to multiple_choice questions only"
            raise ValueError(msg)
        if self.kind is QuestionKind.SCALE:
            if self.minimum is None or self.maximum is None:
                msg = "a scale needs a minimum and a maximum"
                raise ValueError(msg)
            if not (self.minimum.is_integer() and self.maximum.is_integer()):
                msg = "a scale's ends must be whole numbers"
                raise ValueError(msg)
            if not 1 <= self.maximum - self.minimum <= 10:
                msg = "a scale has 2 to 11 points"
                raise ValueError(msg)
        elif self.kind is not QuestionKind.NUMBER and (
            self.minimum is not None or self.maximum is not None
        ):
            msg = "minimum and maximum apply to number and scale questions only"
            raise ValueError(msg)
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            msg = "minimum must not exceed maximum"
            raise ValueError(msg)

    def _check_meaning(self) -> None:
        meaning = self.meaning
        if meaning is None:
            return
        if meaning in _NUMBER_MEANINGS:
            if self.kind is not QuestionKind.NUMBER:
                msg = f"a {meaning} question must be a number question"
                raise ValueError(msg)
        elif meaning in _SINGLE_MEANINGS:
            if self.kind is not QuestionKind.SINGLE_CHOICE:
                msg = f"a {meaning} question must be a single_choice question"
                raise ValueError(msg)
        elif self.kind not in CHOICE_KINDS:
            msg = f"a {meaning} question must be a choice question"
            raise ValueError(msg)
        for choice in self.choices:
            if problem := _choice_key_problem(meaning, choice.key):
                raise ValueError(problem)
        if meaning is Meaning.ROLE and (not self.required or self.show_if is not None):
            msg = "the role question must be required and always shown"
            raise ValueError(msg)
        if meaning is Meaning.CAPACITY and (
            not self.integer or (self.minimum or 0) < 1 or (self.maximum or math.inf) > 50
        ):
            msg = "the capacity question takes whole numbers between 1 and 50"
            raise ValueError(msg)

    def choice_keys(self) -> tuple[str, ...]:
        """The keys of this question's choices."""
        return tuple(choice.key for choice in self.choices)

    @cached_property
    def choice_key_set(self) -> frozenset[str]:
        """The keys of this question's choices, for membership tests.

        Computed once per question: checking every answer of a 10,000-row import against a
        tuple rebuilt per answer cost more than the rest of the check.
        """
        return frozenset(self.choice_keys())


class Questionnaire(_Model):
    """An ordered list of questions with exactly one role question."""

    questions: tuple[Question, ...] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[str, Question] = {}
        meanings: set[Meaning] = set()
        for question in self.questions:
            if question.key in seen:
                msg = f"question key {question.key!r} is used twice"
                raise ValueError(msg)
            if question.meaning is not None:
                if question.meaning in meanings:
                    msg = f"only one question may mean {question.meaning}"
                    raise ValueError(msg)
                meanings.add(question.meaning)
            if question.show_if is not None:
                _check_condition(question, seen)
            seen[question.key] = question
        if Meaning.ROLE not in meanings:
            msg = "a questionnaire needs a question with meaning 'role'"
            raise ValueError(msg)
        return self

    def by_meaning(self, meaning: Meaning) -> Question | None:
        """The question with ``meaning``, if any."""
        return self._meanings.get(meaning)

    @cached_property
    def _meanings(self) -> dict[Meaning, Question]:
        """The questions by meaning (each meaning is unique), built once per questionnaire."""
        return {q.meaning: q for q in self.questions if q.meaning is not None}

    def choices_of(self, meanings: Iterable[Meaning]) -> tuple[str, ...]:
        """The choice keys of the questions with any of ``meanings``, without repeats."""
        keys: dict[str, None] = {}
        for meaning in meanings:
            question = self.by_meaning(meaning)
            if question is not None:
                keys.update(dict.fromkeys(question.choice_keys()))
        return tuple(keys)

    def skills(self) -> tuple[str, ...]:
        """The program's skills: every option of the skills questions."""
        return self.choices_of(sorted(_SKILL_MEANINGS))

    def goals(self) -> tuple[str, ...]:
        """The program's goals: every option of the goals questions."""
        return self.choices_of(sorted(_GOAL_MEANINGS))


def _check_condition(question: Question, earlier: Mapping[str, Question]) -> None:
    assert question.show_if is not None
    source = earlier.get(question.show_if.question)
    if source is None:
        msg = (
            f"{question.key!r} can only depend on an earlier question; "
            f"{question.show_if.question!r} is not one"
        )
        raise ValueError(msg)
    if source.kind not in CHOICE_KINDS:
        msg = f"{question.key!r} can only depend on a choice question"
        raise ValueError(msg)
    unknown = set(question.show_if.any_of) - set(source.choice_keys())
    if unknown:
        msg = f"{question.key!r} depends on values {sorted(unknown)} that {source.key!r} lacks"
        raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """Why one answer is not acceptable, located by a dotted path."""

    field: str
    message: str


class AnswersInvalidError(ValueError):
    """The answers do not fit the questionnaire; nothing may be stored."""

    def __init__(self, problems: Sequence[AnswerProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


def check_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, path: str = "answers"
) -> dict[str, AnswerValue]:
    """The answers, validated and normalised; raises `AnswersInvalidError` listing every problem.

    Unknown keys, answers to questions that are not shown, missing required answers and
    answers of the wrong kind, outside the choices or out of range are all refused.
    """
    problems: list[AnswerProblem] = []
    known = {question.key for question in questionnaire.questions}
    problems.extend(
        AnswerProblem(f"{path}.{key}", "there is no such question")
        for key in answers
        if key not in known
    )
    accepted: dict[str, AnswerValue] = {}
    for question in questionnaire.questions:
        field = f"{path}.{question.key}"
        raw = answers.get(question.key)
        given = not _is_blank(raw)
        if not _shown(question, accepted):
            if given:
                problems.append(AnswerProblem(field, _hidden_reason(question)))
            continue
        if not given:
            if question.required:
                problems.append(AnswerProblem(field, "an answer is required"))
            continue
        value, problem = _check_value(question, raw)
        if problem is not None:
            problems.append(AnswerProblem(field, problem))
        else:
            assert value is not None
            accepted[question.key] = value
    if problems:
        raise AnswersInvalidError(problems)
    return accepted


def _is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str | list | tuple) and len(value) == 0)
        or (isinstance(value, str) and not value.strip())
    )


def _shown(question: Question, accepted: Mapping[str, AnswerValue]) -> bool:
    if question.show_if is None:
        return True
    answer = accepted.get(question.show_if.question)
    selected = set(answer) if isinstance(answer, list) else {answer}
    return bool(selected & set(question.show_if.any_of))


def _hidden_reason(question: Question) -> str:
    assert question.show_if is not None
    values = " or ".join(question.show_if.any_of)
    return f"this question is only asked when {question.show_if.question} is {values}"


def _check_value(question: Question, raw: object) -> tuple[AnswerValue | None, str | None]:
    match question.kind:
        case QuestionKind.SINGLE_CHOICE:
            return _check_single(question, raw)
        case QuestionKind.MULTIPLE_CHOICE:
            return _check_multiple(question, raw)
        case QuestionKind.NUMBER | QuestionKind.SCALE:
            return _check_number(question, raw)
        case QuestionKind.FREE_TEXT:
            if not isinstance(raw, str):
                return None, "expected text"
            text = raw.strip()
            if len(text) > question.max_length:
                return None, f"at most {question.max_length} characters"
            return text, None


def _check_single(question: Question, raw: object) -> tuple[AnswerValue | None, str | None]:
    if not isinstance(raw, str):
        return None, "expected one choice key"
    if raw not in question.choice_key_set:
        return None, f"{raw!r} is not one of the choices ({_listing(question.choice_keys())})"
    return raw, None


def _check_multiple(question: Question, raw: object) -> tuple[AnswerValue | None, str | None]:
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        return None, "expected a list of choice keys"
    chosen = list(dict.fromkeys(raw))
    unknown = [item for item in chosen if item not in question.choice_key_set]
    if unknown:
        listed = ", ".join(map(repr, unknown))
        return None, f"{listed} not among the choices ({_listing(question.choice_keys())})"
    if question.max_selections is not None and len(chosen) > question.max_selections:
        return None, f"choose at most {question.max_selections}"
    return chosen, None


def _check_number(question: Question, raw: object) -> tuple[AnswerValue | None, str | None]:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return None, "expected a number"
    whole = question.integer or question.kind is QuestionKind.SCALE
    if whole and not float(raw).is_integer():
        return None, "expected a whole number"
    if question.minimum is not None and raw < question.minimum:
        return None, f"must be at least {_number_text(question.minimum)}"
    if question.maximum is not None and raw > question.maximum:
        return None, f"must be at most {_number_text(question.maximum)}"
    return (int(raw) if whole else raw), None


def _listing(keys: Sequence[str], shown: int = 10) -> str:
    listed = ", ".join(keys[:shown])
    return f"{listed} and {len(keys) - shown} more" if len(keys) > shown else listed


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


@dataclass(frozen=True, slots=True)
class QuestionnaireChanges:
    """What one questionnaire version changed from the one before it, by question key.

    ``changed`` names each changed question's fields (``prompt``, ``choices``, ``show_if``
    ...), in the order a question declares them; ``moved`` is true when the questions kept
    are asked in another order.
    """

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...]], ...]
    moved: bool


def changes_between(before: Questionnaire | None, after: Questionnaire) -> QuestionnaireChanges:
    """What ``after`` changed from ``before`` (every question is added when there is none)."""
    earlier = {q.key: q for q in before.questions} if before is not None else {}
    later = {q.key: q for q in after.questions}
    changed: list[tuple[str, tuple[str, ...]]] = []
    for key, question in later.items():
        old = earlier.get(key)
        if old is None or old == question:
            continue
        fields = tuple(
            name
            for name in Question.model_fields
            if name != "key" and getattr(old, name) != getattr(question, name)
        )
        changed.append((key, fields))
    kept_before = [key for key in earlier if key in later]
    kept_after = [key for key in later if key in earlier]
    return QuestionnaireChanges(
        added=tuple(key for key in later if key not in earlier),
        removed=tuple(key for key in earlier if key not in later),
        changed=tuple(changed),
        moved=kept_before != kept_after,
    )
