"""MongoDB access: the client factory and index declarations.

Services talk to MongoDB through PyMongo's async API only; nothing here depends on which
MongoDB-compatible server is behind the URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
MongoClient = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
EARLIEST = datetime.min.replace(tzinfo=UTC)
"""The earliest date Python's datetime holds (BSON keeps it): the lower bound of `due_by`."""


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
    before_retiring: Callable[[Database], Awaitable[object]] | None = None
    """A migration to run before the retired indexes are dropped, while any of them exists.

    For data an earlier version found through a retired index and this one finds another
    way (a field it now keeps elsewhere, say): the migration fills that in first. A retired
    index still there is the sign the migration has not finished, so it runs on each start
    until the drop succeeds, and never again after; it must be idempotent (a start that
    crashes between the two runs it again). It runs after the declared indexes of the
    collections listed before this one are created.
    """


async def ensure_indexes(database: Database, declarations: Sequence[Indexes]) -> None:
    """Create every declared index (a no-op for those that exist), drop the retired ones.

    Declarations are handled in order; a declaration's `Indexes.before_retiring` runs just
    before its retired indexes are dropped, and only if one of them exists. The declared
    indexes are created after that migration and before the drop, so the queries a retired
    index served have their new one from then on (pods of the earlier version still
    running during a rollout included); one that takes a retired index's name or keys
    (MongoDB refuses a second index on the same keys) is created after the drop.
    """
    for declaration in declarations:
        collection = database[declaration.collection]
        present: list[str] = []
        retired_keys: set[tuple[tuple[str, Any], ...]] = set()
        if declaration.retired:
            existing = await collection.index_information()
            present = [name for name in declaration.retired if name in existing]
            retired_keys = {_keys(existing[name]["key"]) for name in present}
            if present and declaration.before_retiring is not None:
                await declaration.before_retiring(database)
        renamed = [
            model
            for model in declaration.models
            if model.document["name"] in present
            or _keys(model.document["key"].items()) in retired_keys
        ]
        others = [model for model in declaration.models if model not in renamed]
        if others:
            await collection.create_indexes(others)
        for name in present:
            await collection.drop_index(name)
        if renamed:
            await collection.create_indexes(renamed)


def _keys(pairs: Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    """An index's keys, comparable whichever way the server spelled a direction (1, 1.0)."""
    return tuple(
        (field, int(direction) if isinstance(direction, float) else direction)
        for field, direction in pairs
    )


async def ping(client: MongoClient) -> None:
    """Raise unless the server answers."""
    await client.admin.command("ping")


def without_id(document: Mapping[str, Any]) -> Document:
    """A copy of ``document`` without MongoDB's ``_id``."""
    return {key: value for key, value in document.items() if key != "_id"}


def due_by(moment: datetime) -> Document:
    """The condition on a date field that something is due: it is set, to ``moment`` or before.

    Bounded below as well as above: SecantusDB walks a range with no lower bound from the
    start of its index, through every document without the field (keyed as null), so a
    "due by now" of a few documents read about as many as a scan (95 ms every reminder round
    at 6,000 series, 0.9 ms bounded). A date compared with a date matches dates only, so
    the bound changes no result.
    """
    return {"$gte": EARLIEST, "$lte": moment}
