"""The matching pool: each program's registered participants, projected from events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping
from contextlib import aclosing
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne

from matching.adapters.pool_log import PoolLog
from matching.domain.pool import PoolChanges, PoolEntry, departure_counted
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.allocation import bulk_allocation
from mentorship_kit.batching import find_in, read_ahead, store
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore

POOL, VERSIONS = "pool", "pool_versions"
_NEW_POOL = {"counted": True, "logged": True}
"""A version document written first by this version: its pool is empty, counted and logged."""
_ENTRY_FIELDS = {"as_of": 1, "state.program_id": 1, "state.role": 1}


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
        self.log = PoolLog(database, pool=self._pool, versions=self._versions)

    def indexes(self) -> tuple[Indexes, ...]:
        """The pool is read per program, in pages in participant id order, and per person.

        One index serves the program's reads (a query on the program alone uses its prefix),
        one a participant's own views: every index slows the storing of each registration.
        """
        return (
            self.programs.indexes(),
            self.participants.indexes(
                IndexModel(
                    [("state.program_id", ASCENDING), ("_id", ASCENDING)], name="by_program_page"
                ),
                IndexModel([("state.person_id", ASCENDING)], name="by_person"),
                retired=("by_program",),
            ),
            PoolLog.indexes(),
        )

    async def participants_of(self, program_id: str) -> list[ParticipantState]:
        """Everyone registered in a program and not withdrawn, in participant id order.

        A run reads the whole pool: from its log (`PoolLog`: a few documents) once the log is
        complete, until then from its documents. Those are read whole (they hold the state and
        its time only; SecantusDB projects slowly) and each batch is validated while the
        database reads the next (`read_ahead`), with the cycle collector paused (half the
        read's CPU went to its passes over the new objects, see `bulk_allocation`).
        """
        logged = await self.log.participants_of(program_id)
        if logged is not None:
            return logged
        found: list[ParticipantState] = []
        validate = ParticipantState.model_validate
        batches = read_ahead(self._pool, {"state.program_id": program_id})
        with bulk_allocation():
            async with aclosing(batches):  # a failed validation stops the reader at once
                async for batch in batches:
                    found.extend(validate(document["state"]) for document in batch)
        return found

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
            {"$inc": {"version": 1}, "$setOnInsert": _NEW_POOL},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert document is not None, "an upsert returns the document"
        return int(document["version"]) - 1

    async def forget_manager(self, person_id: str, tx: Transaction) -> None:
        """Take an erased person out of the reporting lines registered with others.

        The logs of the programs whose pool named them are rebuilt (see `PoolLog`).
        """
        named = {"state.reporting_line": person_id}
        programs = await self._pool.distinct("state.program_id", named, session=tx.session)
        await self._pool.update_many(
            named, {"$pull": {"state.reporting_line": person_id}}, session=tx.session
        )
        for program_id in sorted(programs):
            await self.log.rebuild(program_id, tx)

    async def version(self, program_id: str) -> int:
        """The program's current version (see `touch`)."""
        document = await self._versions.find_one({"_id": program_id})
        return int(document["version"]) if document else 0

    async def people(
        self, participant_ids: Iterable[str], tx: Transaction
    ) -> dict[str, ParticipantState]:
        """Those of ``participant_ids`` still in the pool, read in ``tx`` (by key)."""
        found = [
            ParticipantState.model_validate(document["state"])
            async for document in find_in(
                self._pool, sorted(set(participant_ids)), projection={"state": 1}, tx=tx
            )
        ]
        return {person.participant_id: person for person in found}

    async def entries(
        self, participant_ids: Iterable[str], tx: Transaction
    ) -> dict[str, PoolEntry]:
        """Program, role and version of those of ``participant_ids`` in the pool (one read)."""
        return {
            document["_id"]: _entry(document)
            async for document in find_in(
                self._pool, participant_ids, projection=_ENTRY_FIELDS, tx=tx
            )
        }

    async def apply(
        self, changes: PoolChanges, stored: Mapping[str, PoolEntry], tx: Transaction
    ) -> None:
        """Store a batch's registrations (`store`), count them (`count`) and log them.

        ``stored``: what the pool held of them before. Someone whose registration moved to
        another program is logged as gone from the one they left.
        """
        await self.store(changes.stored.values(), stored, tx)
        versions = await self.count(changes.counts, tx)
        states: dict[str, list[ParticipantState]] = {}
        moved: dict[str, list[str]] = {}
        for key, (participant, _) in changes.stored.items():
            states.setdefault(participant.program_id, []).append(participant)
            before = stored.get(key)
            if before is not None and before.program_id != participant.program_id:
                moved.setdefault(before.program_id, []).append(key)
        for program_id, version in versions.items():
            await self.log.append(
                program_id,
                version,
                tx,
                stored=states.get(program_id, ()),
                removed=moved.get(program_id, ()),
            )

    async def store(
        self,
        participants: Iterable[tuple[ParticipantState, datetime]],
        stored: Container[str],
        tx: Transaction,
    ) -> None:
        """Store participants' states, as `SnapshotStore.put` stores one.

        ``stored``: the participants the pool holds already (updated; the others inserted
        in one command, see `mentorship_kit.batching.store`).
        """
        documents = {
            participant.participant_id: {
                "state": participant.model_dump(mode="json"),
                "as_of": as_of,
            }
            for participant, as_of in participants
        }
        await store(
            self._pool,
            tx,
            new=[{"_id": key, **values} for key, values in documents.items() if key not in stored],
            changed=[
                UpdateOne({"_id": key}, {"$set": values})
                for key, values in documents.items()
                if key in stored
            ],
        )

    async def remove(
        self, participant_id: str, tx: Transaction, *, erasing_from: str | None = None
    ) -> PoolEntry | None:
        """Take a participant out of the pool, counted and logged; what it held of them.

        ``erasing_from``: the program the participant is erased from. Its log is rebuilt
        without them whether or not the pool still held them (the entry of an earlier
        withdrawal names them too), so no document of it names them.
        """
        document = await self._pool.find_one_and_delete(
            {"_id": participant_id}, projection=_ENTRY_FIELDS, session=tx.session
        )
        entry = _entry(document) if document is not None else None
        rebuilt = {erasing_from} if erasing_from is not None else set()
        if entry is not None:
            versions = await self.count(departure_counted(entry), tx)
            if erasing_from is not None:
                rebuilt.add(entry.program_id)
            else:
                version = versions[entry.program_id]
                await self.log.append(entry.program_id, version, tx, removed=[participant_id])
        for program_id in sorted(rebuilt):
            await self.log.rebuild(program_id, tx)
        return entry

    async def count(
        self, changes: Mapping[str, Counter[ParticipantRole]], tx: Transaction
    ) -> dict[str, int]:
        """Apply count changes per program and bump each program's version; the new versions.

        The counts live in the program's version document (see `touch`), so every writer
        of a program's pool serialises on it and the counts stay exact. A version document
        written for the first time (here or by `touch`) starts a pool that is counted and
        logged (`PoolLog`) from its first member: every pool change of a program, in any
        version of this service, wrote its version document, so a program without one has
        an empty pool.
        """
        versions = {}
        for program_id, deltas in changes.items():  # one program, but for a move
            document = await self._versions.find_one_and_update(
                {"_id": program_id},
                {
                    "$inc": {
                        "version": 1,
                        **{f"counts.{role.value}": n for role, n in deltas.items() if n},
                    },
                    "$setOnInsert": _NEW_POOL,
                },
                upsert=True,
                projection={"version": 1},
                return_document=ReturnDocument.AFTER,
                session=tx.session,
            )
            assert document is not None, "an upsert returns the document"
            versions[program_id] = int(document["version"])
        return versions

    async def role_counts(self, program_id: str) -> dict[ParticipantRole, int] | None:
        """How many participants of each role wait in a program's pool (one read).

        None while the program's counts were never counted (a pool filled by an earlier
        version): `recount` counts them once.
        """
        document = await self._versions.find_one({"_id": program_id})
        if document is None:
            return dict.fromkeys(ParticipantRole, 0)
        if not document.get("counted"):
            return None
        return _counts(document.get("counts", {}))

    async def recount(self, program_id: str, tx: Transaction) -> dict[ParticipantRole, int]:
        """Count a program's pool by role (one aggregation) and keep the counts, in ``tx``."""
        counts = dict.fromkeys(ParticipantRole, 0)
        cursor = await self._pool.aggregate(
            [
                {"$match": {"state.program_id": program_id}},
                {"$group": {"_id": "$state.role", "count": {"$sum": 1}}},
            ],
            session=tx.session,
        )
        async for group in cursor:
            counts[ParticipantRole(group["_id"])] = int(group["count"])
        await self._versions.update_one(
            {"_id": program_id},
            {
                "$set": {
                    "counts": {role.value: n for role, n in counts.items()},
                    "counted": True,
                },
                "$inc": {"version": 1},
            },
            upsert=True,
            session=tx.session,
        )
        return counts

    async def page(
        self, program_id: str, *, role: ParticipantRole | None, after: str | None, limit: int
    ) -> list[ParticipantState]:
        """A program's participants in participant id order, after ``after`` (none: no read)."""
        if limit <= 0:
            return []
        query: dict[str, object] = {"state.program_id": program_id}
        if role is not None:
            query["state.role"] = role.value
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._pool.find(query, {"state": 1}).sort("_id", ASCENDING).limit(limit)
        return [ParticipantState.model_validate(document["state"]) async for document in cursor]


def _entry(document: Mapping[str, Any]) -> PoolEntry:
    state = document["state"]
    return PoolEntry(state["program_id"], ParticipantRole(state["role"]), document["as_of"])


def _counts(stored: Mapping[str, Any]) -> dict[ParticipantRole, int]:
    return {role: int(stored.get(role.value, 0)) for role in ParticipantRole}
