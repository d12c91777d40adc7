"""Questionnaires: every question kind, branching, structure rules, the templates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from mentorship_contracts.types import ParticipantRole, Seniority
from registration.domain.profile import matching_inputs
from registration.domain.questionnaire import (
    AnswersInvalidError,
    Choice,
    Condition,
    Meaning,
    Question,
    QuestionKind,
    Questionnaire,
    changes_between,
    check_answers,
)
from registration.domain.template import Template, questionnaire_from

from .factories import MENTEE_ANSWERS, MENTOR_ANSWERS

ROLE = Question(
    key="role",
    prompt="Role?",
    kind=QuestionKind.SINGLE_CHOICE,
    required=True,
    meaning=Meaning.ROLE,
    choices=(Choice(key="mentor", label="Mentor"), Choice(key="mentee", label="Mentee")),
)


def _choices(*keys: str) -> tuple[Choice, ...]:
    return tuple(Choice(key=key, label=key.title()) for key in keys)


def _opt(key: str) -> list[dict[str, str]]:
    return [{"key": key, "label": key.upper()}]


def _questionnaire(*questions: Question) -> Questionnaire:
    return Questionnaire(questions=(ROLE, *questions))


def _problems(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(AnswersInvalidError) as caught:
        check_answers(questionnaire, answers)
    return {problem.field: problem.message for problem in caught.value.problems}


# ---------------------------------------------------------------- question kinds

SINGLE = Question(
    key="team", prompt="Team?", kind=QuestionKind.SINGLE_CHOICE, choices=_choices("red", "blue")
)
MULTIPLE = Question(
    key="topics",
    prompt="Topics?",
    kind=QuestionKind.MULTIPLE_CHOICE,
    max_selections=2,
    choices=_choices("a", "b", "c"),
)
NUMBER = Question(key="years", prompt="Years?", kind=QuestionKind.NUMBER, minimum=0, maximum=60)
WHOLE = Question(key="count", prompt="Count?", kind=QuestionKind.NUMBER, integer=True, minimum=1)
SCALE = Question(key="energy", prompt="Energy?", kind=QuestionKind.SCALE, minimum=1, maximum=5)
TEXT = Question(key="notes", prompt="Notes?", kind=QuestionKind.FREE_TEXT, max_length=10)
ALL_KINDS = _questionnaire(SINGLE, MULTIPLE, NUMBER, WHOLE, SCALE, TEXT)


def test_valid_answers_of_every_kind_are_normalised() -> None:
    accepted = check_answers(
        ALL_KINDS,
        {
            "role": "mentor",
            "team": "red",
            "topics": ["a", "b", "a"],
            "years": 12.5,
            "count": 3.0,
            "energy": 4,
            "notes": "  hi  ",
        },
    )
    assert accepted == {
        "role": "mentor",
        "team": "red",
        "topics": ["a", "b"],
        "years": 12.5,
        "count": 3,
        "energy": 4,
        "notes": "hi",
    }


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"team": "green"}, "answers.team", "'green' is not one of the choices (red, blue)"),
        ({"team": ["red"]}, "answers.team", "expected one choice key"),
        ({"topics": "a"}, "answers.topics", "expected a list of choice keys"),
        ({"topics": ["a", "z"]}, "answers.topics", "'z' not among the choices (a, b, c)"),
        ({"topics": ["a", "b", "c"]}, "answers.topics", "choose at most 2"),
        ({"years": "ten"}, "answers.years", "expected a number"),
        ({"years": True}, "answers.years", "expected a number"),
        ({"years": float("nan")}, "answers.years", "expected a number"),
        ({"years": 61}, "answers.years", "must be at most 60"),
        ({"years": -1}, "answers.years", "must be at least 0"),
        ({"count": 2.5}, "answers.count", "expected a whole number"),
        ({"count": 0}, "answers.count", "must be at least 1"),
        ({"energy": 6}, "answers.energy", "must be at most 5"),
        ({"energy": 3.5}, "answers.energy", "expected a whole number"),
        ({"notes": "x" * 11}, "answers.notes", "at most 10 characters"),
        ({"notes": 7}, "answers.notes", "expected text"),
        ({"shoe_size": 44}, "answers.shoe_size", "there is no such question"),
    ],
)
def test_each_kind_refuses_what_does_not_fit(
    answers: dict[str, Any], field: str, message: str
) -> None:
    assert _problems(ALL_KINDS, {"role": "mentor", **answers})[field] == message


def test_required_questions_must_be_answered_and_blank_counts_as_missing() -> None:
    questionnaire = _questionnaire(SINGLE.model_copy(update={"required": True}))
    assert _problems(questionnaire, {"role": "mentor", "team": "  "}) == {
        "answers.team": "an answer is required"
    }
    assert _problems(questionnaire, {}) == {
        "answers.role": "an answer is required",
        "answers.team": "an answer is required",
    }


def test_optional_questions_may_be_left_out() -> None:
    assert check_answers(ALL_KINDS, {"role": "mentee"}) == {"role": "mentee"}


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(ALL_KINDS, {"team": "x", "years": 99, "nope": 1})
    assert set(problems) == {"answers.role", "answers.team", "answers.years", "answers.nope"}


# ---------------------------------------------------------------- branching

CAPACITY = Question(
    key="capacity",
    prompt="How many?",
    kind=QuestionKind.NUMBER,
    integer=True,
    minimum=1,
    maximum=5,
    required=True,
    meaning=Meaning.CAPACITY,
    show_if=Condition(question="role", any_of=("mentor",)),
)
FOLLOW_UP = Question(
    key="why_b",
    prompt="Why b?",
    kind=QuestionKind.FREE_TEXT,
    required=True,
    show_if=Condition(question="topics", any_of=("b",)),
)
BRANCHING = _questionnaire(CAPACITY, MULTIPLE, FOLLOW_UP)


def test_a_shown_required_question_must_be_answered() -> None:
    assert _problems(BRANCHING, {"role": "mentor"}) == {"answers.capacity": "an answer is required"}


def test_a_hidden_question_must_not_be_answered() -> None:
    assert _problems(BRANCHING, {"role": "mentee", "capacity": 2}) == {
        "answers.capacity": "this question is only asked when role is mentor"
    }


def test_a_hidden_required_question_is_not_required() -> None:
    assert check_answers(BRANCHING, {"role": "mentee"}) == {"role": "mentee"}


def test_conditions_on_multiple_choice_answers() -> None:
    answers = {"role": "mentee", "topics": ["a", "b"]}
    assert _problems(BRANCHING, answers) == {"answers.why_b": "an answer is required"}
    assert check_answers(BRANCHING, answers | {"why_b": "because"})["why_b"] == "because"
    assert check_answers(BRANCHING, {"role": "mentee", "topics": ["a"]}) == {
        "role": "mentee",
        "topics": ["a"],
    }


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ((SINGLE,), "needs a question with meaning 'role'"),
        ((ROLE, SINGLE, SINGLE), "used twice"),
        (
            (ROLE, FOLLOW_UP, MULTIPLE),
            "'why_b' can only depend on an earlier question; 'topics' is not one",
        ),
        (
            (
                ROLE,
                NUMBER,
                FOLLOW_UP.model_copy(
                    update={"show_if": Condition(question="years", any_of=("1",))}
                ),
            ),
            "can only depend on a choice question",
        ),
        (
            (
                ROLE,
                MULTIPLE,
                FOLLOW_UP.model_copy(
                    update={"show_if": Condition(question="topics", any_of=("q",))}
                ),
            ),
            "depends on values ['q'] that 'topics' lacks",
        ),
        (
            (ROLE, SINGLE.model_copy(update={"meaning": Meaning.ROLE})),
            "role choices must be among",
        ),
    ],
)
def test_questionnaire_structure_is_checked(questions: tuple[Question, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Questionnaire(questions=questions)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"kind": "single_choice"}, "a choice question needs choices"),
        ({"kind": "number", "choices": _opt("a")}, "a number question has no choices"),
        ({"kind": "single_choice", "choices": _opt("a") * 2}, "unique"),
        ({"kind": "scale", "minimum": 1}, "a scale needs a minimum and a maximum"),
        ({"kind": "scale", "minimum": 1, "maximum": 20}, "2 to 11 points"),
        ({"kind": "number", "minimum": 5, "maximum": 1}, "minimum must not exceed maximum"),
        ({"kind": "free_text", "minimum": 1}, "apply to number and scale questions only"),
        ({"kind": "number", "max_selections": 2}, "multiple_choice questions only"),
        ({"kind": "free_text", "meaning": "skills_wanted"}, "must be a choice question"),
        (
            {"kind": "multiple_choice", "meaning": "seniority", "choices": _opt("senior")},
            "must be a single_choice question",
        ),
        (
            {"kind": "single_choice", "meaning": "seniority", "choices": _opt("boss")},
            "seniority choices must be among",
        ),
        (
            {"kind": "single_choice", "meaning": "time_zone", "choices": _opt("Mars/Base")},
            "not an IANA time zone",
        ),
        (
            {"kind": "multiple_choice", "meaning": "languages", "choices": _opt("English")},
            "not an ISO 639 language code",
        ),
        (
            {
                "kind": "multiple_choice",
                "meaning": "skills_wanted",
                "choices": _opt("Public_Speaking"),
            },
            "must be lower-case",
        ),
        ({"kind": "number", "meaning": "capacity", "minimum": 0}, "whole numbers between 1 and 50"),
        (
            {"kind": "single_choice", "meaning": "role", "choices": _opt("mentor")},
            "must be required and always shown",
        ),
    ],
)
def test_question_rules(question: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Question.model_validate({"key": "q", "prompt": "Q?", **question})


def test_one_question_per_meaning() -> None:
    skills = Question(
        key="skills",
        prompt="Skills?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        meaning=Meaning.SKILLS_WANTED,
        choices=_choices("a"),
    )
    with pytest.raises(ValidationError, match="only one question may mean skills_wanted"):
        _questionnaire(skills, skills.model_copy(update={"key": "other"}))


# ---------------------------------------------------------------- template and normalisation


def test_standard_template_covers_the_brief() -> None:
    questionnaire = questionnaire_from(Template.STANDARD)
    meanings = {question.meaning for question in questionnaire.questions} - {None}
    assert meanings == set(Meaning)
    assert any(q.kind is QuestionKind.FREE_TEXT for q in questionnaire.questions)
    capacity = questionnaire.by_meaning(Meaning.CAPACITY)
    assert capacity is not None
    assert capacity.show_if == Condition(question="role", any_of=("mentor", "both"))
    assert "public_speaking" in questionnaire.skills()
    assert "promotion" in questionnaire.goals()


def test_templates_are_fresh_copies() -> None:
    assert questionnaire_from(Template.STANDARD) == questionnaire_from(Template.STANDARD)
    assert len(questionnaire_from(Template.MINIMAL).questions) == 1


def test_mentor_answers_become_a_matching_profile() -> None:
    questionnaire = questionnaire_from(Template.STANDARD)
    inputs = matching_inputs(questionnaire, check_answers(questionnaire, MENTOR_ANSWERS))
    profile = inputs.profile
    assert (inputs.role, inputs.capacity) == (ParticipantRole.MENTOR, 3)
    assert profile.seniority is Seniority.DIRECTOR
    assert (profile.years_experience, profile.years_in_role) == (18.0, 2.5)
    assert profile.discipline == "engineering"
    assert profile.disciplines_experienced == ("engineering", "product")
    assert profile.locations == ("berlin",)
    assert profile.remote_ok is True
    assert profile.time_zone == "Europe/Berlin"
    assert profile.languages == ("en", "de")
    assert profile.skills_offered == ("leadership", "system_design")
    assert profile.goals_achieved == ("promotion",)
    assert "time_zone" not in inputs.choice_answers
    assert "expectations" not in inputs.choice_answers
    assert inputs.choice_answers["skills_to_mentor"] == ("leadership", "system_design")


def test_mentee_answers_become_a_matching_profile() -> None:
    questionnaire = questionnaire_from(Template.STANDARD)
    inputs = matching_inputs(
        questionnaire, check_answers(questionnaire, MENTEE_ANSWERS), preferred_mentors=("m-1",)
    )
    assert (inputs.role, inputs.capacity) == (ParticipantRole.MENTEE, 0)
    assert inputs.profile.remote_ok is False
    assert inputs.profile.locations == ("london",)
    assert inputs.profile.preferred_mentor_disciplines == ("design", "product")
    assert inputs.profile.goals_wanted == ("promotion", "grow_network")
    assert inputs.profile.preferred_mentors == ("m-1",)


def test_a_mentor_without_a_capacity_question_takes_one_mentee() -> None:
    questionnaire = questionnaire_from(Template.MINIMAL)
    inputs = matching_inputs(questionnaire, check_answers(questionnaire, {"role": "mentor"}))
    assert inputs.capacity == 1
    assert inputs.profile.remote_ok is True
    assert inputs.profile.time_zone == "UTC"


def test_changes_between_versions_name_added_removed_changed_and_moved() -> None:
    colour = Question(
        key="colour",
        prompt="Colour?",
        kind=QuestionKind.SINGLE_CHOICE,
        choices=_choices("red", "blue"),
    )
    note = Question(key="note", prompt="Anything else?", kind=QuestionKind.FREE_TEXT)
    before = Questionnaire(questions=(ROLE, colour, note))
    recoloured = colour.model_copy(
        update={
            "choices": _choices("red", "green"),
            "help": "Pick one.",
        }
    )
    tool = Question(key="tool", prompt="Tool?", kind=QuestionKind.FREE_TEXT)
    after = Questionnaire(questions=(recoloured, ROLE, tool))

    found = changes_between(before, after)

    assert found.added == ("tool",)
    assert found.removed == ("note",)
    assert found.changed == (("colour", ("help", "choices")),)
    assert found.moved is True
    first = changes_between(None, before)
    assert first.added == ("role", "colour", "note")
    assert (first.removed, first.changed, first.moved) == ((), (), False)
    assert changes_between(before, before).changed == ()
