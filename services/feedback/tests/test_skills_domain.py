"""Skills assessment rules: who rates when, every chosen skill, levels 1-5, numbers only out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.skills import assess_skills
from mentorship_contracts.events import SkillsAssessed
from mentorship_contracts.types import AssessmentMoment, RaterKind

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)
CHOSEN = ("public_speaking", "delegation")


def _assess(
    kind: RaterKind = RaterKind.SELF,
    moment: AssessmentMoment = AssessmentMoment.BASELINE,
    levels: dict[str, int] | None = None,
    chosen: tuple[str, ...] = CHOSEN,
    rater: str = "part-mentee",
) -> object:
    return assess_skills(
        program_id="prog",
        mentee_participant_id="part-mentee",
        chosen_skills=chosen,
        rater_kind=kind,
        rater_key=rater,
        moment=moment,
        levels={"public_speaking": 2, "delegation": 3} if levels is None else levels,
        now=NOW,
    )


def test_an_assessment_is_announced_with_numbers_and_the_mentee_only() -> None:
    decision = assess_skills(
        program_id="prog",
        mentee_participant_id="part-mentee",
        chosen_skills=CHOSEN,
        rater_kind=RaterKind.MENTOR,
        rater_key="part-mentor",
        moment=AssessmentMoment.END,
        levels={"delegation": 4, "public_speaking": 5},
        now=NOW,
    )
    assert decision.state.levels == {"public_speaking": 5, "delegation": 4}
    (event,) = decision.events
    assert isinstance(event, SkillsAssessed)
    assert event.participant_id == "part-mentee"
    assert event.rater_kind is RaterKind.MENTOR
    assert [(level.skill, level.level) for level in event.levels] == [
        ("public_speaking", 5),
        ("delegation", 4),
    ]
    assert "part-mentor" not in event.model_dump_json()


def test_the_same_rater_and_moment_is_the_same_assessment() -> None:
    first = assess_skills(
        program_id="prog",
        mentee_participant_id="part-mentee",
        chosen_skills=CHOSEN,
        rater_kind=RaterKind.SELF,
        rater_key="part-mentee",
        moment=AssessmentMoment.BASELINE,
        levels={"public_speaking": 1, "delegation": 1},
        now=NOW,
    )
    again = assess_skills(
        program_id="prog",
        mentee_participant_id="part-mentee",
        chosen_skills=CHOSEN,
        rater_kind=RaterKind.SELF,
        rater_key="part-mentee",
        moment=AssessmentMoment.BASELINE,
        levels={"public_speaking": 2, "delegation": 2},
        now=NOW,
    )
    end = assess_skills(
        program_id="prog",
        mentee_participant_id="part-mentee",
        chosen_skills=CHOSEN,
        rater_kind=RaterKind.SELF,
        rater_key="part-mentee",
        moment=AssessmentMoment.END,
        levels={"public_speaking": 2, "delegation": 2},
        now=NOW,
    )
    assert first.state.assessment_id == again.state.assessment_id != end.state.assessment_id


@pytest.mark.parametrize(
    ("kind", "moment"),
    [
        (RaterKind.SELF, AssessmentMoment.MIDPOINT),
        (RaterKind.MENTOR, AssessmentMoment.BASELINE),
    ],
)
def test_each_rater_rates_only_at_their_moments(kind: RaterKind, moment: AssessmentMoment) -> None:
    with pytest.raises(FeedbackRuleError) as refused:
        _assess(kind, moment)
    assert refused.value.code == "not_an_assessment_moment"


def test_nothing_to_rate_without_chosen_skills() -> None:
    with pytest.raises(FeedbackRuleError) as refused:
        _assess(chosen=())
    assert refused.value.code == "no_skills_chosen"


def test_errors_name_each_bad_skill() -> None:
    with pytest.raises(FeedbackInputError) as refused:
        _assess(levels={"public_speaking": 6, "juggling": 3})
    assert sorted(field for field, _ in refused.value.problems) == [
        "levels.delegation",
        "levels.juggling",
        "levels.public_speaking",
    ]
