"""Weekly marker collections: rotation, lookups, the clean-up, its lease, the upgrade (MongoDB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from pymongo import AsyncMongoClient, monitoring

from mentorship_contracts import encode, seal
from mentorship_contracts.events import PairCreated
from mentorship_contracts.examples import example
from mentorship_devstack.stack import Infrastructure
from mentorship_kit.consumer import ConsumedRecord, EventConsumer
from mentorship_kit.markers import (
    CLEANUP_LEASE,
    LEGACY_COLLECTION,
    STATE_COLLECTION,
    Marker,
    MarkerStore,
    period_collection,
    stored_markers,
)
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

pytestmark = pytest.mark.integration

RETENTION = timedelta(days=35)
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
"""A period ends here: markers of the week before go to ``until_2026-11-02``."""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FindCounter(monitoring.CommandListener):
    """The collections each ``find`` command read."""

    def __init__(self) -> None:
        self.finds: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.finds.append(str(event.command["find"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def watched(
    infrastructure: Infrastructure, runtime: ServiceRuntime
) -> AsyncIterator[tuple[Database, FindCounter]]:
    """The runtime's database through a client that counts the finds it sends."""
    counter = FindCounter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infrastructure.mongodb_url, tz_aware=True, event_listeners=[counter]
    )
    yield client[runtime.settings.mongodb_database], counter
    await client.close()


def _store(database: Database, clock: Clock) -> MarkerStore:
    return MarkerStore(database, retention=RETENTION, clock=clock)


async def _write(runtime: ServiceRuntime, store: MarkerStore, *markers: Marker) -> None:
    async def work(tx: Transaction) -> None:
        await store.write(list(markers), tx)

    await runtime.transactor.run(work)


def _marker(marker_id: str, occurred_at: datetime) -> Marker:
    return Marker(marker_id, occurred_at, {"event_type": "PairCreated"})


async def _names(database: Database) -> list[str]:
    return sorted(
        name
        for name in await database.list_collection_names()
        if name.startswith(LEGACY_COLLECTION)
    )


async def test_markers_go_to_the_collection_of_their_week_and_are_found_across_weeks(
    runtime: ServiceRuntime, watched: tuple[Database, FindCounter]
) -> None:
    database, finds = watched
    clock = Clock(MONDAY - timedelta(days=3))
    store, writer = _store(database, clock), _store(runtime.database, clock)
    await _write(runtime, writer, _marker("g:a", clock.now - timedelta(seconds=2)))
    clock.now = MONDAY + timedelta(days=1)
    await _write(runtime, writer, _marker("g:b", clock.now))

    assert await _names(database) == [
        period_collection(MONDAY),
        period_collection(MONDAY + timedelta(days=7)),
    ]
    older = clock.now - timedelta(days=5)
    finds.finds.clear()
    assert await store.found({"g:a": older, "g:b": clock.now, "g:c": clock.now}) == {"g:a", "g:b"}
    assert finds.finds == [period_collection(MONDAY), period_collection(MONDAY + timedelta(days=7))]

    finds.finds.clear()
    assert await store.found({"g:b": clock.now, "g:c": clock.now}) == {"g:b"}
    assert finds.finds == [period_collection(MONDAY + timedelta(days=7))], (
        "fresh events: only this week's collection is read"
    )

    finds.finds.clear()
    assert await store.found({"g:a": None}) == {"g:a"}, "an unknown time reads every week kept"
    assert len(finds.finds) == 6


async def test_near_the_end_of_a_week_a_marker_goes_to_both_weeks(
    runtime: ServiceRuntime,
) -> None:
    """Two replicas whose clocks straddle the end both write the same document: they clash."""
    database = runtime.database
    clock = Clock(MONDAY - timedelta(minutes=1))
    await _write(runtime, _store(database, clock), _marker("g:edge", clock.now))

    for name in (period_collection(MONDAY), period_collection(MONDAY + timedelta(days=7))):
        assert await database[name].find_one({"_id": "g:edge"}) is not None, name
    other_replica = _store(database, Clock(MONDAY + timedelta(minutes=1)))
    assert await other_replica.found({"g:edge": MONDAY - timedelta(minutes=1)}) == {"g:edge"}


async def test_an_event_dated_ahead_is_found_before_and_after_its_date(
    runtime: ServiceRuntime, watched: tuple[Database, FindCounter]
) -> None:
    database, finds = watched
    clock = Clock(MONDAY - timedelta(days=3))
    dated = MONDAY + timedelta(days=400)
    await _write(runtime, _store(runtime.database, clock), _marker("g:ahead", dated))
    store = _store(database, clock)

    clock.now = MONDAY + timedelta(days=20)  # redelivered before its date
    finds.finds.clear()
    assert await store.found({"g:ahead": dated}) == {"g:ahead"}
    assert len(finds.finds) == 2, "this week's and the week of its date, not all between"
    clock.now = dated + timedelta(days=3)  # and after it
    assert await store.found({"g:ahead": dated}) == {"g:ahead"}


async def test_the_clean_up_drops_weeks_that_ended_more_than_the_retention_ago(
    runtime: ServiceRuntime,
) -> None:
    database = runtime.database
    clock = Clock(MONDAY - timedelta(days=3))
    store = MarkerStore(database, retention=RETENTION, clock=clock, metrics=runtime.metrics)
    await _write(runtime, store, _marker("g:old", clock.now))
    clock.now = MONDAY + timedelta(days=10)
    await _write(runtime, store, _marker("g:newer", clock.now))

    clock.now = MONDAY + RETENTION - timedelta(hours=1)
    assert await store.maintain() == [], "a marker is kept at least the retention"
    assert await store.found({"g:old": MONDAY - timedelta(days=3)}) == {"g:old"}

    clock.now = MONDAY + RETENTION + timedelta(days=1)  # the next week: a new clean-up
    assert await store.maintain() == [period_collection(MONDAY)]
    assert await store.found({"g:old": None, "g:newer": None}) == {"g:newer"}
    assert period_collection(MONDAY) not in await database.list_collection_names()
    registry = runtime.metrics.registry
    assert registry.get_sample_value("mentorship_consumer_marker_collections_dropped_total") == 1
    gauge = registry.get_sample_value("mentorship_consumer_marker_collections")
    assert gauge == len(await _names(database)), "this week's and next week's, created ahead"


async def test_one_replica_cleans_up_per_week_and_a_dead_ones_lease_passes_on(
    runtime: ServiceRuntime,
) -> None:
    database = runtime.database
    clock = Clock(MONDAY - timedelta(days=3))
    first, second = _store(database, clock), _store(database, clock)
    await _write(runtime, first, _marker("g:old", clock.now))
    clock.now = MONDAY + timedelta(days=4)
    await _write(runtime, first, _marker("g:later", clock.now))
    clock.now = MONDAY + RETENTION + timedelta(days=1)

    assert await first.maintain() == [period_collection(MONDAY)]
    assert await second.maintain() == [], "the week's clean-up was done"

    clock.now += timedelta(days=7)  # a new week; a replica claims, then dies mid-clean-up
    await database[STATE_COLLECTION].update_one(
        {"_id": "cleanup"}, {"$set": {"owner": "dead", "expires_at": clock.now + CLEANUP_LEASE}}
    )
    assert await second.maintain() == [], "another replica holds the lease"
    assert await first.maintain() == [], "another replica holds the lease"
    clock.now += CLEANUP_LEASE + timedelta(seconds=1)
    assert await second.maintain() == [period_collection(MONDAY + timedelta(days=7))], (
        "the lease expired"
    )
    assert await first.maintain() == []


async def test_a_failed_clean_up_is_tried_again_before_the_week_ends(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = runtime.database
    clock = Clock(MONDAY - timedelta(days=3))
    store = _store(database, clock)
    await _write(runtime, store, _marker("g:old", clock.now))
    clock.now = MONDAY + RETENTION + timedelta(days=1)

    async def unreachable(name: str) -> None:
        raise ConnectionError(name)

    with monkeypatch.context() as patched:
        patched.setattr(database, "drop_collection", unreachable)
        with pytest.raises(ConnectionError):
            await store.maintain()
    assert await _store(database, clock).maintain() == [], "the lease is still held"
    clock.now += timedelta(minutes=10)  # the next round of the same replica
    assert await store.maintain() == [period_collection(MONDAY)]


async def test_markers_of_an_earlier_version_are_read_until_they_age_out(
    runtime: ServiceRuntime,
) -> None:
    database = runtime.database
    await database[LEGACY_COLLECTION].insert_one({"_id": "g:legacy", "event_type": "PairCreated"})
    clock = Clock(MONDAY)
    store = _store(database, clock)
    assert await store.found({"g:legacy": clock.now}) == {"g:legacy"}

    await store.maintain()  # notes its count
    clock.now += RETENTION - timedelta(days=1)
    await database[LEGACY_COLLECTION].insert_one({"_id": "g:rolled-back"})
    await store.maintain()  # a week later: the count moved (a rolled-back replica wrote)
    clock.now += RETENTION - timedelta(days=1)
    assert LEGACY_COLLECTION not in await store.maintain(), "waits a retention after the write"
    assert await store.found({"g:rolled-back": None}) == {"g:rolled-back"}

    clock.now += timedelta(days=7)
    assert LEGACY_COLLECTION in await store.maintain()
    assert await store.found({"g:legacy": None}) == set()


def _pair_record(offset: int) -> tuple[ConsumedRecord, Any]:
    envelope = seal(example(PairCreated, pair_id="p1"), source="matching")

    encoded = encode(envelope)
    record = ConsumedRecord(
        topic=encoded.topic.name, partition=0, offset=offset, key=b"k", value=encoded.value
    )
    return record, envelope


async def test_a_consumer_after_the_upgrade_skips_what_the_earlier_version_marked(
    runtime: ServiceRuntime,
) -> None:
    calls: list[str] = []

    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Any, tx: Transaction) -> None:
        calls.append(event.data.pair_id)

    consumer = EventConsumer(
        handlers=runtime.handlers,
        transactor=runtime.transactor,
        database=runtime.database,
        dead_letters=runtime.dead_letters,
        metrics=runtime.metrics,
        settings=runtime.settings,
    )
    record, envelope = _pair_record(0)
    group = runtime.settings.consumer_group
    await runtime.database[LEGACY_COLLECTION].insert_one({"_id": f"{group}:{envelope.event_id}"})
    await consumer.process([record])
    assert calls == [], "marked by the earlier version"

    fresh, fresh_envelope = _pair_record(1)
    await consumer.process([fresh, fresh])
    assert calls == ["p1"]
    assert {marker["_id"] for marker in await stored_markers(runtime.database)} == {
        f"{group}:{envelope.event_id}",
        f"{group}:{fresh_envelope.event_id}",
    }


def test_a_retention_shorter_than_the_dead_letters_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSUMER_MARKER_RETENTION_DAYS", "30")
    with pytest.raises(ValidationError, match="consumer_marker_retention_days"):
        ServiceSettings()
