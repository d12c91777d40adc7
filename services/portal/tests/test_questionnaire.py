"""Reading a registration form the way the questionnaire says, and why people were matched
(no I/O)."""

from __future__ import annotations

from portal.domain.models import InCommon, Questionnaire
from portal.domain.questionnaire import answer_field, is_shown, ordered_picks, read_answers
from portal.domain.why import (
    Strength,
    Why,
    choice_labels,
    labelled,
    pick_rank,
    why_matched,
)

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


def test_why_two_people_were_matched_reads_off_each_contribution_over_its_weight() -> None:
    weights = {"skills": 3.0, "goals": 2.0, "interests": 1.0, "time_zone": 1.0}
    shared = InCommon(skills=("python",), time_zone_gap_hours=1.0)
    why = why_matched(
        {"skills": 3.0, "goals": 1.0, "interests": 0.0, "time_zone": 0.9, "pick": 1.0},
        weights,
        shared,
        pick_bonus=1.0,
    )
    assert [(r.criterion, r.strength) for r in why.reasons] == [
        ("pick", Strength.STRONG),
        ("skills", Strength.STRONG),
        ("time_zone", Strength.STRONG),
        ("goals", Strength.PARTIAL),
    ]
    pick, skills, zone, goals = why.reasons
    assert pick.rank == 1
    assert skills.values == ("python",)
    assert zone.gap_hours == 1.0
    assert goals.share == 0.5
    assert why.fit == (3.0 + 1.0 + 0.9) / 7.0  # the pick bonus is not part of the fit


def test_a_picks_contribution_says_its_rank_and_no_weight_means_no_reason() -> None:
    assert [pick_rank(1.0 * (4 - rank) / 3, 1.0) for rank in (1, 2, 3)] == [1, 2, 3]
    assert pick_rank(0.0, 1.0) is None
    assert why_matched({"skills": 2.0}, {"skills": 0.0}, None) == Why(fit=0.0, reasons=())
    light = why_matched({"interests": 0.2}, {"interests": 1.0}, None).reasons[0]
    assert (light.strength, light.values) == (Strength.LIGHT, ())


def test_choice_keys_read_as_their_labels() -> None:
    questionnaire = Questionnaire.model_validate(
        {
            "version": 1,
            "questions": [
                {
                    "key": "skills",
                    "prompt": "Skills?",
                    "kind": "multiple_choice",
                    "choices": [{"key": "public_speaking", "label": "Public speaking"}],
                }
            ],
        }
    )
    labels = choice_labels(questionnaire)
    assert labelled(["public_speaking", "team_lead"], labels) == ["Public speaking", "team lead"]
