"""Reading a registration form the way the questionnaire says (no I/O)."""

from __future__ import annotations

from datetime import date

from portal.domain.models import Program, Questionnaire
from portal.domain.questionnaire import answer_field, is_shown, ordered_picks, read_answers
from portal.domain.surveys import open_surveys

QUESTIONNAIRE = Questionnaire.model_validate(
    {
        "version": 1,
        "questions": [
            {
                "key": "role",
                "prompt": "Role?",
                "kind": "single_choice",
                "required": True,
                "choices": [{"key": k, "label": k} for k in ("mentor", "mentee", "both")],
            },
            {
                "key": "capacity",
                "prompt": "How many?",
                "kind": "number",
                "integer": True,
                "show_if": {"question": "role", "any_of": ["mentor", "both"]},
            },
            {
                "key": "skills",
                "prompt": "Skills?",
                "kind": "multiple_choice",
                "choices": [{"key": k, "label": k} for k in ("a", "b")],
                "show_if": {"question": "role", "any_of": ["mentee", "both"]},
            },
            {"key": "years", "prompt": "Years?", "kind": "number"},
            {"key": "mood", "prompt": "Mood?", "kind": "scale", "minimum": 1, "maximum": 5},
            {"key": "notes", "prompt": "Notes?", "kind": "free_text"},
        ],
    }
)


def test_answers_are_read_by_kind_and_empty_fields_left_out() -> None:
    answers, problems = read_answers(
        QUESTIONNAIRE,
        {
            "answers.role": ["both"],
            "answers.capacity": ["2"],
            "answers.skills": ["a", "b", "a"],
            "answers.years": ["3,5"],
            "answers.mood": ["4"],
            "answers.notes": ["  "],
        },
    )
    assert problems == {}
    assert answers == {"role": "both", "capacity": 2, "skills": ["a", "b"], "years": 3.5, "mood": 4}


def test_answers_to_questions_the_other_answers_hide_are_dropped() -> None:
    answers, _ = read_answers(
        QUESTIONNAIRE,
        {"answers.role": ["mentee"], "answers.capacity": ["3"], "answers.skills": ["a"]},
    )
    assert answers == {"role": "mentee", "skills": ["a"]}


def test_numbers_that_do_not_read_are_named_by_question() -> None:
    _, problems = read_answers(
        QUESTIONNAIRE,
        {"answers.role": ["mentor"], "answers.capacity": ["2.5"], "answers.years": ["many"]},
    )
    assert problems == {"capacity": "whole_number", "years": "number"}


def test_branching_follows_single_and_multiple_answers() -> None:
    capacity = QUESTIONNAIRE.questions[1]
    assert not is_shown(capacity, {})
    assert is_shown(capacity, {"role": "mentor"})
    assert is_shown(capacity, {"role": ["mentee", "both"]})
    assert not is_shown(capacity, {"role": "mentee"})


def test_api_field_paths_name_the_question() -> None:
    assert answer_field("body.answers.capacity") == "capacity"
    assert answer_field("body.answers.skills.0") == "skills"
    assert answer_field("body.email") is None


def test_mentor_picks_keep_order_without_blanks_or_repeats() -> None:
    assert ordered_picks([" m-2", "", "m-1", "m-2", "m-3", "m-4"]) == ["m-2", "m-1", "m-3"]


def test_surveys_open_from_the_midpoint_and_two_weeks_before_the_end() -> None:
    program = Program.model_validate(
        {
            "program_id": "p",
            "name": "P",
            "goal": "other",
            "format": "one_on_one",
            "cadence": "weekly",
            "starts_on": "2027-01-01",
            "ends_on": "2027-05-01",
            "registration_status": "closed",
            "registration_opens_at": "2026-12-01T00:00:00Z",
            "registration_closes_at": "2026-12-20T00:00:00Z",
            "matching_mode": "admin_led",
        }
    )
    assert open_surveys(program, date(2026, 12, 31)) == []
    assert open_surveys(program, date(2027, 2, 1)) == []
    assert open_surveys(program, date(2027, 3, 2)) == ["mid_program"]
    assert open_surveys(program, date(2027, 4, 20)) == ["mid_program", "closing"]
    assert open_surveys(program, date(2027, 6, 15)) == []
