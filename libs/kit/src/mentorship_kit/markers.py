"""Processed-event markers in weekly collections, each dropped once a retention has passed.

A consumer group remembers each event it handled by a marker (`mentorship_kit.consumer`).
Markers are written to the collection of the week they are written in,
``processed_events.until_<date>`` (the period ends at 00:00 UTC on that Monday), and a week's
collection is dropped once its end lies more than the retention
(``CONSUMER_MARKER_RETENTION_DAYS``) in the past: every marker is kept at least the retention
after it was written, at most a week longer, and dropping a collection costs one command
instead of a delete per marker.

**Lookups.** An event's marker is written at ``t = max(now, occurred_at)``, so it lies in a
collection ending after the event's ``occurred_at``: a batch reads (one ``find_in`` each) only
the retained collections ending after its oldest event occurred, up to the one of now (plus
two margins, for clocks of replicas that differ), and for an event dated ahead of the clock the
week of its date. A batch of fresh events reads one collection
(two around a week's end), a redelivered old one every retained collection (six at most).

**Concurrent handlers of one event** (a member that lost its partitions still finishing a
batch) must clash on one marker document, as they did in one collection: a transaction does
not see what another inserts into a collection it only read. Within `MARGIN` of a week's end
a marker is therefore written to both neighbouring weeks; two writers whose clocks differ by
less than the margin then always share a collection.

**Upgrade.** Markers of earlier versions are in ``processed_events``: it is read as long as it
exists, and dropped by the clean-up once its document count has not changed for a retention
(a rolled-back replica writing to it again restarts that wait).

**Clean-up.** `MarkerStore.maintain` runs every `MAINTENANCE_INTERVAL_S` on each replica: it
creates this week's and next week's collections (so no transaction creates one), counts the
collections (``mentorship_consumer_marker_collections``), and, once per week and service,
under a lease of `CLEANUP_LEASE` (a replica dying midway hands it to another), drops the
expired ones (``mentorship_consumer_marker_collections_dropped_total``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo.errors import CollectionInvalid, DuplicateKeyError, OperationFailure

from mentorship_contracts.types import utc_now
from mentorship_kit.batching import find_in
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database, Document
from mentorship_kit.outbox import Transaction

LEGACY_COLLECTION = "processed_events"
"""Where versions before the rotation kept every marker (read until it ages out)."""
PERIOD_PREFIX = f"{LEGACY_COLLECTION}.until_"
STATE_COLLECTION = "marker_rotation"
"""The clean-up's lease and what it knows of the legacy collection."""
PERIOD = timedelta(days=7)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
"""A Monday: periods run Monday 00:00 UTC to Monday 00:00 UTC."""
MARGIN = timedelta(minutes=5)
"""Larger than the clock difference of two replicas plus a transaction's lifetime."""
CLEANUP_LEASE = timedelta(minutes=10)
MAINTENANCE_INTERVAL_S = 600.0
NAMESPACE_EXISTS = 48
_ALL_TIME = datetime.min.replace(tzinfo=UTC)

logger = logging.getLogger(__name__)


def period_end(moment: datetime) -> datetime:
    """The end (exclusive) of the period ``moment`` falls in."""
    return _EPOCH + ((moment - _EPOCH) // PERIOD + 1) * PERIOD


def period_collection(end: datetime) -> str:
    """The name of the collection of the period ending at ``end``."""
    return f"{PERIOD_PREFIX}{end.date().isoformat()}"


def collection_end(name: str) -> datetime | None:
    """The end of the period a marker collection holds; None for any other collection."""
    if not name.startswith(PERIOD_PREFIX):
        return None
    try:
        day = date.fromisoformat(name.removeprefix(PERIOD_PREFIX))
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def marker_collections(names: Iterable[str]) -> list[str]:
    """The marker collections among ``names`` (the legacy one included), oldest first."""
    periods = sorted(name for name in names if collection_end(name) is not None)
    return [LEGACY_COLLECTION, *periods] if LEGACY_COLLECTION in names else periods


@dataclass(frozen=True, slots=True)
class Marker:
    """A marker to write: its id, the time the event carries, and what else to store."""

    marker_id: str
    occurred_at: datetime
    fields: Mapping[str, Any]


class MarkerStore:
    """One service's processed-event markers, rotated weekly (see the module's docstring)."""

    def __init__(
        self,
        database: Database,
        *,
        retention: timedelta,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if retention <= timedelta(0):
            msg = "the marker retention must be positive"
            raise ValueError(msg)
        self._database = database
        self._retention = retention
        self._metrics = metrics
        self._clock = clock
        self._state: Collection = database[STATE_COLLECTION]
        self._owner = uuid4().hex
        self._legacy_present: bool | None = None
        """Whether ``processed_events`` exists (None: not looked yet)."""

    async def found(
        self, occurred: Mapping[str, datetime | None], tx: Transaction | None = None
    ) -> set[str]:
        """Which of the markers (id: the event's ``occurred_at``, None if unknown) exist."""
        if not occurred:
            return set()
        await self._look_for_legacy()
        times = [moment or _ALL_TIME for moment in occurred.values()]
        seen: set[str] = set()
        for name in self._readable(times):
            async for document in find_in(
                self._database[name], occurred, projection={"_id": 1}, tx=tx
            ):
                seen.add(document["_id"])
        return seen

    async def write(self, markers: Sequence[Marker], tx: Transaction) -> None:
        """Insert new markers in ``tx`` (found absent by `found` in the same transaction)."""
        by_collection: dict[str, list[Document]] = {}
        now = self._clock()
        for marker in markers:
            for name in self._targets(max(now, marker.occurred_at)):
                by_collection.setdefault(name, []).append(
                    {"_id": marker.marker_id, **marker.fields}
                )
        for name, documents in by_collection.items():
            await self._database[name].insert_many(documents, session=tx.session)

    async def mark(self, marker_id: str, fields: Mapping[str, Any]) -> None:
        """Write one marker outside any transaction (a dead letter's), if it is not there."""
        for name in self._targets(self._clock()):
            await self._database[name].update_one(
                {"_id": marker_id}, {"$setOnInsert": dict(fields)}, upsert=True
            )

    def _targets(self, moment: datetime) -> list[str]:
        """The collections a marker written at ``moment`` goes to: two near a period's end."""
        ends = dict.fromkeys((period_end(moment - MARGIN), period_end(moment + MARGIN)))
        return [period_collection(end) for end in ends]

    def _readable(self, times: Sequence[datetime]) -> list[str]:
        """The collections that may hold markers of events that occurred at ``times``.

        The weeks from the oldest event's (within the retention) to now, and for an event
        dated ahead of the clock, the weeks its marker was written to (at its date): a date
        years ahead costs its own weeks, not every week up to it.
        """
        now = self._clock()
        first = period_end(max(min(*times, now), now - self._retention) - MARGIN)
        last = period_end(now + 2 * MARGIN)
        ends: dict[datetime, None] = {}
        end = first
        while end <= last:
            ends[end] = None
            end += PERIOD
        for moment in times:
            if moment > now:
                ends |= dict.fromkeys((period_end(moment - MARGIN), period_end(moment + MARGIN)))
        names = [LEGACY_COLLECTION] if self._legacy_present else []
        return names + [period_collection(end) for end in ends]

    async def _look_for_legacy(self, *, again: bool = False) -> None:
        if self._legacy_present is None or again:
            names = await self._database.list_collection_names()
            self._legacy_present = LEGACY_COLLECTION in names

    async def run(self) -> None:
        """Maintain the collections every `MAINTENANCE_INTERVAL_S`, for the process's life."""
        while True:
            try:
                await self.maintain()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("marker maintenance failed; trying again later")
            await asyncio.sleep(MAINTENANCE_INTERVAL_S)

    async def maintain(self) -> list[str]:
        """Create the coming collections, count them, clean up once a period; what it dropped."""
        now = self._clock()
        for end in (period_end(now), period_end(now + PERIOD)):
            await self._create(period_collection(end))
        dropped: list[str] = []
        if await self._claim(now):  # a failed clean-up keeps the lease: tried again next time
            dropped = await self._clean_up(now)
            await self._finish(now)
        names = marker_collections(await self._database.list_collection_names())
        self._legacy_present = LEGACY_COLLECTION in names
        if self._metrics is not None:
            self._metrics.consumer_marker_collections.set(len(names))
        return dropped

    async def _create(self, name: str) -> None:
        try:
            await self._database.create_collection(name)
        except CollectionInvalid:
            pass  # exists
        except OperationFailure as error:
            if error.code != NAMESPACE_EXISTS:
                raise

    async def _claim(self, now: datetime) -> bool:
        """Take the clean-up of this period, unless it was done or another replica holds it."""
        try:
            await self._state.update_one(
                {
                    "_id": "cleanup",
                    "done_until": {"$ne": period_collection(period_end(now))},
                    "$or": [
                        {"owner": self._owner},
                        {"expires_at": {"$lt": now}},
                        {"expires_at": None},
                    ],
                },
                {"$set": {"owner": self._owner, "expires_at": now + CLEANUP_LEASE}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def _finish(self, now: datetime) -> None:
        await self._state.update_one(
            {"_id": "cleanup", "owner": self._owner},
            {
                "$set": {"done_until": period_collection(period_end(now)), "done_at": now},
                "$unset": {"owner": "", "expires_at": ""},
            },
        )

    async def _clean_up(self, now: datetime) -> list[str]:
        """Drop the collections whose period ended more than the retention ago."""
        names = await self._database.list_collection_names()
        expired = [
            name
            for name in marker_collections(names)
            if (end := collection_end(name)) is not None and end <= now - self._retention
        ]
        if LEGACY_COLLECTION in names and await self._legacy_aged_out(now):
            expired.append(LEGACY_COLLECTION)
            await self._state.update_one(
                {"_id": "cleanup"}, {"$unset": {"legacy_count": "", "legacy_changed_at": ""}}
            )
        for name in expired:
            await self._database.drop_collection(name)
            logger.info("marker collection dropped", extra={"collection": name})
            if self._metrics is not None:
                self._metrics.consumer_marker_collections_dropped.inc()
        return expired

    async def _legacy_aged_out(self, now: datetime) -> bool:
        """Whether nothing was written to the legacy collection for a retention.

        Its document count is noted at each clean-up; a count that moved (a replica of an
        earlier version still or again writing) starts the wait anew.
        """
        count = await self._database[LEGACY_COLLECTION].estimated_document_count()
        state = await self._state.find_one({"_id": "cleanup"}) or {}
        if state.get("legacy_count") != count or "legacy_changed_at" not in state:
            await self._state.update_one(
                {"_id": "cleanup"}, {"$set": {"legacy_count": count, "legacy_changed_at": now}}
            )
            return False
        changed_at: datetime = state["legacy_changed_at"]
        if changed_at.tzinfo is None:
            changed_at = changed_at.replace(tzinfo=UTC)
        return now - changed_at >= self._retention


async def stored_markers(database: Database) -> list[Document]:
    """Every marker of every marker collection (for operations and tests; not for batches)."""
    found: list[Document] = []
    for name in marker_collections(await database.list_collection_names()):
        found.extend(await database[name].find({}).to_list())
    return found
