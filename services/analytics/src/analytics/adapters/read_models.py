"""MongoDB storage of the read models: one collection per kind of document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from pymongo import ASCENDING, IndexModel, ReplaceOne

from analytics.domain.facts import (
    COLLECTIONS,
    FEEDBACK,
    PROGRAMS,
    Doc,
    Target,
)
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction

RM_PREFIX = "rm_"
"""Read-model collections are named rm_<kind>, apart from the kit's own collections."""


class ReadModels:
    """Loads and stores read-model documents, and reads a program's documents for reports."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def _collection(self, kind: str) -> Collection:
        return self._database[f"{RM_PREFIX}{kind}"]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Every kind is read per program."""
        return tuple(
            Indexes(
                f"{RM_PREFIX}{kind}", (IndexModel([("program_id", ASCENDING)], name="by_program"),)
            )
            for kind in COLLECTIONS
        )

    async def load(self, targets: Iterable[Target], tx: Transaction) -> dict[Target, Doc]:
        """The stored documents of ``targets`` (one query per kind)."""
        keys: dict[str, list[str]] = defaultdict(list)
        for target in targets:
            keys[target.collection].append(target.key)
        found: dict[Target, Doc] = {}
        for kind, ids in keys.items():
            cursor = self._collection(kind).find({"_id": {"$in": ids}}, session=tx.session)
            async for document in cursor:
                found[Target(kind, document["_id"])] = document
        return found

    async def save(self, documents: Mapping[Target, Doc], tx: Transaction) -> None:
        """Store ``documents`` (one bulk write per kind)."""
        by_kind: dict[str, list[ReplaceOne[Doc]]] = defaultdict(list)
        for target, document in documents.items():
            body = {name: value for name, value in document.items() if name != "_id"}
            by_kind[target.collection].append(ReplaceOne({"_id": target.key}, body, upsert=True))
        for kind, writes in by_kind.items():
            await self._collection(kind).bulk_write(writes, ordered=False, session=tx.session)

    async def of_program(self, program_id: str) -> dict[str, list[Doc]]:
        """Every document of a program, by kind."""
        documents: dict[str, list[Doc]] = {}
        for kind in COLLECTIONS:
            cursor = self._collection(kind).find({"program_id": program_id})
            documents[kind] = [document async for document in cursor]
        return documents

    async def count(self, kind: str, query: Mapping[str, object]) -> int:
        """How many documents of ``kind`` match."""
        return int(await self._collection(kind).count_documents(dict(query)))

    async def latest_programs(self, limit: int) -> list[str]:
        """The ``limit`` programs that started last."""
        cursor = self._collection(PROGRAMS).find({}, {"_id": 1}).sort("starts_on", -1).limit(limit)
        return [document["_id"] async for document in cursor]

    async def average_rating(self, query: Mapping[str, object]) -> float:
        """The average session rating of the matching feedback (0 when there is none)."""
        pipeline: list[dict[str, object]] = [
            {"$match": {**query, "rating": {"$exists": True}}},
            {"$group": {"_id": None, "average": {"$avg": "$rating"}}},
        ]
        async for group in await self._collection(FEEDBACK).aggregate(pipeline):
            return float(group["average"] or 0.0)
        return 0.0
