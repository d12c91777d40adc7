"""A packed copy of each program's pool, written with the pool: what a run reads.

A run reads its program's whole pool. From the pool's own documents, one per participant,
that costs SecantusDB about 0.5 s of CPU at 12,500 participants, nearly all of it per
document (the same states as one JSON string per thousand cost it a tenth). So every writer
of a program's pool also appends what it changed to the program's **log**, in the same
transaction: one document per change (the states stored, as one JSON array, and the
participants taken out), numbered by the program's version after the change. Writers of a
program are serialised on its version document (`MatchingPool.touch`), so the numbers are
the order the changes committed in, and folding the log in that order gives the pool. A
redelivered batch appends nothing the pool did not store (`registrations_applied`).

The log is **rebuilt** from the pool's documents, in the writer's transaction, every
`COMPACT_EVERY` appends (into documents of `CHUNK` states each), when an erasure changes the
program's pool (so no document of the log names an erased person or keeps them in someone's
reporting line) and on the first change to a pool an earlier version filled (the program's
version document has no ``logged`` flag): until then `MatchingPool.participants_of` reads
such a pool from its documents. A rebuild bumps a counter in the version document; a reader
outside a transaction reads it before and after the log, and again if a rebuild committed
in between (an append in between is harmless: it only adds a newer change).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import aclosing
from typing import Any

from bson import Binary
from pydantic import TypeAdapter
from pymongo import ASCENDING, IndexModel, ReturnDocument

from mentorship_contracts.events.participant import ParticipantState
from mentorship_kit.allocation import bulk_allocation
from mentorship_kit.batching import read_ahead
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction

LOG = "pool_log"
COMPACT_EVERY = 64
"""Appends after which a program's log is rebuilt from its pool (a consumer batch is one)."""
CHUNK = 1000
"""States per document of a rebuilt log (about 0.7 MB)."""
READ_BATCH = 2
"""Documents per batch a run reads: the next chunks are read while these are validated (all
13 chunks of 12,500 states in one batch kept the service waiting 0.12 s for the first)."""
_STATES: TypeAdapter[list[ParticipantState]] = TypeAdapter(list[ParticipantState])


class PoolLog:
    """Each program's pool as a log of its changes (see the module)."""

    def __init__(self, database: Database, *, pool: Collection, versions: Collection) -> None:
        self._log: Collection = database[LOG]
        self._pool = pool
        self._versions = versions

    @staticmethod
    def indexes() -> Indexes:
        """A program's log is read, and deleted by a rebuild, in its order."""
        return Indexes(
            LOG,
            (
                IndexModel(
                    [("program_id", ASCENDING), ("seq", ASCENDING), ("chunk", ASCENDING)],
                    name="by_program",
                ),
            ),
        )

    async def append(
        self,
        program_id: str,
        version: int,
        tx: Transaction,
        *,
        stored: Sequence[ParticipantState] = (),
        removed: Iterable[str] = (),
    ) -> None:
        """Record a change the transaction made to the pool, which left it at ``version``.

        Rebuilds the log instead while it is incomplete or every `COMPACT_EVERY` appends.
        """
        removed = sorted(set(removed))
        if not stored and not removed:
            return
        counter = await self._versions.find_one_and_update(
            {"_id": program_id},
            {"$inc": {"log_appends": 1}},
            projection={"logged": 1, "log_appends": 1},
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        if counter is None or not counter.get("logged") or counter["log_appends"] >= COMPACT_EVERY:
            await self.rebuild(program_id, tx)
            return
        entry = _entry(program_id, version, 0, _STATES.dump_json(list(stored)), removed)
        await self._log.insert_one(entry, session=tx.session)

    async def rebuild(self, program_id: str, tx: Transaction) -> None:
        """Replace the program's log by its pool as the transaction sees it, and mark it whole.

        Bumps the program's version, so that it is serialised with the pool's other writers.
        """
        document = await self._versions.find_one_and_update(
            {"_id": program_id},
            {
                "$inc": {"version": 1, "log_rebuilds": 1},
                "$set": {"logged": True, "log_appends": 0},
                "$setOnInsert": {"counted": True},
            },
            upsert=True,
            projection={"version": 1},
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert document is not None, "an upsert returns the document"
        version = int(document["version"])
        await self._log.delete_many({"program_id": program_id}, session=tx.session)
        states = [
            document["state"]
            async for document in self._pool.find(
                {"state.program_id": program_id}, {"state": 1}, session=tx.session
            )
        ]
        entries = [
            _entry(
                program_id,
                version,
                number,
                json.dumps(states[start : start + CHUNK], separators=(",", ":")).encode(),
                [],
            )
            for number, start in enumerate(range(0, len(states), CHUNK))
        ]
        if entries:
            await self._log.insert_many(entries, session=tx.session)

    async def participants_of(self, program_id: str) -> list[ParticipantState] | None:
        """The program's pool folded from its log, in participant id order.

        None while the log is incomplete (a pool an earlier version filled).
        """
        while True:
            before = await self._state(program_id)
            if before is None or not before.get("logged"):
                return None if before is not None else []
            people = await self._fold(program_id)
            after = await self._state(program_id)
            if after is not None and after.get("log_rebuilds") == before.get("log_rebuilds"):
                return [people[key] for key in sorted(people)]  # in id order, as the pool's

    async def _state(self, program_id: str) -> Mapping[str, Any] | None:
        return await self._versions.find_one({"_id": program_id}, {"logged": 1, "log_rebuilds": 1})

    async def _fold(self, program_id: str) -> dict[str, ParticipantState]:
        people: dict[str, ParticipantState] = {}
        batches = read_ahead(
            self._log,
            {"program_id": program_id},
            sort=[("seq", ASCENDING), ("chunk", ASCENDING)],
            batch_size=READ_BATCH,
        )
        with bulk_allocation():  # thousands of states, no cycles (see `bulk_allocation`)
            async with aclosing(batches):  # a failed validation stops the reader at once
                async for batch in batches:
                    for entry in batch:
                        for person in _STATES.validate_json(entry["states"]):
                            people[person.participant_id] = person
                        for participant_id in entry["removed"]:
                            people.pop(participant_id, None)
        return people


def _entry(
    program_id: str, seq: int, chunk: int, states: bytes, removed: Sequence[str]
) -> Document:
    """A document of the log (its id names no participant)."""
    return {
        "_id": f"{program_id}:{seq:012d}:{chunk:05d}",
        "program_id": program_id,
        "seq": seq,
        "chunk": chunk,
        "states": Binary(states),
        "removed": list(removed),
    }
