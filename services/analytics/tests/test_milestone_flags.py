"""Milestone flags in the health report: overdue, at risk (due within 14 days, under half)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from analytics.domain import reports
from analytics.domain.documents import GoalFact, ProgramFacts
from analytics.domain.facts import Batch, Target
from analytics.domain.milestone_flags import AT_RISK_STEP, OVERDUE_STEP
from mentorship_contracts import seal
from mentorship_contracts.events import GoalProgressUpdated, MilestoneDue
from mentorship_contracts.examples import PROGRAM, example

NOW = datetime(2026, 5, 1, 9, tzinfo=UTC)


def _goal(goal_id: str, progress: int, *due: tuple[int, date, bool], **changes: object) -> GoalFact:
    """A goal folded from its `GoalProgressUpdated`, as the projection stores it."""
    event = example(
        GoalProgressUpdated,
        goal_id=goal_id,
        progress_percent=progress,
        milestones_due=tuple(MilestoneDue(index=i, due_on=d, reached=r) for i, d, r in due),
        **changes,
    )
    folded = Batch((seal(event, source="test"),)).fold({})
    fact = folded[Target(GoalFact, goal_id)]
    assert isinstance(fact, GoalFact)
    return fact


def test_overdue_and_at_risk_milestones_are_flagged_with_a_next_step() -> None:
    goals = [
        _goal("g-late", 80, (0, date(2026, 4, 20), False), (1, date(2026, 4, 1), True)),
        _goal("g-soon", 30, (0, date(2026, 5, 10), False), (1, date(2026, 5, 15), False)),
        _goal("g-far", 30, (0, date(2026, 5, 16), False)),
        _goal("g-ahead", 60, (0, date(2026, 5, 5), False)),
        _goal("g-done", 100, (0, date(2026, 4, 1), False), completed=True),
        _goal("g-older", 10, (2, date(2026, 3, 1), False)),
    ]
    health = reports.health(
        ProgramFacts(program_id=PROGRAM, goals=goals), now=NOW, inactive_after_days=45
    )
    assert [(f.goal_id, f.milestone, f.days) for f in health.overdue_milestones] == [
        ("g-older", 2, 61),
        ("g-late", 0, 11),
    ]
    assert [(f.goal_id, f.milestone, f.days) for f in health.milestones_at_risk] == [
        ("g-soon", 0, 9),
        ("g-soon", 1, 14),
    ]
    assert {f.next_step for f in health.overdue_milestones} == {OVERDUE_STEP}
    assert {f.next_step for f in health.milestones_at_risk} == {AT_RISK_STEP}
    assert health.overdue_milestones[0].pair_id == goals[0].pair_id
