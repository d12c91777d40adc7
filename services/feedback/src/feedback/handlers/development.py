"""The mentee's development plan: goals with milestones and progress."""

from __future__ import annotations

from uuid import uuid4

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.records import Goal, Milestone, goal_progress
from feedback.handlers.access import Access
from feedback.handlers.inputs import GoalInput, GoalProgressInput
from feedback.handlers.topics import check_topics, program_of
from mentorship_contracts.events import GoalProgressUpdated
from mentorship_kit.auth import Principal
from mentorship_kit.errors import InvalidInputError, NotFoundError
from mentorship_kit.outbox import Transaction, Transactor


class DevelopmentService:
    """Goals of a pair's mentee, written by either member."""

    def __init__(
        self, transactor: Transactor, access: Access, directory: Directory, goals: Records[Goal]
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._goals = goals

    async def add(self, pair_id: str, given: GoalInput, caller: Principal) -> Goal:
        """A new goal for the pair's mentee."""
        member = await self._access.pair_member(pair_id, caller)
        check_topics(
            await program_of(self._directory, member.pair.program_id), {"topic": given.topic}
        )

        async def store(tx: Transaction) -> Goal:
            goal = Goal(
                goal_id=uuid4().hex,
                pair_id=pair_id,
                program_id=member.pair.program_id,
                participant_id=member.pair.mentee_participant_id,
                topic=given.topic,
                title=given.title,
                milestones=tuple(Milestone(title=title) for title in given.milestones),
                progress_percent=0,
                updated_at=tx.now,
            )
            await self._goals.put(goal, tx)
            _announce(goal, tx)
            return goal

        return await self._transactor.run(store)

    async def progress(self, goal_id: str, given: GoalProgressInput, caller: Principal) -> Goal:
        """Record progress on a goal."""
        goal = await self._goals.get(goal_id)
        if goal is None:
            raise NotFoundError(f"goal {goal_id}")
        await self._access.pair_member(goal.pair_id, caller)
        reached = set(given.milestones_reached or ())
        if given.milestones_reached is not None:
            wrong = [
                (f"body.milestones_reached[{i}]", f"the goal has {len(goal.milestones)} milestones")
                for i, index in enumerate(given.milestones_reached)
                if not 0 <= index < len(goal.milestones)
            ]
            if wrong:
                raise InvalidInputError(wrong)

        async def store(tx: Transaction) -> Goal:
            current = await self._goals.get(goal_id, tx)
            if current is None:
                raise NotFoundError(f"goal {goal_id}")
            milestones = current.milestones
            if given.milestones_reached is not None:
                milestones = tuple(
                    m.model_copy(update={"reached": i in reached}) for i, m in enumerate(milestones)
                )
            updated = current.model_copy(
                update={
                    "milestones": milestones,
                    "progress_percent": goal_progress(
                        milestones, given.progress_percent, current.progress_percent
                    ),
                    "updated_at": tx.now,
                }
            )
            await self._goals.put(updated, tx)
            _announce(updated, tx)
            return updated

        return await self._transactor.run(store)

    async def of_pair(self, pair_id: str, caller: Principal) -> list[Goal]:
        """The pair's development plan."""
        await self._access.pair_reader(pair_id, caller)
        return await self._goals.find({"pair_id": pair_id})


def _announce(goal: Goal, tx: Transaction) -> None:
    tx.emit(
        GoalProgressUpdated(
            goal_id=goal.goal_id,
            program_id=goal.program_id,
            participant_id=goal.participant_id,
            pair_id=goal.pair_id,
            topic=goal.topic,
            progress_percent=goal.progress_percent,
            milestones_total=len(goal.milestones),
            milestones_reached=sum(m.reached for m in goal.milestones),
            completed=goal.completed,
            updated_at=goal.updated_at,
        )
    )
