"""The mentee's development plan: goals with milestones and how far each has come."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from feedback.domain.decisions import Decision
from feedback.domain.errors import FeedbackInputError
from feedback.domain.membership import Membership
from feedback.domain.records import Goal, Milestone
from feedback.domain.topics import check_topics
from mentorship_contracts.events import GoalProgressUpdated, MilestoneDue


@dataclass(frozen=True, slots=True)
class NewGoal:
    """A goal to add to the plan: the program topic it works towards, its milestones."""

    topic: str
    title: str
    milestones: tuple[str, ...] = ()
    due_on: tuple[date | None, ...] = ()
    """Each milestone's due day, by position (missing or None: no due day)."""


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Progress on a goal: a percentage, the milestones reached (indexes from 0), or both."""

    progress_percent: int | None = None
    milestones_reached: tuple[int, ...] | None = None


def add_goal(
    *,
    goal_id: str,
    member: Membership,
    known_topics: Collection[str],
    goal: NewGoal,
    now: datetime,
) -> Decision[Goal]:
    """A new goal in the plan of the pair's mentee (whichever member adds it), at 0%.

    Raises:
        FeedbackInputError: the topic is not one of the program's skills or goals.
    """
    check_topics(known_topics, {"topic": goal.topic})
    added = Goal(
        goal_id=goal_id,
        pair_id=member.pair.pair_id,
        program_id=member.pair.program_id,
        participant_id=member.pair.mentee_participant_id,
        topic=goal.topic,
        title=goal.title,
        milestones=tuple(
            Milestone(title=title, due_on=goal.due_on[i] if i < len(goal.due_on) else None)
            for i, title in enumerate(goal.milestones)
        ),
        progress_percent=0,
        updated_at=now,
    )
    return Decision(added, (progress_updated(added),))


def record_progress(*, goal: Goal, report: ProgressReport, now: datetime) -> Decision[Goal]:
    """The goal with ``report`` applied.

    Milestones reached are exactly those listed (the others are not); the percentage is the
    one given, else the share of milestones reached, else unchanged.

    Raises:
        FeedbackInputError: a milestone index the goal does not have.
    """
    milestones = goal.milestones
    if report.milestones_reached is not None:
        wrong = [
            (f"milestones_reached[{i}]", f"the goal has {len(milestones)} milestones")
            for i, index in enumerate(report.milestones_reached)
            if not 0 <= index < len(milestones)
        ]
        if wrong:
            raise FeedbackInputError(wrong)
        reached = set(report.milestones_reached)
        milestones = tuple(
            m.model_copy(update={"reached": i in reached}) for i, m in enumerate(milestones)
        )
    updated = goal.model_copy(
        update={
            "milestones": milestones,
            "progress_percent": goal_progress(
                milestones, report.progress_percent, goal.progress_percent
            ),
            "updated_at": now,
        }
    )
    return Decision(updated, (progress_updated(updated),))


def goal_progress(
    milestones: Sequence[Milestone], progress_percent: int | None, current: int
) -> int:
    """A goal's progress: given explicitly, else the share of milestones reached."""
    if progress_percent is not None:
        return progress_percent
    if milestones:
        return round(100 * sum(m.reached for m in milestones) / len(milestones))
    return current


def progress_updated(goal: Goal) -> GoalProgressUpdated:
    """The event announcing where ``goal`` stands (numbers only, not its title)."""
    return GoalProgressUpdated(
        goal_id=goal.goal_id,
        program_id=goal.program_id,
        participant_id=goal.participant_id,
        pair_id=goal.pair_id,
        topic=goal.topic,
        progress_percent=goal.progress_percent,
        milestones_total=len(goal.milestones),
        milestones_reached=sum(m.reached for m in goal.milestones),
        milestones_due=tuple(
            MilestoneDue(index=i, due_on=m.due_on, reached=m.reached)
            for i, m in enumerate(goal.milestones)
            if m.due_on is not None
        ),
        completed=goal.completed,
        updated_at=goal.updated_at,
    )
