"""MongoDB access: the client factory and index declarations.

Services talk to MongoDB through PyMongo's async API only; nothing here depends on which
MongoDB-compatible server is behind the URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
MongoClient = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]


def create_client(url: str, *, app_name: str, timeout_ms: int = 5000) -> MongoClient:
    """A client that returns timezone-aware UTC datetimes and standard UUIDs."""
    return AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
    )


@dataclass(frozen=True, slots=True)
class Indexes:
    """The indexes one collection needs."""

    collection: str
    models: Sequence[IndexModel] = field(default_factory=tuple)
    retired: Sequence[str] = ()
    """Names of indexes an earlier version declared and no query needs any more: dropped."""


async def ensure_indexes(database: Database, declarations: Sequence[Indexes]) -> None:
    """Create every declared index (a no-op for those that exist), drop the retired ones."""
    for declaration in declarations:
        collection = database[declaration.collection]
        if declaration.retired:
            existing = set(await collection.index_information())
            for name in declaration.retired:
                if name in existing:
                    await collection.drop_index(name)
        if declaration.models:
            await collection.create_indexes(list(declaration.models))


async def ping(client: MongoClient) -> None:
    """Raise unless the server answers."""
    await client.admin.command("ping")


def without_id(document: Mapping[str, Any]) -> Document:
    """A copy of ``document`` without MongoDB's ``_id``."""
    return {key: value for key, value in document.items() if key != "_id"}
