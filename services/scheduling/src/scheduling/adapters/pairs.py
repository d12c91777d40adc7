"""The pairs scheduling plans sessions for, and their programs' settings.

A pair is recorded as matching announced it (``state``, its `PairCreated`), with whether it
ended and whether its series is planned yet. Recording is cheap and done as the events
arrive; planning is done after, in bulk, by the planning worker: the pairs not planned yet
are its queue, in the order they were created.

**The queue** is kept in documents of many pairs (`QUEUE`), one per recorded batch: the
ids of its pairs still waiting (and their programs), oldest first. Each pair's document
names its batch (``queued_in``); it is planned once its batch no longer lists it. Taking a
batch of pairs off the queue is then one write per queue document, not one update per pair
(on SecantusDB, an update of a pair cost about six session inserts). Whatever takes a pair
off the queue writes that queue document: planning, the pair's end and its member's erasure,
so any two of them conflict, and the retry sees the other's outcome.

Pairs recorded by an earlier version carry no ``queued_in`` and wait with ``planned: false``
(the ``queue`` index): they are planned first, and marked planned one by one, as then. That
version ignores pairs recorded by this one (they are stored with ``planned: true``): a
rollback must wait until `QUEUE` is empty.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection as Ids
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from pymongo import ASCENDING, DeleteOne, IndexModel, UpdateOne

from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.batching import find_in, store, update_each
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore
from scheduling.domain.planning import KnownPair, series_id_of

PAIRS = "pairs"
QUEUE = "planning_queue"
PROGRAMS = "programs"
_PENDING: Mapping[str, Any] = {"planned": False, "ended": False}
_PAIR_STATE = TypeAdapter(PairCreated)


def program_store(database: Database) -> SnapshotStore[ProgramState]:
    """The programs' latest states, as their events carry them."""
    return SnapshotStore(database, PROGRAMS, ProgramState)


@dataclass(frozen=True, slots=True)
class QueuedBatch:
    """One queue document: the pairs of a recorded batch still waiting, oldest first."""

    batch_id: str
    pair_ids: tuple[str, ...]
    program_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Queue:
    """The queue as read in a transaction: its documents, oldest first."""

    batches: tuple[QueuedBatch, ...]

    def entries(self) -> Iterator[tuple[str, str]]:
        """Each waiting pair's id and its program's, oldest first."""
        for batch in self.batches:
            yield from zip(batch.pair_ids, batch.program_ids, strict=True)


class PairRepository:
    """Pairs by id, by series, by member, and the queue of those still to plan."""

    def __init__(self, database: Database) -> None:
        self._pairs: Collection = database[PAIRS]
        self._queue: Collection = database[QUEUE]

    @staticmethod
    def indexes() -> Indexes:
        """The queue in creation order, and pairs by group.

        Erasures find a member's pairs without an index: they are rare, and every index
        slows the recording of each new pair. The ``queue`` index serves the pairs an
        earlier version recorded (see the module's docstring); `QUEUE` needs none: it
        holds a document per recorded batch, and only while its pairs wait.
        """
        return Indexes(
            PAIRS,
            (
                IndexModel(
                    [
                        ("planned", ASCENDING),
                        ("ended", ASCENDING),
                        ("state.program_id", ASCENDING),
                        ("as_of", ASCENDING),
                    ],
                    name="queue",
                ),
                IndexModel([("state.group_id", ASCENDING)], name="by_group"),
            ),
        )

    async def record(self, pairs: Sequence[tuple[PairCreated, datetime]], tx: Transaction) -> None:
        """Remember new pairs (with when they were created), not planned yet.

        A pair already known is left as it is (a replayed `PairCreated` cannot bring back a
        pair that ended). One read of which are known, one insert of the others, and one
        queue document listing them.
        """
        if not pairs:
            return
        known = {
            document["_id"]
            async for document in find_in(
                self._pairs, [pair.pair_id for pair, _ in pairs], projection={"_id": 1}, tx=tx
            )
        }
        batch_id = uuid.uuid4().hex
        new: dict[str, dict[str, Any]] = {}
        for pair, as_of in sorted(pairs, key=lambda item: (item[1], item[0].pair_id)):
            if pair.pair_id not in known and pair.pair_id not in new:
                new[pair.pair_id] = {
                    "_id": pair.pair_id,
                    "state": pair.model_dump(mode="json"),
                    "as_of": as_of,
                    "ended": False,
                    "planned": True,  # once its batch no longer lists it (see the module)
                    "queued_in": batch_id,
                }
        if not new:
            return
        await store(self._pairs, tx, new=list(new.values()))
        waiting = list(new.values())
        queued = {
            "_id": batch_id,
            "as_of": waiting[0]["as_of"],
            "pair_ids": [document["_id"] for document in waiting],
            "program_ids": [document["state"]["program_id"] for document in waiting],
        }
        await store(self._queue, tx, new=[queued])

    async def mark_ended(self, pair_id: str, tx: Transaction) -> bool:
        """Record that a pair ended (off the queue if still there); False when it is not known.

        A pair that ended before it was planned stays ``planned: false``.
        """
        document = await self._pairs.find_one(
            {"_id": pair_id}, {"queued_in": 1}, session=tx.session
        )
        if document is None:
            return False
        update: dict[str, Any] = {"$set": {"ended": True}}
        if "queued_in" in document:
            if await self._dequeue_from({document["queued_in"]: [pair_id]}, tx):
                update["$set"]["planned"] = False
            update["$unset"] = {"queued_in": ""}
        await self._pairs.update_one({"_id": pair_id}, update, session=tx.session)
        return True

    async def series_id(self, pair_id: str, tx: Transaction) -> str | None:
        """The series a recorded pair is (or will be) planned in; None when not recorded."""
        document = await self._pairs.find_one({"_id": pair_id}, session=tx.session)
        return series_id_of(_stored_pair(document)) if document else None

    async def any_waiting(self) -> bool:
        """Whether any pair waits to be planned (a queue document, or an earlier version's).

        One lookup each, neither a scan of the waiting pairs.
        """
        if await self._queue.find_one({}, {"_id": 1}) is not None:
            return True
        return await self._pairs.find_one(dict(_PENDING), {"_id": 1}) is not None

    async def queued(self, tx: Transaction) -> Queue:
        """The queue's documents, oldest first (one read: there is one per recorded batch)."""
        cursor = self._queue.find({}, session=tx.session).sort(
            [("as_of", ASCENDING), ("_id", ASCENDING)]
        )
        return Queue(tuple([_queued_batch(document) async for document in cursor]))

    async def states(self, pair_ids: Sequence[str], tx: Transaction) -> list[PairCreated]:
        """The recorded pairs of ``pair_ids`` not ended, in that order (a read per 50)."""
        found = {
            document["_id"]: document
            async for document in find_in(self._pairs, pair_ids, tx=tx)
            if not document.get("ended", False)
        }
        return [_stored_pair(found[pair_id]) for pair_id in pair_ids if pair_id in found]

    async def dequeue(self, queue: Queue, pair_ids: Iterable[str], tx: Transaction) -> None:
        """Take planned pairs off ``queue`` (as read in ``tx``): one write per queue document."""
        taken = set(pair_ids)
        await self._rewrite(
            [batch for batch in queue.batches if taken.intersection(batch.pair_ids)], taken, tx
        )

    async def _dequeue_from(self, pair_ids: Mapping[str, Sequence[str]], tx: Transaction) -> bool:
        """Take pairs off the queue documents named (batch id: pair ids); whether any was on."""
        taken = {pair_id for ids in pair_ids.values() for pair_id in ids}
        cursor = self._queue.find(
            {"_id": {"$in": sorted(pair_ids)}, "pair_ids": {"$in": sorted(taken)}},
            session=tx.session,
        )
        batches = [_queued_batch(document) async for document in cursor]
        await self._rewrite(batches, taken, tx)
        return bool(batches)

    async def _rewrite(
        self, batches: Sequence[QueuedBatch], taken: Ids[str], tx: Transaction
    ) -> None:
        """Leave in each of ``batches`` only the pairs not ``taken`` (no pair left: delete it)."""
        writes: list[DeleteOne | UpdateOne] = []
        for batch in batches:
            left = [
                (pair_id, program_id)
                for pair_id, program_id in zip(batch.pair_ids, batch.program_ids, strict=True)
                if pair_id not in taken
            ]
            if not left:
                writes.append(DeleteOne({"_id": batch.batch_id}))
                continue
            ids, programs = zip(*left, strict=True)
            writes.append(
                UpdateOne(
                    {"_id": batch.batch_id},
                    {"$set": {"pair_ids": list(ids), "program_ids": list(programs)}},
                )
            )
        if writes:
            await self._queue.bulk_write(writes, ordered=False, session=tx.session)

    async def waiting_programs(self, tx: Transaction | None = None) -> list[str]:
        """The programs that have pairs an earlier version recorded waiting to be planned."""
        found = await self._pairs.distinct(
            "state.program_id", dict(_PENDING), session=tx.session if tx else None
        )
        return [str(program_id) for program_id in found]

    async def pending(
        self, program_ids: Sequence[str] | None, limit: int, tx: Transaction
    ) -> list[PairCreated]:
        """Up to ``limit`` waiting pairs an earlier version recorded (of ``program_ids``, or any).

        Oldest first.
        SecantusDB reads every waiting pair the filter selects before it sorts and cuts them:
        each such read costs what the whole queue does, however small ``limit`` is.
        """
        query = dict(_PENDING)
        if program_ids is not None:
            query["state.program_id"] = {"$in": list(program_ids)}
        cursor = (
            self._pairs.find(query, {"state": 1}, session=tx.session)
            .sort([("as_of", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [_stored_pair(document) async for document in cursor]

    async def mark_planned(self, pair_ids: Sequence[str], tx: Transaction) -> None:
        """Mark pairs an earlier version recorded planned; one bulk write (an update per 50)."""
        if pair_ids:
            writes = update_each(pair_ids, {"$set": {"planned": True}})
            await self._pairs.bulk_write(writes, ordered=False, session=tx.session)

    async def forget_naming(self, participant_id: str, tx: Transaction) -> int:
        """Forget every pair ``participant_id`` is a member of (and take it off the queue)."""
        naming = {
            "$or": [
                {"state.mentor_participant_id": participant_id},
                {"state.mentee_participant_id": participant_id},
            ]
        }
        queued: dict[str, list[str]] = {}
        async for document in self._pairs.find(naming, {"queued_in": 1}, session=tx.session):
            if "queued_in" in document:
                queued.setdefault(document["queued_in"], []).append(document["_id"])
        result = await self._pairs.delete_many(naming, session=tx.session)
        if queued:
            await self._dequeue_from(queued, tx)
        return result.deleted_count

    async def get(self, pair_id: str) -> KnownPair | None:
        """A pair as scheduling knows it."""
        document = await self._pairs.find_one({"_id": pair_id})
        return (await self._known([document]))[0] if document else None

    async def waiting_in_series(self, series_id: str) -> list[KnownPair]:
        """The pairs of a series (a pair's own, or a group's) waiting to be planned.

        Two indexed lookups (by id, by group) rather than one ``$or``, which some servers
        answer with a scan of every pair: clients poll this while a series is planned.
        """
        own = await self._pairs.find_one({"_id": series_id})
        found = [own] if own is not None and own["state"].get("group_id") is None else []
        found += [document async for document in self._pairs.find({"state.group_id": series_id})]
        return [known for known in await self._known(found) if known.being_planned]

    async def _known(self, documents: Sequence[Mapping[str, Any]]) -> list[KnownPair]:
        """The pairs of ``documents``, each planned unless its queue document still lists it."""
        batches = {d["queued_in"] for d in documents if "queued_in" in d}
        waiting: set[str] = set()
        if batches:
            cursor = self._queue.find({"_id": {"$in": sorted(batches)}}, {"pair_ids": 1})
            waiting = {pair_id async for document in cursor for pair_id in document["pair_ids"]}
        return [_known_pair(document, queued=document["_id"] in waiting) for document in documents]


def _stored_pair(document: Mapping[str, Any]) -> PairCreated:
    """The pair's state as recorded: matching's event, read back (nothing is built to emit).

    Read through a TypeAdapter: the deploy checks count `Event.model_validate(...)` in a
    service's code as building that event to publish, which scheduling never does with pairs.
    """
    return _PAIR_STATE.validate_python(document["state"])


def _queued_batch(document: Mapping[str, Any]) -> QueuedBatch:
    return QueuedBatch(document["_id"], tuple(document["pair_ids"]), tuple(document["program_ids"]))


def _known_pair(document: Mapping[str, Any], *, queued: bool) -> KnownPair:
    return KnownPair(
        pair=_stored_pair(document),
        ended=document.get("ended", False),
        planned=document.get("planned", False) and not queued,
    )
