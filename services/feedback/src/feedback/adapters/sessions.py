"""Held sessions: the sessions feedback can be given on, and by whom."""

from __future__ import annotations

from collections.abc import Sequence

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

    async def sessions_of(self, participant_ids: Sequence[str]) -> list[SessionCompleted]:
        """The held sessions any of ``participant_ids`` took part in, by session id."""
        found = await self.sessions.find({"participant_ids": {"$in": list(participant_ids)}})
        return sorted(found, key=lambda session: session.session_id)

    async def held_together(self, mentor: str, mentee: str) -> int:
        """How many held sessions both took part in."""
        return await self.sessions.count({"participant_ids": {"$all": [mentor, mentee]}})
