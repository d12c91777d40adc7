"""The skills growth report: per skill, the change from baseline to end by rater kind.

For each skill and kind of rater, only mentees rated at both moments count: their change is
the end level less the first one (the self, manager and peers' baseline; the mentor's first
rating is the midpoint, so a mentor's change is midpoint to end). The mean change gets a 95%
t interval (mean +- t(0.975, n-1) * sd / sqrt(n)). The share of mentees whose self and mentor
ratings both rose (among those with both changes) gets a Wilson interval. Groups of fewer than
five mentees are never shown: such a row says only that it is hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import fmean, stdev

from pydantic import BaseModel, Field

from analytics.domain.comparison import Z_95, wilson
from analytics.domain.documents import ProgramFacts, SkillsFact
from mentorship_contracts.types import AssessmentMoment, RaterKind

MIN_GROUP_SIZE = 5

FIRST: dict[RaterKind, AssessmentMoment] = {
    RaterKind.SELF: AssessmentMoment.BASELINE,
    RaterKind.MENTOR: AssessmentMoment.MIDPOINT,
    RaterKind.MANAGER: AssessmentMoment.BASELINE,
    RaterKind.PEER: AssessmentMoment.BASELINE,
}
"""The moment each kind of rater first rates (their change runs from it to the end)."""


def t_quantile_975(df: int) -> float:
    """Student's t 0.975 quantile (Cornish-Fisher expansion; within 0.001 from 4 df on)."""
    z, v = Z_95, float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


class GrowthRow(BaseModel):
    """One skill's change by one kind of rater (numbers are None when hidden)."""

    skill: str
    rater_kind: RaterKind
    hidden: bool = Field(description="Fewer than five mentees rated at both moments.")
    mentees: int | None = None
    first_mean: float | None = Field(default=None, description="Baseline (mentor: midpoint).")
    end_mean: float | None = None
    change: float | None = Field(default=None, description="Mean change, end less first.")
    change_low: float | None = Field(default=None, description="95% interval, low.")
    change_high: float | None = Field(default=None, description="95% interval, high.")


class BothRoseRow(BaseModel):
    """Of the mentees with a self and a mentor change on a skill, the share where both rose."""

    skill: str
    hidden: bool
    mentees: int | None = None
    share: float | None = None
    share_low: float | None = None
    share_high: float | None = None


class SkillsGrowthReport(BaseModel):
    """The program's skills growth, per skill and rater kind."""

    program_id: str
    min_group_size: int = MIN_GROUP_SIZE
    growth: list[GrowthRow]
    both_rose: list[BothRoseRow]


def _changes(
    assessments: list[SkillsFact],
) -> dict[tuple[str, RaterKind], dict[str, tuple[float, float]]]:
    """(skill, kind) -> mentee key -> (first level, end level), for mentees rated at both."""
    levels: dict[tuple[RaterKind, AssessmentMoment, str], dict[str, float]] = {}
    for fact in assessments:  # a mentee has one assessment per kind and moment (peers: average)
        levels[fact.rater_kind, fact.moment, fact.owner_key] = fact.levels
    found: dict[tuple[str, RaterKind], dict[str, tuple[float, float]]] = defaultdict(dict)
    for (kind, moment, owner), end in levels.items():
        if moment is not AssessmentMoment.END:
            continue
        first = levels.get((kind, FIRST[kind], owner))
        if first is None:
            continue
        for skill, level in end.items():
            if skill in first:
                found[skill, kind][owner] = (first[skill], level)
    return found


def _growth_row(skill: str, kind: RaterKind, pairs: list[tuple[float, float]]) -> GrowthRow:
    n = len(pairs)
    if n < MIN_GROUP_SIZE:
        return GrowthRow(skill=skill, rater_kind=kind, hidden=True)
    diffs = [end - first for first, end in pairs]
    mean = fmean(diffs)
    half = t_quantile_975(n - 1) * stdev(diffs) / math.sqrt(n)
    return GrowthRow(
        skill=skill,
        rater_kind=kind,
        hidden=False,
        mentees=n,
        first_mean=round(fmean(first for first, _ in pairs), 3),
        end_mean=round(fmean(end for _, end in pairs), 3),
        change=round(mean, 3),
        change_low=round(mean - half, 3),
        change_high=round(mean + half, 3),
    )


def skills_growth(facts: ProgramFacts) -> SkillsGrowthReport:
    """The skills growth report of a program."""
    changes = _changes(list(facts.skills))
    skills = sorted({skill for skill, _ in changes})
    growth = [
        _growth_row(skill, kind, list(changes[skill, kind].values()))
        for skill in skills
        for kind in RaterKind
        if (skill, kind) in changes
    ]
    both: list[BothRoseRow] = []
    for skill in skills:
        mine, mentor = (
            changes.get((skill, RaterKind.SELF), {}),
            changes.get((skill, RaterKind.MENTOR), {}),
        )
        owners = mine.keys() & mentor.keys()
        if not owners:
            continue
        if len(owners) < MIN_GROUP_SIZE:
            both.append(BothRoseRow(skill=skill, hidden=True))
            continue
        rose = sum(1 for o in owners if mine[o][1] > mine[o][0] and mentor[o][1] > mentor[o][0])
        interval = wilson(rose, len(owners))
        both.append(
            BothRoseRow(
                skill=skill,
                hidden=False,
                mentees=len(owners),
                share=round(rose / len(owners), 3),
                share_low=round(interval.low, 3),
                share_high=round(interval.high, 3),
            )
        )
    return SkillsGrowthReport(program_id=facts.program_id, growth=growth, both_rose=both)
