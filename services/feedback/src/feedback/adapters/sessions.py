"""Held sessions: the sessions feedback can be given on, and by whom."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events import SessionCompleted
from mentorship_kit.mongo import Database, Indexes
from mentorship_kit.snapshots import SnapshotStore


class HeldSessions:
    """Sessions that were held, by session id."""

    def __init__(self, database: Database) -> None:
        self.sessions: SnapshotStore[SessionCompleted] = SnapshotStore(
            database, "held_sessions", SessionCompleted
        )

    def indexes(self) -> tuple[Indexes, ...]:
        """Held sessions are found by participant (membership, erasure)."""
        return (
            self.sessions.indexes(
                IndexModel([("state.participant_ids", ASCENDING)], name="by_participant")
            ),
        )

    async def held_together(self, mentor: str, mentee: str) -> int:
        """How many held sessions both took part in."""
        return await self.sessions.count({"participant_ids": {"$all": [mentor, mentee]}})
