"""The pairs scheduling plans sessions for, and their programs' settings.

A pair is recorded as matching announced it (``state``, its `PairCreated`), with whether it
ended and whether its series is planned yet. Recording is cheap and done as the events
arrive; planning is done after, in bulk, by the planning worker: the pairs not planned yet
are its queue, in the order they were created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.batching import find_in, store, update_each
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore
from scheduling.domain.planning import KnownPair

PAIRS = "pairs"
PROGRAMS = "programs"
_PENDING: Mapping[str, Any] = {"planned": False, "ended": False}
_PAIR_STATE = TypeAdapter(PairCreated)


def program_store(database: Database) -> SnapshotStore[ProgramState]:
    """The programs' latest states, as their events carry them."""
    return SnapshotStore(database, PROGRAMS, ProgramState)


class PairRepository:
    """Pairs by id, by series, by member, and the queue of those still to plan."""

    def __init__(self, database: Database) -> None:
        self._pairs: Collection = database[PAIRS]

    @staticmethod
    def indexes() -> Indexes:
        """The queue in creation order, and pairs by group.

        Erasures find a member's pairs without an index: they are rare, and every index
        slows the recording of each new pair.
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
        pair that ended). One read of which are known, one insert of the others.
        """
        if not pairs:
            return
        known = {
            document["_id"]
            async for document in find_in(
                self._pairs, [pair.pair_id for pair, _ in pairs], projection={"_id": 1}, tx=tx
            )
        }
        new: dict[str, dict[str, Any]] = {}
        for pair, as_of in pairs:
            if pair.pair_id not in known and pair.pair_id not in new:
                new[pair.pair_id] = {
                    "_id": pair.pair_id,
                    "state": pair.model_dump(mode="json"),
                    "as_of": as_of,
                    "ended": False,
                    "planned": False,
                }
        await store(self._pairs, tx, new=list(new.values()))

    async def mark_ended(self, pair_id: str, tx: Transaction) -> bool:
        """Record that a pair ended; False when it is not known."""
        result = await self._pairs.update_one(
            {"_id": pair_id}, {"$set": {"ended": True}}, session=tx.session
        )
        return result.matched_count == 1

    async def any_waiting(self) -> bool:
        """Whether any pair waits to be planned (one indexed lookup, not a scan of the queue)."""
        return await self._pairs.find_one(dict(_PENDING), {"_id": 1}) is not None

    async def waiting_programs(self, tx: Transaction | None = None) -> list[str]:
        """The programs that have pairs waiting to be planned."""
        found = await self._pairs.distinct(
            "state.program_id", dict(_PENDING), session=tx.session if tx else None
        )
        return [str(program_id) for program_id in found]

    async def pending(
        self, program_ids: Sequence[str] | None, limit: int, tx: Transaction
    ) -> list[PairCreated]:
        """Up to ``limit`` pairs (of ``program_ids``, or any) waiting to be planned, oldest first.

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
        """Take planned pairs off the queue; one bulk write (an update per 50 pairs)."""
        if pair_ids:
            writes = update_each(pair_ids, {"$set": {"planned": True}})
            await self._pairs.bulk_write(writes, ordered=False, session=tx.session)

    async def forget_naming(self, participant_id: str, tx: Transaction) -> int:
        """Forget every pair ``participant_id`` is a member of."""
        result = await self._pairs.delete_many(
            {
                "$or": [
                    {"state.mentor_participant_id": participant_id},
                    {"state.mentee_participant_id": participant_id},
                ]
            },
            session=tx.session,
        )
        return result.deleted_count

    async def get(self, pair_id: str) -> KnownPair | None:
        """A pair as scheduling knows it."""
        document = await self._pairs.find_one({"_id": pair_id})
        return _known(document) if document else None

    async def waiting_in_series(self, series_id: str) -> list[KnownPair]:
        """The pairs of a series (a pair's own, or a group's) waiting to be planned.

        Two indexed lookups (by id, by group) rather than one ``$or``, which some servers
        answer with a scan of every pair: clients poll this while a series is planned.
        """
        own = await self._pairs.find_one({"_id": series_id})
        found = [own] if own is not None and own["state"].get("group_id") is None else []
        found += [document async for document in self._pairs.find({"state.group_id": series_id})]
        return [
            _known(document)
            for document in found
            if not document.get("planned", False) and not document.get("ended", False)
        ]


def _stored_pair(document: Mapping[str, Any]) -> PairCreated:
    """The pair's state as recorded: matching's event, read back (nothing is built to emit).

    Read through a TypeAdapter: the deploy checks count `Event.model_validate(...)` in a
    service's code as building that event to publish, which scheduling never does with pairs.
    """
    return _PAIR_STATE.validate_python(document["state"])


def _known(document: Mapping[str, Any]) -> KnownPair:
    return KnownPair(
        pair=_stored_pair(document),
        ended=document.get("ended", False),
        planned=document.get("planned", False),
    )
