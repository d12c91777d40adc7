"""Erasure guards: one small document per participant, a tombstone once they are erased.

Events about a participant travel on other topics than their `ParticipantErased`, so a late or
replayed one may arrive after the erasure: a service checks the tombstone before storing
anything about the people an event names. The check also *writes* each named participant's
guard document, as erasure does, so a transaction storing something about a participant and a
concurrent erasure of them write the same document: one of them conflicts, is retried, and then
sees the other's outcome. A guard holds the participant id, a write counter and, once erased,
``erased: true`` (and when); nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure

from mentorship_kit.mongo import Collection, Database
from mentorship_kit.outbox import Transaction

GUARDS = "erased_participants"
DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112


class ErasureGuards:
    """The guard documents of one service's participants."""

    def __init__(self, database: Database, *, collection: str = GUARDS) -> None:
        self._guards: Collection = database[collection]
        self._scratch_key = f"erasure_guards.{collection}"

    async def erased(self, participant_ids: Iterable[str], tx: Transaction) -> bool:
        """Whether any of ``participant_ids`` was erased, guarding each of them in ``tx``.

        Each guard is written once per transaction attempt; later checks in the same attempt
        reuse the answer.
        """
        named = list(dict.fromkeys(participant_ids))
        checked = self._checked(tx)
        unguarded = [item for item in named if item not in checked]
        if unguarded:
            touch = {"$inc": {"writes": 1}}
            await self._write(
                [UpdateOne({"_id": item}, touch, upsert=True) for item in unguarded], tx
            )
            cursor = self._guards.find(
                {"_id": {"$in": unguarded}, "erased": True}, {"_id": 1}, session=tx.session
            )
            erased = {document["_id"] async for document in cursor}
            checked.update((item, item in erased) for item in unguarded)
        return any(checked[item] for item in named)

    async def erase(
        self, participant_id: str, tx: Transaction, *, erased_at: datetime | None = None
    ) -> None:
        """Leave ``participant_id``'s tombstone (keeping the earliest ``erased_at`` given)."""
        update: dict[str, Any] = {"$set": {"erased": True}, "$inc": {"writes": 1}}
        if erased_at is not None:
            update["$min"] = {"erased_at": erased_at}
        await self._write([UpdateOne({"_id": participant_id}, update, upsert=True)], tx)
        self._checked(tx)[participant_id] = True

    def _checked(self, tx: Transaction) -> dict[str, bool]:
        checked: dict[str, bool] = tx.scratch.setdefault(self._scratch_key, {})
        return checked

    async def _write(self, writes: list[UpdateOne], tx: Transaction) -> None:
        """Upsert guards in ``tx``; a clash with a concurrent writer makes ``tx`` run again.

        Two transactions upserting the same new guard may get a duplicate key error rather
        than a write conflict; either way the other wrote it first. Labelled a transient
        transaction error, the clash makes the transactor re-run the work (never a dead
        letter), and the new attempt finds the other's guard.
        """
        try:
            await self._guards.bulk_write(writes, ordered=False, session=tx.session)
        except BulkWriteError as error:
            codes = {item.get("code") for item in error.details.get("writeErrors", ())}
            if not codes & {DUPLICATE_KEY, WRITE_CONFLICT}:
                raise
            raise OperationFailure(
                f"concurrent participant guard write: {error}",
                code=WRITE_CONFLICT,
                details={"errorLabels": ["TransientTransactionError"]},
            ) from error
