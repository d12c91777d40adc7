"""MongoDB storage of pairs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from matching.domain.matching import PairKey
from matching.domain.pairs import EARLY_END_REASONS, ERASED, Pair, PairStatus
from mentorship_contracts.types import PairEndReason
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction

PAIRS = "pairs"
_KEY_FIELDS = {"_id": 0, "mentor_participant_id": 1, "mentee_participant_id": 1}


class PairRepository:
    """Every pair a program ever had; active ones shape the next run."""

    def __init__(self, database: Database) -> None:
        self._pairs: Collection = database[PAIRS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Pairs are read per program and status, per participant, person and group."""
        return (
            Indexes(
                PAIRS,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)],
                        name="by_program",
                    ),
                    IndexModel([("mentee_participant_id", ASCENDING)], name="by_mentee"),
                    IndexModel([("mentor_participant_id", ASCENDING)], name="by_mentor"),
                    IndexModel([("mentee_person_id", ASCENDING)], name="by_mentee_person"),
                    IndexModel([("mentor_person_id", ASCENDING)], name="by_mentor_person"),
                    IndexModel([("group_id", ASCENDING)], name="by_group", sparse=True),
                ),
            ),
        )

    async def insert(self, pairs: Sequence[Pair], tx: Transaction) -> None:
        """Store new pairs."""
        if pairs:
            await self._pairs.insert_many([_document(pair) for pair in pairs], session=tx.session)

    async def get(self, pair_id: str, tx: Transaction | None = None) -> Pair | None:
        """A pair by id."""
        document = await self._pairs.find_one({"_id": pair_id}, session=tx.session if tx else None)
        return _pair(document) if document else None

    async def existing_ids(self, pair_ids: Iterable[str], tx: Transaction) -> set[str]:
        """Which of ``pair_ids`` are stored already."""
        cursor = self._pairs.find({"_id": {"$in": list(pair_ids)}}, {"_id": 1}, session=tx.session)
        return {document["_id"] async for document in cursor}

    async def active_keys(self, program_id: str) -> list[PairKey]:
        """The program's active pairs as (mentor, mentee) keys."""
        return await self._keys({"program_id": program_id, "status": PairStatus.ACTIVE.value})

    async def ended_early_keys(self, program_id: str) -> list[PairKey]:
        """Pairs of the program that ended early: never proposed again."""
        return await self._keys(
            {
                "program_id": program_id,
                "status": PairStatus.ENDED.value,
                "end_reason": {"$in": [reason.value for reason in EARLY_END_REASONS]},
            }
        )

    async def active_of(self, program_id: str) -> list[Pair]:
        """The program's active pairs."""
        cursor = self._pairs.find({"program_id": program_id, "status": PairStatus.ACTIVE.value})
        return [_pair(document) async for document in cursor]

    async def active_involving(
        self, participant_ids: Iterable[str], tx: Transaction | None = None
    ) -> list[Pair]:
        """Active pairs in which any of ``participant_ids`` takes part (either side)."""
        ids = list(participant_ids)
        found: dict[str, Pair] = {}
        for side in ("mentee_participant_id", "mentor_participant_id"):
            # One indexed lookup per side: an $or of two $in is a full scan on some servers.
            cursor = self._pairs.find(
                {side: {"$in": ids}, "status": PairStatus.ACTIVE.value},
                session=tx.session if tx else None,
            )
            async for document in cursor:
                found.setdefault(document["_id"], _pair(document))
        return list(found.values())

    async def end(self, pair_id: str, reason: PairEndReason, at: datetime, tx: Transaction) -> bool:
        """Mark an active pair ended; False when it was not active."""
        result = await self._pairs.update_one(
            {"_id": pair_id, "status": PairStatus.ACTIVE.value},
            {"$set": {"status": PairStatus.ENDED.value, "ended_at": at, "end_reason": reason}},
            session=tx.session,
        )
        return result.modified_count == 1

    async def page(
        self, program_id: str, *, status: PairStatus | None, after: str | None, limit: int
    ) -> list[Pair]:
        """A program's pairs in id order."""
        query: Document = {"program_id": program_id}
        if status is not None:
            query["status"] = status.value
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._pairs.find(query).sort("_id", ASCENDING).limit(limit)
        return [_pair(document) async for document in cursor]

    async def of_participant(self, participant_id: str) -> list[Pair]:
        """Every pair, active or ended, a participant took part in."""
        cursor = self._pairs.find(
            {
                "$or": [
                    {"mentee_participant_id": participant_id},
                    {"mentor_participant_id": participant_id},
                ]
            }
        ).sort("created_at", ASCENDING)
        return [_pair(document) async for document in cursor]

    async def of_person(self, person_id: str) -> list[Pair]:
        """Every pair, active or ended, the person took part in (either side)."""
        found: dict[str, Pair] = {}
        for side in ("mentee_person_id", "mentor_person_id"):
            # One indexed lookup per side, as in `active_involving`.
            async for document in self._pairs.find({side: person_id}):
                found.setdefault(document["_id"], _pair(document))
        return list(found.values())

    async def active_in_groups(self, group_ids: Iterable[str]) -> list[Pair]:
        """The active pairs of the groups ``group_ids``."""
        wanted = sorted(set(group_ids))
        if not wanted:
            return []
        cursor = self._pairs.find({"group_id": {"$in": wanted}, "status": PairStatus.ACTIVE.value})
        return [_pair(document) async for document in cursor]

    async def erase(self, participant_id: str, tx: Transaction) -> int:
        """Replace a participant's ids in every pair (the pair stays counted)."""
        erased = 0
        for side in ("mentee", "mentor"):
            result = await self._pairs.update_many(
                {f"{side}_participant_id": participant_id},
                {"$set": {f"{side}_participant_id": ERASED, f"{side}_person_id": ERASED}},
                session=tx.session,
            )
            erased += result.modified_count
        return erased

    async def _keys(self, query: Document) -> list[PairKey]:
        cursor = self._pairs.find(query, _KEY_FIELDS)
        return [
            PairKey(mentor=d["mentor_participant_id"], mentee=d["mentee_participant_id"])
            async for d in cursor
        ]


def _document(pair: Pair) -> Document:
    return {
        "_id": pair.pair_id,
        "program_id": pair.program_id,
        "run_id": pair.run_id,
        "mentor_participant_id": pair.mentor_participant_id,
        "mentee_participant_id": pair.mentee_participant_id,
        "mentor_person_id": pair.mentor_person_id,
        "mentee_person_id": pair.mentee_person_id,
        "group_id": pair.group_id,
        "score": pair.score,
        "contributions": pair.contributions,
        "is_rematch": pair.is_rematch,
        "status": pair.status.value,
        "created_at": pair.created_at,
        "ended_at": pair.ended_at,
        "end_reason": pair.end_reason.value if pair.end_reason else None,
    }


def _pair(document: Mapping[str, Any]) -> Pair:
    return Pair(
        pair_id=document["_id"],
        program_id=document["program_id"],
        run_id=document["run_id"],
        mentor_participant_id=document["mentor_participant_id"],
        mentee_participant_id=document["mentee_participant_id"],
        mentor_person_id=document["mentor_person_id"],
        mentee_person_id=document["mentee_person_id"],
        group_id=document.get("group_id"),
        score=document["score"],
        contributions=document.get("contributions", {}),
        is_rematch=document.get("is_rematch", False),
        status=PairStatus(document["status"]),
        created_at=document["created_at"],
        ended_at=document.get("ended_at"),
        end_reason=PairEndReason(document["end_reason"]) if document.get("end_reason") else None,
    )
