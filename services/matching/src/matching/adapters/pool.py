"""The matching pool: each program's registered participants, projected from events."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo import ASCENDING, IndexModel, ReturnDocument

from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore

POOL, VERSIONS = "pool", "pool_versions"


class MatchingPool:
    """Programs and the participants waiting in them."""

    def __init__(self, database: Database) -> None:
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(
            database, "programs", ProgramState
        )
        self.participants: SnapshotStore[ParticipantState] = SnapshotStore(
            database, POOL, ParticipantState
        )
        self._pool: Collection = database[POOL]
        self._versions: Collection = database[VERSIONS]

    def indexes(self) -> tuple[Indexes, ...]:
        """The pool is read per program, and per person (a participant's own views)."""
        return (
            self.programs.indexes(),
            self.participants.indexes(
                IndexModel([("state.program_id", ASCENDING)], name="by_program"),
                IndexModel(
                    [("state.program_id", ASCENDING), ("_id", ASCENDING)], name="by_program_page"
                ),
                IndexModel([("state.person_id", ASCENDING)], name="by_person"),
            ),
        )

    async def participants_of(self, program_id: str) -> list[ParticipantState]:
        """Everyone registered in a program and not withdrawn."""
        return await self.participants.find({"program_id": program_id})

    async def of_person(self, person_id: str) -> list[ParticipantState]:
        """The person's registrations still in a pool (one per program)."""
        return await self.participants.find({"person_id": person_id})

    async def touch(self, program_id: str, tx: Transaction) -> int:
        """Record in ``tx`` that the program's pool or pairs change; the version before.

        Every change to who is in a program's pool, and to its pairs, bumps one version
        document per program. Two transactions that both change a program therefore
        conflict (one is retried), so an approval that read the pool and the pairs in
        its transaction (or checked that the version it cached them at is still current)
        creates pairs only for people still there and still free, and a withdrawal
        committed after it sees the pairs it made and ends them.
        """
        document = await self._versions.find_one_and_update(
            {"_id": program_id},
            {"$inc": {"version": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert document is not None, "an upsert returns the document"
        return int(document["version"]) - 1

    async def forget_manager(self, person_id: str, tx: Transaction) -> None:
        """Take an erased person out of the reporting lines registered with others."""
        await self._pool.update_many(
            {"state.reporting_line": person_id},
            {"$pull": {"state.reporting_line": person_id}},
            session=tx.session,
        )

    async def version(self, program_id: str) -> int:
        """The program's current version (see `touch`)."""
        document = await self._versions.find_one({"_id": program_id})
        return int(document["version"]) if document else 0

    async def people(
        self, participant_ids: Iterable[str], tx: Transaction
    ) -> dict[str, ParticipantState]:
        """Those of ``participant_ids`` still in the pool, read in ``tx`` (by key)."""
        ids = sorted(set(participant_ids))
        cursor = self._pool.find({"_id": {"$in": ids}}, {"state": 1}, session=tx.session)
        found = [ParticipantState.model_validate(document["state"]) async for document in cursor]
        return {person.participant_id: person for person in found}

    async def role_counts(self, program_id: str) -> dict[ParticipantRole, int]:
        """How many participants of each role wait in a program's pool (one aggregation)."""
        counts = dict.fromkeys(ParticipantRole, 0)
        cursor = await self._pool.aggregate(
            [
                {"$match": {"state.program_id": program_id}},
                {"$group": {"_id": "$state.role", "count": {"$sum": 1}}},
            ]
        )
        async for group in cursor:
            counts[ParticipantRole(group["_id"])] = int(group["count"])
        return counts

    async def page(
        self, program_id: str, *, role: ParticipantRole | None, after: str | None, limit: int
    ) -> list[ParticipantState]:
        """A program's participants in participant id order, after ``after``."""
        query: dict[str, object] = {"state.program_id": program_id}
        if role is not None:
            query["state.role"] = role.value
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._pool.find(query, {"state": 1}).sort("_id", ASCENDING).limit(limit)
        return [ParticipantState.model_validate(document["state"]) async for document in cursor]
