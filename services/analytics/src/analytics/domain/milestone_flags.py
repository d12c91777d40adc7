"""Milestone flags of the health report: overdue, or at risk, each with a suggested next step.

A milestone not yet reached is *overdue* once its due day has passed, and *at risk* when it
is due within `AT_RISK_DAYS` days while its goal's progress is under half. Reached milestones
and completed goals are never flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel

from analytics.domain.documents import GoalFact

AT_RISK_DAYS = 14
AT_RISK_PROGRESS = 50
OVERDUE_STEP = (
    "Talk it through at the pair's next session: agree a new due day, or split the milestone "
    "into smaller steps the mentee can reach within two weeks."
)
AT_RISK_STEP = (
    "Ask the pair to review this milestone at their next session and agree what the mentee "
    "does this week; if it no longer fits the goal, move its due day."
)


class MilestoneFlag(BaseModel):
    """A milestone that needs attention."""

    goal_id: str
    pair_id: str | None
    milestone: int
    due_on: date
    days: int
    """Days overdue (overdue flags) or days left (at-risk flags)."""
    goal_progress: int
    next_step: str


def milestone_flags(
    goals: Iterable[GoalFact], today: date
) -> tuple[list[MilestoneFlag], list[MilestoneFlag]]:
    """The overdue milestones (most overdue first) and those at risk (soonest first)."""
    overdue: list[MilestoneFlag] = []
    at_risk: list[MilestoneFlag] = []
    for goal in goals:
        if goal.completed:
            continue
        for milestone in goal.milestones_due:
            if milestone.reached:
                continue
            days = (milestone.due_on - today).days
            if days < 0:
                overdue.append(
                    MilestoneFlag(
                        goal_id=goal.id,
                        pair_id=goal.pair_id,
                        milestone=milestone.index,
                        due_on=milestone.due_on,
                        days=-days,
                        goal_progress=goal.progress,
                        next_step=OVERDUE_STEP,
                    )
                )
            elif days <= AT_RISK_DAYS and goal.progress < AT_RISK_PROGRESS:
                at_risk.append(
                    MilestoneFlag(
                        goal_id=goal.id,
                        pair_id=goal.pair_id,
                        milestone=milestone.index,
                        due_on=milestone.due_on,
                        days=days,
                        goal_progress=goal.progress,
                        next_step=AT_RISK_STEP,
                    )
                )
    overdue.sort(key=lambda f: (-f.days, f.goal_id, f.milestone))
    at_risk.sort(key=lambda f: (f.days, f.goal_id, f.milestone))
    return overdue, at_risk
