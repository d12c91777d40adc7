"""From checked answers to what matching compares (the participant events' payload)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import ParticipantRole, Seniority
from registration.domain.questionnaire import (
    CHOICE_KINDS,
    REMOTE,
    AnswerValue,
    Meaning,
    Questionnaire,
)

DEFAULT_MENTOR_CAPACITY = 1
_LIST_FIELDS: dict[Meaning, str] = {
    Meaning.DISCIPLINES_EXPERIENCED: "disciplines_experienced",
    Meaning.PREFERRED_MENTOR_DISCIPLINES: "preferred_mentor_disciplines",
    Meaning.LANGUAGES: "languages",
    Meaning.SKILLS_WANTED: "skills_wanted",
    Meaning.SKILLS_OFFERED: "skills_offered",
    Meaning.GOALS_WANTED: "goals_wanted",
    Meaning.GOALS_ACHIEVED: "goals_achieved",
    Meaning.INTERESTS: "interests",
}
_NUMBER_FIELDS: dict[Meaning, str] = {
    Meaning.YEARS_EXPERIENCE: "years_experience",
    Meaning.YEARS_IN_ROLE: "years_in_role",
}


@dataclass(frozen=True, slots=True)
class MatchingInputs:
    """A registration's answers as matching and reporting read them."""

    role: ParticipantRole
    capacity: int
    profile: MatchingProfile
    choice_answers: dict[str, tuple[str, ...]]


def matching_inputs(
    questionnaire: Questionnaire,
    answers: Mapping[str, AnswerValue],
    preferred_mentors: Sequence[str] = (),
) -> MatchingInputs:
    """Normalise checked answers (see `check_answers`) by each question's meaning."""

    def answer(meaning: Meaning) -> AnswerValue | None:
        question = questionnaire.by_meaning(meaning)
        return answers.get(question.key) if question else None

    role = ParticipantRole(str(answer(Meaning.ROLE)))
    fields: dict[str, object] = {
        name: _as_tuple(answer(meaning)) for meaning, name in _LIST_FIELDS.items()
    }
    fields |= {
        name: float(value)
        for meaning, name in _NUMBER_FIELDS.items()
        if isinstance(value := answer(meaning), int | float)
    }
    if (seniority := answer(Meaning.SENIORITY)) is not None:
        fields["seniority"] = Seniority(str(seniority))
    if (discipline := answer(Meaning.DISCIPLINE)) is not None:
        fields["discipline"] = str(discipline)
    if (time_zone := answer(Meaning.TIME_ZONE)) is not None:
        fields["time_zone"] = str(time_zone)
    places = _as_tuple(answer(Meaning.LOCATIONS))
    fields["locations"] = tuple(place for place in places if place != REMOTE)
    fields["remote_ok"] = not places or REMOTE in places
    fields["preferred_mentors"] = tuple(preferred_mentors)
    return MatchingInputs(
        role=role,
        capacity=_capacity(role, answer(Meaning.CAPACITY)),
        profile=MatchingProfile.model_validate(fields),
        choice_answers={
            question.key: _as_tuple(answers[question.key])
            for question in questionnaire.questions
            if question.kind in CHOICE_KINDS
            and question.meaning is not Meaning.TIME_ZONE
            and question.key in answers
        },
    )


def _capacity(role: ParticipantRole, answered: AnswerValue | None) -> int:
    if role is ParticipantRole.MENTEE:
        return 0
    return int(answered) if isinstance(answered, int | float) else DEFAULT_MENTOR_CAPACITY


def _as_tuple(value: AnswerValue | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (str(value),)
