"""The latest state of aggregates whose events carry their full state (programs, ...).

A subscriber that needs another service's aggregate keeps a local copy: each
``...Created``/``...Updated`` event replaces it, unless the copy is already newer (a
replayed or late event never rolls it back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_kit.batching import find_in, store
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction


class SnapshotStore[M: IntegrationEvent]:
    """One document per aggregate id: the newest state seen and when it was current."""

    def __init__(self, database: Database, collection: str, model: type[M]) -> None:
        self._collection: Collection = database[collection]
        self._model = model
        self.name = collection

    def indexes(self, *extra: Any, retired: Sequence[str] = ()) -> Indexes:
        """Snapshots are read by id; ``extra`` adds IndexModels on ``state.<field>``.

        ``retired``: names of indexes no longer needed, dropped (see `Indexes`).
        """
        return Indexes(self.name, tuple(extra), retired=tuple(retired))

    async def put(
        self, key: str, state: M, as_of: datetime, tx: Transaction, **fields: Any
    ) -> bool:
        """Store ``state`` unless a newer one is stored; returns whether it was stored.

        ``fields`` are stored next to the state (flags a subscriber adds, e.g. ended).
        """
        current = await self._collection.find_one(
            {"_id": key}, projection={"as_of": 1}, session=tx.session
        )
        if current is not None and current["as_of"] > as_of:
            return False
        await self._collection.update_one(
            {"_id": key},
            {"$set": {"state": state.model_dump(mode="json"), "as_of": as_of, **fields}},
            upsert=True,
            session=tx.session,
        )
        return True

    async def put_many(
        self, items: Iterable[tuple[str, M, datetime, Mapping[str, Any]]], tx: Transaction
    ) -> set[str]:
        """`put` for many ``(key, state, as_of, fields)`` at once: one read, one bulk write.

        The items are applied in order, as one `put` after the other would: per key the
        newest state wins, a later item on a tie, and a stored newer state is kept. Returns
        the keys whose state was stored.
        """
        listed = list(items)
        if not listed:
            return set()
        known: dict[str, datetime] = {
            document["_id"]: document["as_of"]
            async for document in find_in(
                self._collection, [key for key, *_ in listed], projection={"as_of": 1}, tx=tx
            )
        }
        newest = dict(known)
        winners: dict[str, tuple[M, datetime, Mapping[str, Any]]] = {}
        for key, state, as_of, fields in listed:
            current = newest.get(key)
            if current is not None and current > as_of:
                continue
            newest[key] = as_of
            winners[key] = (state, as_of, fields)
        stored = {
            key: {"state": state.model_dump(mode="json"), "as_of": as_of, **fields}
            for key, (state, as_of, fields) in winners.items()
        }
        await store(
            self._collection,
            tx,
            new=[{"_id": key, **values} for key, values in stored.items() if key not in known],
            changed=[
                UpdateOne({"_id": key}, {"$set": values})
                for key, values in stored.items()
                if key in known
            ],
        )
        return set(winners)

    def follow(self, handlers: EventHandlers, *event_types: type[M], key_field: str) -> None:
        """Keep the snapshots current from events that carry the full state.

        Each event of ``event_types`` replaces the snapshot keyed by its ``key_field``.
        """
        for event_type in event_types:

            async def replace(event: Envelope[M], tx: Transaction) -> None:
                await self.put(getattr(event.data, key_field), event.data, event.occurred_at, tx)

            handlers.on(event_type)(replace)

    async def mark(self, key: str, tx: Transaction, **fields: Any) -> bool:
        """Set ``fields`` on a stored snapshot; False when there is none."""
        result = await self._collection.update_one(
            {"_id": key}, {"$set": fields}, session=tx.session
        )
        return result.matched_count == 1

    async def get(self, key: str, tx: Transaction | None = None) -> M | None:
        """The stored state of ``key``."""
        document = await self._collection.find_one({"_id": key}, session=tx.session if tx else None)
        return self._model.model_validate(document["state"]) if document else None

    async def get_document(self, key: str) -> Mapping[str, Any] | None:
        """The stored document (state plus the extra fields)."""
        return await self._collection.find_one({"_id": key})

    async def delete(self, key: str, tx: Transaction) -> None:
        """Forget ``key``."""
        await self._collection.delete_one({"_id": key}, session=tx.session)

    async def delete_where(self, state_filter: Mapping[str, Any], tx: Transaction) -> int:
        """Forget every snapshot whose state matches (keys are state field names)."""
        result = await self._collection.delete_many(
            {f"state.{name}": value for name, value in state_filter.items()}, session=tx.session
        )
        return result.deleted_count

    async def find(
        self, state_filter: Mapping[str, Any], tx: Transaction | None = None, **fields: Any
    ) -> list[M]:
        """Every stored state matching the filter (keys are state field names) and ``fields``."""
        query = {f"state.{name}": value for name, value in state_filter.items()} | fields
        cursor = self._collection.find(
            query, projection={"state": 1}, session=tx.session if tx else None
        )
        return [self._model.model_validate(document["state"]) async for document in cursor]

    async def count(self, state_filter: Mapping[str, Any], **fields: Any) -> int:
        """How many snapshots match the state filter and the extra fields."""
        query = {f"state.{name}": value for name, value in state_filter.items()} | fields
        return await self._collection.count_documents(query)
