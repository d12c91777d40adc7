"""The mentee's development plan: adding goals and recording progress."""

from __future__ import annotations

from uuid import uuid4

from feedback.adapters.records import Records
from feedback.domain.development import NewGoal, ProgressReport, add_goal, record_progress
from feedback.domain.records import Goal
from feedback.domain.topics import program_topics
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_kit.errors import NotFoundError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


class DevelopmentService:
    """Goals of a pair's mentee, written by either member."""

    def __init__(self, transactor: Transactor, access: Access, goals: Records[Goal]) -> None:
        self._transactor = transactor
        self._access = access
        self._goals = goals

    async def add(
        self, pair_id: str, goal: NewGoal, caller: Principal, mentee: str | None = None
    ) -> Goal:
        """A new goal for the pair's mentee."""
        member = await self._access.pair_member(pair_id, caller, mentee)
        program = await self._access.program(member.pair.program_id)
        goal_id = uuid4().hex

        async def store(tx: Transaction) -> Goal:
            decision = add_goal(
                goal_id=goal_id,
                member=member,
                known_topics=program_topics(program),
                goal=goal,
                now=tx.now,
            )
            await self._goals.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def progress(self, goal_id: str, report: ProgressReport, caller: Principal) -> Goal:
        """Record progress on a goal."""
        goal = await self._goals.get(goal_id)
        if goal is None:
            raise NotFoundError(f"goal {goal_id}")
        await self._access.pair_member(goal.pair_id, caller)

        async def store(tx: Transaction) -> Goal:
            current = await self._goals.get(goal_id, tx)
            if current is None:
                raise NotFoundError(f"goal {goal_id}")
            decision = record_progress(goal=current, report=report, now=tx.now)
            await self._goals.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def of_pair(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> list[Goal]:
        """The pair's development plan."""
        pair, _ = await self._access.pair_reader(pair_id, caller, mentee)
        return await self._goals.find({"pair_id": pair.pair_id})
