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

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError

from mentorship_kit.batching import find_in, raise_if_concurrent, store, update_each
from mentorship_kit.mongo import Collection, Database, Document
from mentorship_kit.outbox import Transaction

GUARDS = "erased_participants"


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
        return bool(await self.erased_among(participant_ids, tx))

    async def erased_among(
        self, participant_ids: Iterable[str], tx: Transaction, *, expect_guarded: bool = False
    ) -> set[str]:
        """Which of ``participant_ids`` were erased, guarding each of them in ``tx``.

        For a whole batch at once: a read of the guards not yet written in this attempt (in
        pieces, see `mentorship_kit.batching`), then one insert of the new ones and one
        update per piece of the others.

        ``expect_guarded``: the caller expects every participant to have a guard already and
        none to be erased (they registered first, say). Then the guards are written first,
        only where not erased, and when every one of them was, that write is the answer:
        no read. Otherwise the read and write above follow, as without it.
        """
        named = list(dict.fromkeys(participant_ids))
        checked = self._checked(tx)
        unguarded = [item for item in named if item not in checked]
        if unguarded and expect_guarded and await self._all_guarded_unerased(unguarded, tx):
            checked.update((item, False) for item in unguarded)
            unguarded = []
        if unguarded:
            found = {
                document["_id"]: bool(document.get("erased"))
                async for document in find_in(
                    self._guards, unguarded, projection={"erased": 1}, tx=tx
                )
            }
            new = [{"_id": item, "writes": 1} for item in unguarded if item not in found]
            await self._store(new, update_each(found, {"$inc": {"writes": 1}}), tx)
            checked.update((item, found.get(item, False)) for item in unguarded)
        return {item for item in named if checked[item]}

    async def erase(
        self, participant_id: str, tx: Transaction, *, erased_at: datetime | None = None
    ) -> None:
        """Leave ``participant_id``'s tombstone (keeping the earliest ``erased_at`` given)."""
        update: dict[str, Any] = {"$set": {"erased": True}, "$inc": {"writes": 1}}
        if erased_at is not None:
            update["$min"] = {"erased_at": erased_at}
        await self._write([UpdateOne({"_id": participant_id}, update, upsert=True)], tx)
        self._checked(tx)[participant_id] = True

    async def _all_guarded_unerased(self, participant_ids: list[str], tx: Transaction) -> bool:
        """Write the guards of ``participant_ids`` not erased; True if that was all of them.

        A guard erased in this transaction's snapshot is left alone (and the answer is
        False); one erased by a transaction not in it is written too, so the two conflict.
        """
        writes = update_each(
            participant_ids, {"$inc": {"writes": 1}}, query={"erased": {"$ne": True}}
        )
        try:
            result = await self._guards.bulk_write(writes, ordered=False, session=tx.session)
        except BulkWriteError as error:
            raise_if_concurrent(error)
            raise
        return result.modified_count == len(participant_ids)

    def _checked(self, tx: Transaction) -> dict[str, bool]:
        checked: dict[str, bool] = tx.scratch.setdefault(self._scratch_key, {})
        return checked

    async def _write(self, writes: list[UpdateOne], tx: Transaction) -> None:
        """Upsert guards in ``tx``; a clash with a concurrent writer makes ``tx`` run again."""
        await self._store((), writes, tx)

    async def _store(
        self,
        new: Sequence[Document],
        changed: Sequence[UpdateOne | UpdateMany],
        tx: Transaction,
    ) -> None:
        """Write guards in ``tx`` (see `mentorship_kit.batching.store`).

        Two transactions writing the same new guard may get a duplicate key error rather
        than a write conflict; either way the other wrote it first, and the transactor
        re-runs the work (never a dead letter), which then finds the other's guard.
        """
        await store(self._guards, tx, new=new, changed=changed)
