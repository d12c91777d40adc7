"""MongoDB storage of the pairings registration learns from matching's pair events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pymongo import ASCENDING, IndexModel, UpdateOne

from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.partners import Pairing

PAIRINGS = "pairings"


class PairingRepository:
    """One document per pair: its members, its group and whether it ended."""

    def __init__(self, database: Database) -> None:
        self._pairings: Collection = database[PAIRINGS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Pairings are found by member and by group."""
        return (
            Indexes(
                PAIRINGS,
                (
                    IndexModel([("members", ASCENDING)], name="members"),
                    IndexModel([("group_id", ASCENDING)], name="group", sparse=True),
                ),
            ),
        )

    async def created(self, pairings: Sequence[Pairing], tx: Transaction) -> None:
        """Record new pairs in one bulk write.

        An end recorded before (events out of order) stays; a pair named twice keeps what
        its last event says.
        """
        latest = {pairing.pair_id: pairing for pairing in pairings}
        if not latest:
            return
        writes = [
            UpdateOne(
                {"_id": pairing.pair_id},
                {
                    "$set": {
                        "program_id": pairing.program_id,
                        "mentor_participant_id": pairing.mentor_participant_id,
                        "mentee_participant_id": pairing.mentee_participant_id,
                        "members": sorted(pairing.members),
                        "group_id": pairing.group_id,
                    },
                    "$setOnInsert": {"ended": False},
                },
                upsert=True,
            )
            for pairing in latest.values()
        ]
        await self._pairings.bulk_write(writes, ordered=False, session=tx.session)

    async def ended(self, pair_id: str, program_id: str, tx: Transaction) -> None:
        """Record that a pair ended (before its creation arrived, too)."""
        await self._pairings.update_one(
            {"_id": pair_id},
            {"$set": {"ended": True}, "$setOnInsert": {"program_id": program_id, "members": []}},
            upsert=True,
            session=tx.session,
        )

    async def around(self, participant_ids: Iterable[str]) -> list[Pairing]:
        """The active pairings of these participants and of their groups."""
        ids = list(dict.fromkeys(participant_ids))
        if not ids:
            return []
        cursor = self._pairings.find({"members": {"$in": ids}, "ended": False})
        direct = [_pairing(document) async for document in cursor]
        groups = sorted({p.group_id for p in direct if p.group_id is not None})
        if not groups:
            return direct
        cursor = self._pairings.find({"group_id": {"$in": groups}, "ended": False})
        return direct + [_pairing(document) async for document in cursor]

    async def of_members(self, participant_ids: Iterable[str]) -> list[Pairing]:
        """Every pairing of these participants, active or ended, by pair id."""
        ids = list(dict.fromkeys(participant_ids))
        if not ids:
            return []
        cursor = self._pairings.find({"members": {"$in": ids}}).sort("_id", ASCENDING)
        return [_pairing(document) async for document in cursor]

    async def forget(self, participant_ids: Iterable[str], tx: Transaction) -> None:
        """Forget the pairings of erased participants."""
        ids = list(participant_ids)
        if ids:
            await self._pairings.delete_many({"members": {"$in": ids}}, session=tx.session)


def _pairing(document: Document) -> Pairing:
    return Pairing(
        pair_id=document["_id"],
        program_id=document["program_id"],
        mentor_participant_id=document.get("mentor_participant_id", ""),
        mentee_participant_id=document.get("mentee_participant_id", ""),
        group_id=document.get("group_id"),
        ended=bool(document.get("ended")),
    )
