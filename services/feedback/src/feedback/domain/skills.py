"""Skills assessments: a mentee's level (1-5) on the skills they chose to grow, by rater kind.

The mentee rates themselves at the baseline and the end, their mentor at the midpoint and the
end (managers and peers answer through a link, once, see the 360 requests). The mentee or
mentor answering again replaces their earlier answer for that moment. The event carries
numbers and the mentee's pseudonymous participant id only: no rater is ever named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from feedback.domain.decisions import Decision
from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.records import Record, stable_id
from mentorship_contracts.events import SkillLevel, SkillsAssessed
from mentorship_contracts.types import AssessmentMoment, RaterKind

LOWEST, HIGHEST = 1, 5

MOMENTS: dict[RaterKind, frozenset[AssessmentMoment]] = {
    RaterKind.SELF: frozenset({AssessmentMoment.BASELINE, AssessmentMoment.END}),
    RaterKind.MENTOR: frozenset({AssessmentMoment.MIDPOINT, AssessmentMoment.END}),
    RaterKind.MANAGER: frozenset({AssessmentMoment.BASELINE, AssessmentMoment.END}),
    RaterKind.PEER: frozenset({AssessmentMoment.BASELINE, AssessmentMoment.END}),
}
"""When each kind of rater rates."""


class SkillsAssessment(Record):
    """One rater's levels for one mentee at one moment (``rater_key`` is never published)."""

    assessment_id: str
    program_id: str
    participant_id: str
    rater_kind: RaterKind
    rater_key: str
    moment: AssessmentMoment
    levels: dict[str, int]
    assessed_at: datetime


def assessment_id(
    program_id: str,
    mentee_participant_id: str,
    rater_kind: RaterKind,
    rater_key: str,
    moment: AssessmentMoment,
) -> str:
    """The id of one rater's assessment of a mentee at a moment (the same for every answer)."""
    return stable_id(
        "sa", program_id, mentee_participant_id, rater_kind.value, rater_key, moment.value
    )


def assess_skills(
    *,
    program_id: str,
    mentee_participant_id: str,
    chosen_skills: Sequence[str],
    rater_kind: RaterKind,
    rater_key: str,
    moment: AssessmentMoment,
    levels: Mapping[str, int],
    now: datetime,
) -> Decision[SkillsAssessment]:
    """The rater's assessment of the mentee, announced as numbers only.

    Raises:
        FeedbackRuleError: the mentee chose no skills, or this rater does not rate then.
        FeedbackInputError: a level for a skill the mentee did not choose, a chosen skill
            left unrated, or a level outside 1-5 (each named ``levels.<skill>``).
    """
    if not chosen_skills:
        msg = "the mentee chose no skills to grow at registration: there is nothing to rate"
        raise FeedbackRuleError("no_skills_chosen", msg)
    if moment not in MOMENTS[rater_kind]:
        allowed = ", ".join(sorted(m.value for m in MOMENTS[rater_kind]))
        msg = f"a {rater_kind.value} rater rates at: {allowed}"
        raise FeedbackRuleError("not_an_assessment_moment", msg)
    problems = [
        (f"levels.{skill}", "a skill the mentee chose: rate it 1 to 5")
        for skill in chosen_skills
        if skill not in levels
    ]
    for skill, level in levels.items():
        if skill not in chosen_skills:
            problems.append((f"levels.{skill}", "not one of the skills the mentee chose"))
        elif not LOWEST <= level <= HIGHEST:
            problems.append((f"levels.{skill}", f"must be {LOWEST} to {HIGHEST}"))
    if problems:
        raise FeedbackInputError(problems)
    ordered = {skill: levels[skill] for skill in chosen_skills}
    assessment = SkillsAssessment(
        assessment_id=assessment_id(
            program_id, mentee_participant_id, rater_kind, rater_key, moment
        ),
        program_id=program_id,
        participant_id=mentee_participant_id,
        rater_kind=rater_kind,
        rater_key=rater_key,
        moment=moment,
        levels=ordered,
        assessed_at=now,
    )
    event = SkillsAssessed(
        assessment_id=assessment.assessment_id,
        program_id=program_id,
        participant_id=mentee_participant_id,
        rater_kind=rater_kind,
        moment=moment,
        levels=tuple(SkillLevel(skill=s, level=v) for s, v in ordered.items()),
        assessed_at=now,
    )
    return Decision(assessment, (event,))
