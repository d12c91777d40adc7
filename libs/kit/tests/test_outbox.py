"""The transactional outbox and its relay, against a real MongoDB and Kafka."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from mentorship_contracts import decode, seal
from mentorship_contracts.events import MatchingRunProposed, ParticipantUpdated, ProposedPair
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PARTICIPANTS
from mentorship_devstack.kafka_tools import read_topic
from mentorship_kit.failpoints import Failpoints
from mentorship_kit.kafka import OutgoingRecord, RecordPublisher
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import (
    MAX_EVENTS_PER_DOCUMENT,
    PENDING,
    PUBLISHED,
    OutboxRecord,
    Transaction,
)
from mentorship_kit.relay import OutboxRelay, PublishingLease
from mentorship_kit.runtime import ServiceRuntime

pytestmark = pytest.mark.integration


def _relay(runtime: ServiceRuntime, publisher: object | None = None) -> OutboxRelay:
    return OutboxRelay(
        runtime.outbox,
        publisher or RecordPublisher(runtime.broker, runtime.settings),  # type: ignore[arg-type]
        PublishingLease(runtime.database, timedelta(seconds=5)),
        metrics=runtime.metrics,
        batch_size=100,
        poll_interval_s=0.1,
        failpoints=Failpoints(),
    )


def _update(sequence: int) -> ParticipantUpdated:
    return example(
        ParticipantUpdated,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=sequence),
    )


async def test_state_and_events_commit_together(runtime: ServiceRuntime) -> None:
    await ensure_indexes(runtime.database, [runtime.outbox.indexes()])

    async def work(tx: Transaction) -> str:
        await runtime.database["things"].insert_one({"_id": "t1"}, session=tx.session)
        return str(tx.emit(_update(1)).event_id)

    event_id = await runtime.transactor.run(work)

    assert await runtime.database["things"].count_documents({}) == 1
    [batch] = await runtime.outbox.batches()
    assert batch.status == PENDING
    [stored] = batch.records
    assert stored.event_id == event_id
    assert stored.topic == PARTICIPANTS.name
    assert stored.headers["ce_id"] == event_id
    assert decode(stored.value).data == _update(1)


async def test_a_transaction_stages_its_events_in_one_ordered_batch(
    runtime: ServiceRuntime,
) -> None:
    async def work(tx: Transaction) -> None:
        for sequence in range(5):
            tx.emit(_update(sequence))

    await runtime.transactor.run(work)

    [batch] = await runtime.outbox.batches()
    assert [decode(record.value).data for record in batch.records] == [
        _update(sequence) for sequence in range(5)
    ]
    assert await runtime.outbox.backlog() == (5, batch.created_at)


async def test_a_large_transaction_is_split_into_batches_kept_in_order(
    runtime: ServiceRuntime,
) -> None:
    total = MAX_EVENTS_PER_DOCUMENT * 2 + 3

    async def work(tx: Transaction) -> None:
        for sequence in range(total):
            tx.emit(_update(sequence))

    await runtime.transactor.run(work)

    batches = await runtime.outbox.batches()
    assert [batch.records[0].event_id for batch in batches] == [
        batch.records[0].event_id for batch in sorted(batches, key=lambda b: b.batch_id)
    ]
    staged = [decode(record.value).data for batch in batches for record in batch.records]
    assert staged == [_update(sequence) for sequence in range(total)]
    assert len(batches) == 3


async def test_events_serialised_early_are_staged_as_serialised_and_in_order(
    runtime: ServiceRuntime,
) -> None:
    total = MAX_EVENTS_PER_DOCUMENT + 2
    early: list[OutboxRecord] = []

    async def work(tx: Transaction) -> None:
        for sequence in range(total - 1):
            tx.emit(_update(sequence))
        tx.encode_emitted()  # as while a write of the work is in flight
        early.extend(tx.records)
        tx.emit(_update(total - 1))  # emitted after: serialised when staged

    await runtime.transactor.run(work)

    batches = sorted(await runtime.outbox.batches(), key=lambda b: b.batch_id)
    staged = [record for batch in batches for record in batch.records]
    assert staged[: total - 1] == early
    assert [decode(record.value).data for record in staged] == [
        _update(sequence) for sequence in range(total)
    ]
    assert [len(batch.records) for batch in batches] == [MAX_EVENTS_PER_DOCUMENT, 2]


async def test_a_failed_unit_of_work_leaves_neither_state_nor_event(
    runtime: ServiceRuntime,
) -> None:
    async def work(tx: Transaction) -> None:
        await runtime.database["things"].insert_one({"_id": "t1"}, session=tx.session)
        tx.emit(_update(1))
        raise RuntimeError("the business rule said no")

    with pytest.raises(RuntimeError, match="said no"):
        await runtime.transactor.run(work)

    assert await runtime.database["things"].count_documents({}) == 0
    assert await runtime.outbox.batches() == []


async def test_after_commit_callbacks_run_once_the_data_is_visible_and_never_on_abort(
    runtime: ServiceRuntime,
) -> None:
    seen: list[int] = []

    async def count_things() -> None:
        seen.append(await runtime.database["things"].count_documents({}))

    async def work(tx: Transaction) -> None:
        await runtime.database["things"].insert_one({"_id": "t1"}, session=tx.session)
        tx.after_commit(lambda: seen.append(-1))

    async def failing(tx: Transaction) -> None:
        tx.after_commit(lambda: seen.append(-2))
        raise RuntimeError("aborted")

    await runtime.transactor.run(work)
    await count_things()
    with pytest.raises(RuntimeError, match="aborted"):
        await runtime.transactor.run(failing)

    assert seen == [-1, 1]


async def test_relay_publishes_in_write_order_and_marks_published(
    runtime: ServiceRuntime,
) -> None:
    for sequence in range(30):
        await _commit(runtime, _update(sequence))
    await runtime.broker.start()

    published = await _relay(runtime).publish_pending()

    assert published == 30
    topic = runtime.settings.topic_name(PARTICIPANTS.name)
    records = await read_topic(
        runtime.settings.kafka_bootstrap, topic, until=lambda found: len(found) >= 30
    )
    updates = [decode(record.value).data for record in sorted(records, key=lambda r: r.offset)]
    assert updates == [_update(sequence) for sequence in range(30)]
    assert {record.key for record in records} == {b"part-mentor-1"}
    assert all(record.headers["ce_type"] == "ParticipantUpdated" for record in records)
    assert len(await runtime.outbox.batches(PUBLISHED)) == 30
    assert await runtime.outbox.backlog() == (0, None)
    assert await _relay(runtime).publish_pending() == 0


async def test_documents_written_before_with_an_events_array_are_published_in_order(
    runtime: ServiceRuntime,
) -> None:
    """A rolling upgrade: the earlier code's outbox documents go out with the new ones."""
    await _commit(runtime, _update(0))
    [packed] = await runtime.outbox.batches(PENDING)
    earlier = {
        "_id": "00000000000000000001-earlier",
        "created_at": packed.created_at - timedelta(seconds=1),
        "status": PENDING,
        "published_at": None,
        "count": 2,
        "events": [
            OutboxRecord.from_envelope(seal(_update(sequence), source="test")).to_entry()
            for sequence in (-2, -1)
        ],
    }
    await runtime.outbox.collection.insert_one(earlier)
    stored = await runtime.outbox.collection.find_one({"_id": packed.batch_id})
    assert stored is not None
    assert "events" not in stored
    assert isinstance(stored["records"], bytes)
    await runtime.broker.start()

    assert await _relay(runtime).publish_pending() == 3

    topic = runtime.settings.topic_name(PARTICIPANTS.name)
    records = await read_topic(
        runtime.settings.kafka_bootstrap, topic, until=lambda found: len(found) >= 3
    )
    updates = [decode(record.value).data for record in sorted(records, key=lambda r: r.offset)]
    assert updates == [_update(-2), _update(-1), _update(0)]
    assert [batch.status for batch in await runtime.outbox.batches()] == [PUBLISHED] * 2


async def test_records_stay_pending_while_kafka_fails(runtime: ServiceRuntime) -> None:
    class BrokenPublisher:
        async def publish(self, records: list[OutgoingRecord]) -> None:
            raise ConnectionError("kafka is down")

    await runtime.transactor.run(lambda tx: _emit(tx, _update(1)))

    with pytest.raises(ConnectionError):
        await _relay(runtime, BrokenPublisher()).publish_pending()
    assert len(await runtime.outbox.batches(PENDING)) == 1

    await runtime.broker.start()
    assert await _relay(runtime).publish_pending() == 1
    assert await runtime.outbox.batches(PENDING) == []


async def test_a_record_kafka_will_never_accept_does_not_block_the_rest(
    runtime: ServiceRuntime,
) -> None:
    pairs = tuple(
        ProposedPair(
            mentor_participant_id=f"mentor-{i}",
            mentee_participant_id=f"mentee-{i}",
            score=1.0,
            contributions={"skills": 1.0},
        )
        for i in range(20_000)
    )
    huge = example(MatchingRunProposed, pairs=pairs)
    await runtime.transactor.run(lambda tx: _emit(tx, _update(1)))
    await runtime.transactor.run(lambda tx: _emit(tx, huge))
    await runtime.transactor.run(lambda tx: _emit(tx, _update(2)))
    await runtime.broker.start()

    assert await _relay(runtime).publish_pending() == 2, "the records around it go out"

    batches = await runtime.outbox.batches()
    assert [batch.status for batch in batches] == [PUBLISHED] * 3
    assert [len(batch.failures) for batch in batches] == [0, 1, 0]
    [failure] = batches[1].failures
    assert failure["event_id"] == batches[1].records[0].event_id
    assert "size" in failure["error"].lower()
    topic = runtime.settings.topic_name(PARTICIPANTS.name)
    records = await read_topic(
        runtime.settings.kafka_bootstrap, topic, until=lambda found: len(found) >= 2
    )
    assert [decode(r.value).data for r in records] == [_update(1), _update(2)]


async def test_only_one_relay_holds_the_publishing_lease(runtime: ServiceRuntime) -> None:
    first = PublishingLease(runtime.database, timedelta(seconds=0.3))
    second = PublishingLease(runtime.database, timedelta(seconds=0.3))

    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire(), "the holder renews"
    await asyncio.sleep(0.4)
    assert await second.acquire(), "an expired lease passes to another replica"
    assert not await first.acquire()
    await second.release()
    assert await first.acquire()


async def test_relay_loop_publishes_soon_after_commit(runtime: ServiceRuntime) -> None:
    await runtime.broker.start()
    relay = asyncio.create_task(_relay(runtime).run())
    try:
        await asyncio.sleep(0.3)
        await runtime.transactor.run(lambda tx: _emit(tx, _update(7)))
        topic = runtime.settings.topic_name(PARTICIPANTS.name)
        records = await read_topic(
            runtime.settings.kafka_bootstrap, topic, until=lambda found: len(found) >= 1
        )
        assert [decode(record.value).data for record in records] == [_update(7)]
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


async def _emit(tx: Transaction, event: ParticipantUpdated | MatchingRunProposed) -> None:
    tx.emit(event)


async def _commit(runtime: ServiceRuntime, event: ParticipantUpdated) -> None:
    async def work(tx: Transaction) -> None:
        tx.emit(event)

    await runtime.transactor.run(work)


async def test_a_unique_key_clash_with_a_concurrent_writer_is_retried_on_request(
    runtime: ServiceRuntime,
) -> None:
    things = runtime.database["things"]
    attempts: list[int] = []

    async def work(tx: Transaction) -> str:
        attempts.append(1)
        existing = await things.find_one({"_id": "shared"}, session=tx.session)
        if existing is not None:
            return "found"
        if len(attempts) == 1:  # another writer gets there first, outside our transaction
            await things.insert_one({"_id": "shared", "by": "other"})
        await things.insert_one({"_id": "shared", "by": "us"}, session=tx.session)
        return "inserted"

    assert await runtime.transactor.run(work, retry_on_duplicate_key=True) == "found"
    assert len(attempts) >= 2
    assert (await things.find_one({"_id": "shared"}) or {})["by"] == "other"
    retries = runtime.metrics.registry.get_sample_value("mentorship_transaction_retries_total")
    assert retries is not None
    assert retries >= 1
