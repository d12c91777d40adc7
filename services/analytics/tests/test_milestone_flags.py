"""Milestone flags in the health report: overdue, at risk (due within 14 days, under half)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from analytics.app import build_app
from analytics.domain import reports
from analytics.domain.aggregates import ProgramAggregates
from analytics.domain.documents import Fact, GoalFact
from analytics.domain.facts import Target, fold_into
from analytics.domain.milestone_flags import AT_RISK_STEP, OVERDUE_STEP
from analytics.settings import AnalyticsSettings
from mentorship_contracts import seal
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MilestoneDue,
    ParticipantErased,
    ParticipantRegistered,
    ProgramCreated,
)
from mentorship_contracts.examples import PROGRAM, example
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

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
    folded: dict[Target, Fact] = {}
    fold_into(folded, seal(event, source="test"))
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
        ProgramAggregates(program_id=PROGRAM), now=NOW, inactive_after_days=45, goals=goals
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


@pytest.mark.integration
async def test_the_service_flags_milestones_from_the_stored_goals_but_not_the_erased(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    """The health report reads the open goals with a milestone not reached, as stored; a goal
    of a person erased since is no longer flagged."""
    settings = make_settings(AnalyticsSettings)
    today = utc_now().date()
    late, soon = today - timedelta(days=3), today + timedelta(days=5)

    def goal(goal_id: str, owner: str, reached: bool = False, **changes: Any) -> Any:
        return example(
            GoalProgressUpdated,
            goal_id=goal_id,
            participant_id=owner,
            milestones_due=(MilestoneDue(index=0, due_on=late, reached=reached),),
            **{"progress_percent": 20, **changes},
        )

    registered = [
        example(ParticipantRegistered, participant_id=who, person_id=f"person-{who}")
        for who in ("part-ana", "part-bo")
    ]
    goals = [
        goal("g-ana", "part-ana"),
        goal("g-bo", "part-bo"),
        goal("g-done", "part-ana", completed=True, progress_percent=100),
        goal("g-reached", "part-ana", reached=True),
        example(
            GoalProgressUpdated,
            goal_id="g-soon",
            participant_id="part-bo",
            progress_percent=10,
            milestones_due=(MilestoneDue(index=1, due_on=soon, reached=False),),
        ),
    ]
    admin = bearer(DEV_ADMIN_TOKEN)
    base = f"/v1/programs/{PROGRAM}/reports"
    async with serve_app(build_app(settings)) as client:

        async def get(name: str) -> dict[str, Any]:
            response = await client.get(f"{base}/{name}", headers=admin)
            return dict(response.json()) if response.status_code == 200 else {}

        events = [example(ProgramCreated), *registered, *goals]
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await eventually(lambda: get("skills"), lambda r: r.get("goals") == len(goals))
        health = await eventually(
            lambda: get("health"), lambda h: len(h.get("overdue_milestones", [])) == 2
        )
        assert [(f["goal_id"], f["days"]) for f in health["overdue_milestones"]] == [
            ("g-ana", 3),
            ("g-bo", 3),
        ], "completed goals and reached milestones are never flagged"
        assert [(f["goal_id"], f["days"]) for f in health["milestones_at_risk"]] == [("g-soon", 5)]

        erasure = ParticipantErased(
            participant_id="part-bo",
            program_id=PROGRAM,
            person_id="person-part-bo",
            erased_at=utc_now(),
        )
        await publish_events(
            settings.kafka_bootstrap, [erasure], prefix=settings.kafka_topic_prefix
        )
        await eventually(lambda: get("registration"), lambda r: r.get("participants") == 1)
        health = await get("health")
        assert [f["goal_id"] for f in health["overdue_milestones"]] == ["g-ana"]
        assert health["milestones_at_risk"] == []
