"""Batched reads and writes: lookups of many ids in bounded pieces, and per-batch buffers.

**Lookups.** SecantusDB (the development database) fetches ``{"_id": {"$in": ids}}`` by point
lookups but then matches every fetched document against the whole list, so one query over n
ids costs n² comparisons: 200 ids take a quarter of a second, 1,000 four seconds, 5,000 over a
minute. A real MongoDB does not care. Asking in pieces of `IN_CHUNK` keeps the cost linear on
both, for a handful more round trips: `chunks` cuts the ids, `find_in` runs the pieces.

**Buffers.** A consumer batch is handled in one transaction (see `mentorship_kit.consumer`).
A handler that would read and write per event instead adds the event's content to a `Buffer`;
just before the transaction commits the buffer hands everything it collected to its flush
(one read of what the items touch, one bulk write), in the order the events came. An event
that must see what was collected before it (an erasure after a registration of the same
person, say) flushes the buffer first, so the effects keep the events' order.

**Scans.** A cursor asks for its next batch only once the caller has taken the last one, so
the database and the caller take turns. `read_ahead` keeps one batch in flight while the
caller decodes and handles the one before: on a machine with a core for each, reading
12,500 documents and validating them costs about the longer of the two, not their sum.
(SecantusDB also spends a third more of its CPU on a find that projects ``{"state": 1}``
than on one that returns whole documents: read small documents whole.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, cast

import bson
from pymongo import ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure

from mentorship_kit.mongo import Collection, Document
from mentorship_kit.outbox import Transaction

IN_CHUNK = 50
"""Ids per ``$in`` lookup (see the module's docstring)."""
READ_AHEAD_BATCH = 1000
"""Documents per batch of `read_ahead` (small enough to overlap, large enough to be few)."""
DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112


def chunks[T](items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` without duplicates, in order, in lists of at most ``size``."""
    unique = list(dict.fromkeys(items))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


async def find_in(
    collection: Collection,
    ids: Iterable[Any],
    *,
    field: str = "_id",
    query: Mapping[str, Any] | None = None,
    projection: Mapping[str, Any] | None = None,
    tx: Transaction | None = None,
) -> AsyncIterator[Document]:
    """The documents whose ``field`` is one of ``ids`` (and match ``query``), a read per chunk."""
    session = tx.session if tx is not None else None
    for chunk in chunks(ids):
        cursor = collection.find(
            {**(query or {}), field: {"$in": chunk}}, projection, session=session
        )
        async for document in cursor:
            yield document


async def read_ahead(
    collection: Collection,
    query: Mapping[str, Any],
    *,
    projection: Mapping[str, Any] | None = None,
    sort: Sequence[tuple[str, int]] | None = None,
    batch_size: int = READ_AHEAD_BATCH,
    tx: Transaction | None = None,
) -> AsyncGenerator[list[Document]]:
    """The documents matching ``query``, batch by batch, the next batch read meanwhile.

    In ``sort`` order, if given. A task fetches the raw batches (at most two ahead of the
    caller); they are decoded here, with the collection's codec options, while the database
    produces the next one. A caller that may stop early wraps the iterator in
    ``contextlib.aclosing`` so the reader stops too.
    """
    batches: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=2)

    async def fetch() -> None:
        cursor = collection.find_raw_batches(
            query,
            projection,
            sort=list(sort) if sort else None,
            batch_size=batch_size,
            session=tx.session if tx is not None else None,
        )
        async with cursor:
            async for raw in cursor:  # typed as documents, but raw batches are bytes
                await batches.put(cast("bytes", raw))
        await batches.put(None)

    reader = asyncio.create_task(fetch())
    try:
        while (raw := await _next_batch(batches, reader)) is not None:
            yield bson.decode_all(raw, collection.codec_options)
        await reader  # raises what the reader raised, if anything
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def _next_batch(
    batches: asyncio.Queue[bytes | None], reader: asyncio.Task[None]
) -> bytes | None:
    """The next raw batch, or None at the end (or once the reader failed: awaiting it raises)."""
    if batches.empty() and reader.done():
        return None
    getting = asyncio.ensure_future(batches.get())
    await asyncio.wait({getting, reader}, return_when=asyncio.FIRST_COMPLETED)
    if getting.done():
        return getting.result()
    getting.cancel()
    return None


async def store(
    collection: Collection,
    tx: Transaction,
    *,
    new: Sequence[Document] = (),
    changed: Sequence[UpdateOne | UpdateMany | ReplaceOne[Document]] = (),
) -> None:
    """Insert the documents a batch found absent, apply its updates to those it found.

    On SecantusDB an insert costs a third of an upsert (and each update or upsert a fixed
    price of its own), so a batch that read what it writes inserts what is new, in one
    command. A concurrent transaction that inserted one of the same keys first makes this
    one run again, as a write conflict would (it then finds the document and updates it).
    """
    try:
        if new:
            await collection.insert_many(list(new), ordered=False, session=tx.session)
        if changed:
            await collection.bulk_write(list(changed), ordered=False, session=tx.session)
    except BulkWriteError as error:
        raise_if_concurrent(error)
        raise


def raise_if_concurrent(error: BulkWriteError) -> None:
    """Raise a transient transaction error if ``error`` is a clash with a concurrent writer.

    Two transactions inserting the same new key may get a duplicate key error rather than a
    write conflict; either way the other wrote first. Labelled a transient transaction
    error, the clash makes the transactor run the work again (never a dead letter).
    """
    codes = {item.get("code") for item in error.details.get("writeErrors", ())}
    if codes & {DUPLICATE_KEY, WRITE_CONFLICT}:
        raise OperationFailure(
            f"concurrent write of the same key: {error}",
            code=WRITE_CONFLICT,
            details={"errorLabels": ["TransientTransactionError"]},
        ) from error


def update_each(
    ids: Iterable[Any], update: Mapping[str, Any], *, query: Mapping[str, Any] | None = None
) -> list[UpdateMany]:
    """The same ``update`` of every document of ``ids`` (that matches ``query``).

    One operation per `IN_CHUNK` ids: on SecantusDB every update operation has a fixed
    price, one per piece, not per id.
    """
    return [
        UpdateMany({**(query or {}), "_id": {"$in": chunk}}, dict(update)) for chunk in chunks(ids)
    ]


class Buffer[T]:
    """What a transaction's handlers collect for one flush just before it commits.

    ``flush`` gets the items in the order they were added, at most once per item; it runs in
    the transaction, before the consumer's markers are written. Each transaction attempt has
    its own buffer (kept in `Transaction.scratch`), so a retried attempt starts empty.
    """

    def __init__(self, name: str, flush: Callable[[list[T], Transaction], Awaitable[None]]):
        self._key = f"buffer.{name}"
        self._flush = flush

    def add(self, item: T, tx: Transaction) -> None:
        """Collect ``item``; the first item of a transaction schedules the flush."""
        pending: list[T] | None = tx.scratch.get(self._key)
        if pending is None:
            pending = tx.scratch[self._key] = []
            tx.before_commit(lambda: self.flush(tx))
        pending.append(item)

    def pending(self, tx: Transaction) -> list[T]:
        """What was collected in ``tx`` and not flushed yet."""
        return list(tx.scratch.get(self._key) or ())

    async def flush(self, tx: Transaction) -> None:
        """Hand what was collected so far to the flush now (nothing if there is nothing)."""
        pending: list[T] | None = tx.scratch.get(self._key)
        if not pending:
            return
        items = list(pending)
        pending.clear()
        await self._flush(items, tx)
