"""The participants read model, projected from the participant events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from analytics.domain.registrations import RegistrationSummary, RoleTally
from mentorship_contracts.events import ParticipantRegistered, ParticipantUpdated
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction

PARTICIPANTS = "participants"
ACTIVE, WITHDRAWN = "active", "withdrawn"


class ParticipantsReadModel:
    """One document per registration: program, role, capacity and status."""

    def __init__(self, database: Database) -> None:
        self._collection: Collection = database[PARTICIPANTS]

    @staticmethod
    def indexes() -> Indexes:
        """Reports select by program."""
        return Indexes(
            PARTICIPANTS,
            (IndexModel([("program_id", ASCENDING), ("status", ASCENDING)], name="by_program"),),
        )

    async def record(
        self, event: ParticipantRegistered | ParticipantUpdated, tx: Transaction
    ) -> None:
        """Store the participant's current state (status active)."""
        await self._collection.update_one(
            {"_id": event.participant_id},
            {
                "$set": {
                    "program_id": event.program_id,
                    "role": event.role.value,
                    "capacity": event.capacity,
                    "status": ACTIVE,
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def withdraw(
        self, participant_id: str, program_id: str, at: datetime, tx: Transaction
    ) -> None:
        """Mark the participant withdrawn (counted apart from active ones)."""
        await self._collection.update_one(
            {"_id": participant_id},
            {"$set": {"program_id": program_id, "status": WITHDRAWN, "withdrew_at": at}},
            upsert=True,
            session=tx.session,
        )

    async def summary(self, program_id: str) -> RegistrationSummary:
        """The program's registration report."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"program_id": program_id}},
            {
                "$group": {
                    "_id": {"status": "$status", "role": "$role"},
                    "participants": {"$sum": 1},
                    "capacity": {"$sum": "$capacity"},
                }
            },
        ]
        active: list[RoleTally] = []
        withdrawn = 0
        async for group in await self._collection.aggregate(pipeline):
            if group["_id"]["status"] == WITHDRAWN:
                withdrawn += group["participants"]
            elif group["_id"].get("role") is not None:
                active.append(
                    RoleTally(
                        ParticipantRole(group["_id"]["role"]),
                        group["participants"],
                        group["capacity"],
                    )
                )
        return RegistrationSummary.tally(program_id, active, withdrawn)
