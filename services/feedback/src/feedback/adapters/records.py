"""MongoDB storage of feedback's records: one collection per record type, keyed by its id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from feedback.domain.records import Record
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction


class Records[R: Record]:
    """Records of one type: ``id_field`` is the document id, other fields stored as they are."""

    def __init__(
        self, database: Database, collection: str, model: type[R], id_field: str, *lookups: str
    ) -> None:
        self._collection: Collection = database[collection]
        self._model = model
        self._id_field = id_field
        self._lookups = lookups
        self.name = collection

    def indexes(self) -> Indexes:
        """One index per lookup field."""
        return Indexes(
            self.name,
            tuple(IndexModel([(field, ASCENDING)], name=f"by_{field}") for field in self._lookups),
        )

    async def get(self, record_id: str, tx: Transaction | None = None) -> R | None:
        """A record by id."""
        document = await self._collection.find_one(
            {"_id": record_id}, session=tx.session if tx else None
        )
        return self._record(document) if document else None

    async def put(self, record: R, tx: Transaction) -> None:
        """Insert or replace ``record``."""
        document = record.model_dump(mode="python")
        record_id = document.pop(self._id_field)
        await self._collection.replace_one(
            {"_id": record_id}, document, upsert=True, session=tx.session
        )

    async def insert(self, record: R, tx: Transaction) -> bool:
        """Insert ``record`` unless one with its id exists: False then, and nothing changes.

        One conditional write, so of two concurrent inserts of the same id only one succeeds.
        A refused insert ends ``tx`` (MongoDB aborts the transaction): raise after it.
        """
        document = record.model_dump(mode="python")
        document["_id"] = document.pop(self._id_field)
        try:
            await self._collection.insert_one(document, session=tx.session)
        except DuplicateKeyError:
            return False
        return True

    async def find(self, query: Mapping[str, Any], tx: Transaction | None = None) -> list[R]:
        """Records matching ``query``, oldest id first."""
        cursor = self._collection.find(dict(query), session=tx.session if tx else None).sort(
            "_id", ASCENDING
        )
        return [self._record(document) async for document in cursor]

    async def count(self, query: Mapping[str, Any], tx: Transaction | None = None) -> int:
        """How many records match ``query``."""
        return await self._collection.count_documents(
            dict(query), session=tx.session if tx else None
        )

    async def update_many(
        self, query: Mapping[str, Any], changes: Mapping[str, Any], tx: Transaction
    ) -> int:
        """Set ``changes`` on every matching record."""
        result = await self._collection.update_many(
            dict(query), {"$set": dict(changes)}, session=tx.session
        )
        return result.modified_count

    async def delete_many(self, query: Mapping[str, Any], tx: Transaction) -> int:
        """Delete every matching record."""
        result = await self._collection.delete_many(dict(query), session=tx.session)
        return result.deleted_count

    def _record(self, document: Document) -> R:
        fields = dict(document)
        fields[self._id_field] = fields.pop("_id")
        return self._model.model_validate(fields)
