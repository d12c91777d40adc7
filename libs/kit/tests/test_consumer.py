"""Idempotent consumption, isolation of bad events and dead-lettering (real MongoDB)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from pymongo.errors import AutoReconnect

from mentorship_contracts import Envelope, IntegrationEvent, encode, seal
from mentorship_contracts.events import PairCreated, PairEnded, ParticipantRegistered
from mentorship_contracts.examples import example
from mentorship_kit.consumer import (
    OFFSETS_COLLECTION,
    AcceptedRecord,
    ConsumedRecord,
    EventConsumer,
    Idempotence,
    PermanentError,
)
from mentorship_kit.markers import stored_markers
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime

pytestmark = pytest.mark.integration


@dataclass
class RecordingSink:
    parked: list[tuple[ConsumedRecord, str, str]] = field(default_factory=list)

    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        self.parked.append((record, reason, error))


def _record(value: bytes, offset: int, topic: str = "mentorship.pair.v1") -> ConsumedRecord:
    return ConsumedRecord(topic=topic, partition=0, offset=offset, key=b"k", value=value)


def _records(*envelopes: Envelope[IntegrationEvent], start: int = 0) -> list[ConsumedRecord]:
    return [
        _record(encode(item).value, start + offset, encode(item).topic.name)
        for offset, item in enumerate(envelopes)
    ]


def _pair(pair_id: str) -> Envelope[IntegrationEvent]:
    return seal(example(PairCreated, pair_id=pair_id), source="matching", correlation_id="flow-7")


class Harness:
    """A consumer whose PairCreated handler appends to a list and a collection."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.sink = RecordingSink()
        self.calls: list[str] = []
        self.fail_for: dict[str, BaseException] = {}
        self.failures_left: dict[str, int] = {}

        @runtime.handlers.on(PairCreated)
        async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
            pair_id = event.data.pair_id
            self.calls.append(pair_id)
            if self.failures_left.get(pair_id, 0) > 0:
                self.failures_left[pair_id] -= 1
                raise RuntimeError(f"flaky {pair_id}")
            if pair_id in self.fail_for:
                raise self.fail_for[pair_id]
            await runtime.database["pairs"].insert_one({"_id": pair_id}, session=tx.session)
            tx.emit(example(PairEnded, pair_id=pair_id))

        self.consumer = EventConsumer(
            handlers=runtime.handlers,
            transactor=runtime.transactor,
            database=runtime.database,
            dead_letters=self.sink,
            metrics=runtime.metrics,
            settings=runtime.settings,
        )

    async def stored(self) -> list[str]:
        cursor = self.runtime.database["pairs"].find().sort("_id")
        return [document["_id"] async for document in cursor]

    def count(self, outcome: str) -> float:
        return _consumed(self.runtime, outcome)


def _consumed(runtime: ServiceRuntime, outcome: str) -> float:
    """How many PairCreated records were counted with ``outcome``."""
    value = runtime.metrics.registry.get_sample_value(
        "mentorship_messages_consumed_total",
        {"topic": "mentorship.pair.v1", "event_type": "PairCreated", "outcome": outcome},
    )
    return value or 0.0


@pytest.fixture
async def harness(runtime: ServiceRuntime) -> Harness:
    await ensure_indexes(runtime.database, [runtime.outbox.indexes(), EventConsumer.indexes()])
    return Harness(runtime)


async def test_an_event_delivered_twice_is_handled_once(harness: Harness) -> None:
    first, second = _pair("p1"), _pair("p2")

    await harness.consumer.process(_records(first, first, second))
    await harness.consumer.process(_records(second, first, start=3))

    assert await harness.stored() == ["p1", "p2"]
    assert harness.calls == ["p1", "p2"]
    assert harness.count("processed") == 2
    assert harness.count("duplicate") == 3
    writes = harness.runtime.metrics.registry.get_sample_value(
        "mentorship_consumer_idempotence_writes_total"
    )
    assert writes == 2, "a marker per event"


async def test_malformed_records_are_dead_lettered_and_the_rest_processed(
    harness: Harness,
) -> None:
    broken = json.loads(encode(_pair("p9")).value)
    broken["data"]["score"] = "excellent"
    records = [
        _record(b"{not json", 0),
        _record(json.dumps(broken).encode(), 1),
        *_records(_pair("p1"), start=2),
    ]

    await harness.consumer.process(records)

    assert await harness.stored() == ["p1"]
    reasons = [(record.offset, reason) for record, reason, _ in harness.sink.parked]
    assert reasons == [(0, "invalid"), (1, "invalid")]
    assert "data.score" in harness.sink.parked[1][2]


async def test_a_redelivered_bad_record_is_parked_once(harness: Harness) -> None:
    batch = [_record(b"{not json", 0), *_records(_pair("p1"), start=1)]
    await harness.consumer.process(batch)
    await harness.consumer.process(batch)

    assert [record.offset for record, _, _ in harness.sink.parked] == [0]


async def test_another_record_at_an_offset_parked_before_is_parked_too(harness: Harness) -> None:
    """A topic deleted and created again (a broker on memory storage restarted, a reset by
    an operator) numbers its records from 0 again: what was parked at an offset before must
    not keep a different record there from being parked - it would be committed unparked."""
    await harness.consumer.process([_record(b"{not json", 0)])
    harness.fail_for["p2"] = PermanentError("no such program")
    await harness.consumer.process([_record(b"also not json", 0), *_records(_pair("p2"), start=1)])
    await harness.consumer.process(_records(_pair("p3"), start=1))
    harness.fail_for["p4"] = PermanentError("no such program")
    await harness.consumer.process(_records(_pair("p4"), start=1))

    parked = [(record.offset, record.value[:13]) for record, _, _ in harness.sink.parked]
    assert parked == [
        (0, b"{not json"),
        (0, b"also not json"),
        (1, encode(_pair("p2")).value[:13]),
        (1, encode(_pair("p4")).value[:13]),
    ]


async def test_events_the_service_does_not_handle_are_skipped(harness: Harness) -> None:
    registered = seal(example(ParticipantRegistered), source="registration")
    await harness.consumer.process(_records(registered, _pair("p1")))
    assert await harness.stored() == ["p1"]
    assert harness.sink.parked == []


async def test_a_handler_that_keeps_failing_is_dead_lettered_without_blocking_others(
    harness: Harness,
) -> None:
    harness.fail_for["p2"] = ZeroDivisionError("bug in handler")

    await harness.consumer.process(_records(_pair("p1"), _pair("p2"), _pair("p3")))

    assert await harness.stored() == ["p1", "p3"]
    assert [reason for _, reason, _ in harness.sink.parked] == ["handler_error"]
    assert "ZeroDivisionError: bug in handler" in harness.sink.parked[0][2]
    attempts = harness.calls.count("p2")
    # the batch, its half [p2, p3], then p2 alone with its retries
    assert attempts == 2 + harness.runtime.settings.consumer_max_attempts


async def test_a_failing_event_is_isolated_and_the_rest_stay_in_batches(
    harness: Harness,
) -> None:
    batches: list[int] = []
    original = harness.consumer._apply

    async def counting(tx: Transaction, accepted: Sequence[AcceptedRecord]) -> dict[str, str]:
        batches.append(len(accepted))
        return await original(tx, accepted)

    harness.consumer._apply = counting  # type: ignore[method-assign,assignment]
    harness.fail_for["p05"] = PermanentError("never")
    pairs = [_pair(f"p{n:02d}") for n in range(16)]

    await harness.consumer.process(_records(*pairs))

    assert await harness.stored() == [f"p{n:02d}" for n in range(16) if n != 5]
    assert [record.offset for record, _, _ in harness.sink.parked] == [5]
    # 16 fails -> 8 fails -> 4 commits, 4 fails -> 2 fails -> 1, 1 (parked) -> 2 -> then 8
    assert batches == [16, 8, 4, 4, 2, 1, 1, 2, 8]
    assert harness.calls.count("p00") == 3  # rolled back twice, committed with its four
    assert harness.calls.count("p04") == 5


async def test_a_permanent_error_is_dead_lettered_without_retrying(harness: Harness) -> None:
    harness.fail_for["p1"] = PermanentError("pair belongs to an unknown program")

    await harness.consumer.process(_records(_pair("p1")))

    assert [reason for _, reason, _ in harness.sink.parked] == ["rejected"]
    assert harness.calls == ["p1", "p1"]  # the batch attempt and one isolated attempt


async def test_a_transient_failure_is_retried_and_succeeds(harness: Harness) -> None:
    harness.failures_left["p1"] = 2

    await harness.consumer.process(_records(_pair("p1")))

    assert await harness.stored() == ["p1"]
    assert harness.sink.parked == []


async def test_an_unreachable_database_is_not_dead_lettered_but_redelivered(
    harness: Harness,
) -> None:
    harness.fail_for["p1"] = AutoReconnect("connection reset")

    with pytest.raises(AutoReconnect):
        await harness.consumer.process(_records(_pair("p1"), _pair("p2")))

    assert await harness.stored() == []
    assert harness.sink.parked == []


async def test_events_emitted_by_a_handler_are_caused_by_the_handled_event(
    harness: Harness,
) -> None:
    handled = _pair("p1")

    await harness.consumer.process(_records(handled))

    [batch] = await harness.runtime.outbox.batches()
    [record] = batch.records
    headers = record.headers
    assert headers["ce_type"] == "PairEnded"
    assert headers["ce_causationid"] == str(handled.event_id)
    assert headers["ce_correlationid"] == "flow-7"


class CountingHarness:
    """A consumer by partition offsets whose PairCreated handler counts deliveries."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.sink = RecordingSink()
        self.calls: list[str] = []
        self.fail_for: set[str] = set()
        self.unreachable = False
        self.recognises = False
        """Whether the handler tells the consumer of events its state already holds."""

        @runtime.handlers.on(PairCreated)
        async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
            pair_id = event.data.pair_id
            self.calls.append(pair_id)
            if pair_id in self.fail_for:
                raise PermanentError(pair_id)
            if self.recognises:  # as a batched handler does, in its flush before the commit
                tx.before_commit(lambda: self._recognise(event, tx))
                return
            await runtime.database["pairs"].update_one(
                {"_id": pair_id}, {"$inc": {"times": 1}}, upsert=True, session=tx.session
            )
            if self.unreachable:  # after a write: the transaction must take it back
                raise AutoReconnect("the database went away")

        self.consumer = EventConsumer(
            handlers=runtime.handlers,
            transactor=runtime.transactor,
            database=runtime.database,
            dead_letters=self.sink,
            metrics=runtime.metrics,
            settings=runtime.settings,
            idempotence=Idempotence.OFFSETS,
        )

    async def _recognise(self, event: Envelope[PairCreated], tx: Transaction) -> None:
        """Apply ``event`` once: a pair remembers the events it was built from."""
        pairs = self.runtime.database["pairs"]
        event_id = str(event.event_id)
        known = await pairs.find_one(
            {"_id": event.data.pair_id, "events": event_id}, session=tx.session
        )
        if known is not None:
            tx.already_applied(event.event_id)
            return
        await pairs.update_one(
            {"_id": event.data.pair_id},
            {"$inc": {"times": 1}, "$push": {"events": event_id}},
            upsert=True,
            session=tx.session,
        )

    async def times(self) -> dict[str, int]:
        cursor = self.runtime.database["pairs"].find().sort("_id")
        return {document["_id"]: document["times"] async for document in cursor}

    async def offsets(self) -> dict[tuple[str, int], int]:
        """The next offset of each (topic, partition) of the group."""
        cursor = self.runtime.database[OFFSETS_COLLECTION].find(
            {"group": self.runtime.settings.consumer_group}
        )
        return {
            (document["topic"], document["partition"]): document["offset"]
            async for document in cursor
        }


async def test_by_offsets_a_redelivered_record_is_skipped_and_a_republished_event_handled(
    runtime: ServiceRuntime,
) -> None:
    harness = CountingHarness(runtime)
    first, second = _pair("p1"), _pair("p2")

    await harness.consumer.process(_records(first, second))
    await harness.consumer.process(_records(first, second))  # redelivered: same offsets
    assert harness.calls == ["p1", "p2"]
    assert await harness.offsets() == {("mentorship.pair.v1", 0): 2}
    writes = runtime.metrics.registry.get_sample_value(
        "mentorship_consumer_idempotence_writes_total"
    )
    assert writes == 1, "one offset for two events, none for the redelivery"

    await harness.consumer.process(_records(first, start=2))  # published again: a new offset
    assert harness.calls == ["p1", "p2", "p1"]
    assert await harness.times() == {"p1": 2, "p2": 1}
    assert await harness.offsets() == {("mentorship.pair.v1", 0): 3}
    assert await stored_markers(runtime.database) == [], "no markers"


async def test_by_offsets_an_event_the_handler_knows_is_counted_as_a_duplicate(
    runtime: ServiceRuntime,
) -> None:
    """An event published twice is two records: the handler's own state tells it is one."""
    harness = CountingHarness(runtime)
    harness.recognises = True
    first, second = _pair("p1"), _pair("p2")

    await harness.consumer.process(_records(first, first, second))
    await harness.consumer.process(_records(second, first, start=3))  # published again

    assert await harness.times() == {"p1": 1, "p2": 1}
    assert _consumed(runtime, "processed") == 2
    assert _consumed(runtime, "duplicate") == 3
    writes = runtime.metrics.registry.get_sample_value(
        "mentorship_consumer_idempotence_writes_total"
    )
    assert writes == 2, "an offset per batch, no marker per event"
    assert await stored_markers(runtime.database) == []


async def test_by_offsets_a_topic_created_anew_is_not_taken_for_the_stored_one(
    runtime: ServiceRuntime,
) -> None:
    """A topic deleted and created again numbers its records from 0 again: the offsets
    stored for the one before must not skip records never handled (nor commit them)."""
    harness = CountingHarness(runtime)
    await harness.consumer.process(_records(_pair("old1"), _pair("old2"), _pair("old3")))
    assert await harness.offsets() == {("mentorship.pair.v1", 0): 3}
    anew = [_pair("new1"), _pair("new2"), _pair("new3")]

    await harness.consumer.process(_records(anew[0]))  # offset 0: below, its anchor unseen
    await harness.consumer.process(_records(*anew))

    assert harness.calls == ["old1", "old2", "old3", "new1", "new1", "new2", "new3"]
    assert await harness.times() == {
        "new1": 2,  # redelivered before the batch showed the offset was not this topic's
        "new2": 1,
        "new3": 1,
        "old1": 1,
        "old2": 1,
        "old3": 1,
    }
    assert await harness.offsets() == {("mentorship.pair.v1", 0): 3}
    await harness.consumer.process(_records(*anew))
    assert harness.calls[-1] == "new3", "redelivered now: the stored offset is this topic's"
    assert len(harness.calls) == 7


async def test_by_offsets_a_failing_event_is_parked_and_the_others_stored_with_their_offsets(
    runtime: ServiceRuntime,
) -> None:
    harness = CountingHarness(runtime)
    harness.fail_for = {"bad"}
    batch = _records(_pair("p1"), _pair("bad"), _pair("p3"))

    await harness.consumer.process(batch)
    await harness.consumer.process(batch)  # redelivered: nothing again, nothing parked twice

    assert await harness.times() == {"p1": 1, "p3": 1}
    assert [(record.offset, reason) for record, reason, _ in harness.sink.parked] == [
        (1, "rejected")
    ]
    assert await harness.offsets() == {("mentorship.pair.v1", 0): 3}


async def test_by_offsets_nothing_is_stored_when_the_transaction_fails(
    runtime: ServiceRuntime,
) -> None:
    harness = CountingHarness(runtime)
    harness.unreachable = True
    with pytest.raises(AutoReconnect):
        await harness.consumer.process(_records(_pair("p1"), _pair("p2")))
    assert await harness.offsets() == {}
    assert await harness.times() == {}

    harness.unreachable = False
    await harness.consumer.process(_records(_pair("p1"), _pair("p2")))
    assert await harness.times() == {"p1": 1, "p2": 1}


async def test_a_batch_hook_sees_the_batchs_new_events_once_before_their_handlers(
    harness: Harness,
) -> None:
    seen: list[list[str]] = []

    @harness.runtime.handlers.before_batch
    async def prefetch(events: Sequence[Envelope[IntegrationEvent]], tx: Transaction) -> None:
        assert tx.session.in_transaction
        seen.append([str(getattr(event.data, "pair_id", "")) for event in events])
        harness.calls.append("prefetched")

    first, second = _pair("p1"), _pair("p2")
    await harness.consumer.process(_records(first))
    await harness.consumer.process(_records(first, second, second, start=1))

    assert seen == [["p1"], ["p2"]]  # once per batch, redelivered and repeated events left out
    assert harness.calls == ["prefetched", "p1", "prefetched", "p2"]
