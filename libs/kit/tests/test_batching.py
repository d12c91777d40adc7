"""Lookups in pieces, per-transaction buffers and batch erasure checks (real MongoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from pymongo import DESCENDING, UpdateOne
from pymongo.errors import OperationFailure

from mentorship_contracts.events import ProgramCreated
from mentorship_contracts.examples import example
from mentorship_devstack.pytest_plugin import Interleaving
from mentorship_kit.batching import IN_CHUNK, Buffer, chunks, find_in, read_ahead, store
from mentorship_kit.erasure_guards import ErasureGuards
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.snapshots import SnapshotStore


def test_chunks_drop_duplicates_and_keep_the_order() -> None:
    ids = [f"id-{n % 120}" for n in range(200)]
    pieces = list(chunks(ids))
    assert [len(piece) for piece in pieces] == [IN_CHUNK, IN_CHUNK, 120 - 2 * IN_CHUNK]
    assert [item for piece in pieces for item in piece] == [f"id-{n}" for n in range(120)]


@pytest.mark.integration
async def test_find_in_reads_every_piece(runtime: ServiceRuntime) -> None:
    collection = runtime.database["things"]
    await collection.insert_many([{"_id": f"t{n:03d}", "odd": n % 2} for n in range(130)])
    wanted = [f"t{n:03d}" for n in range(0, 130, 1)] + ["missing"]

    found = [d["_id"] async for d in find_in(collection, wanted, query={"odd": 1})]

    assert sorted(found) == [f"t{n:03d}" for n in range(1, 130, 2)]


@pytest.mark.integration
async def test_read_ahead_reads_every_batch_decoded_as_the_client_decodes(
    runtime: ServiceRuntime,
) -> None:
    collection = runtime.database["scanned"]
    at = datetime(2026, 1, 2, tzinfo=UTC)
    await collection.insert_many([{"_id": f"s{n:03d}", "odd": n % 2, "at": at} for n in range(250)])

    batches = [
        batch
        async for batch in read_ahead(collection, {"odd": 1}, projection={"at": 1}, batch_size=40)
    ]

    assert [len(batch) for batch in batches] == [40, 40, 40, 5]
    documents = [document for batch in batches for document in batch]
    assert sorted(d["_id"] for d in documents) == [f"s{n:03d}" for n in range(1, 250, 2)]
    assert all(d == {"_id": d["_id"], "at": at} for d in documents)  # timezone-aware, as read


@pytest.mark.integration
async def test_read_ahead_reads_in_the_order_asked(runtime: ServiceRuntime) -> None:
    collection = runtime.database["scanned_in_order"]
    await collection.insert_many([{"_id": n, "rank": (n * 7) % 30} for n in range(30)])

    batches = [
        batch
        async for batch in read_ahead(collection, {}, sort=[("rank", DESCENDING)], batch_size=4)
    ]

    assert [d["rank"] for batch in batches for d in batch] == list(range(29, -1, -1))


@pytest.mark.integration
async def test_read_ahead_raises_what_the_read_raised(runtime: ServiceRuntime) -> None:
    collection = runtime.database["scanned_badly"]
    await collection.insert_many([{"_id": n} for n in range(10)])

    with pytest.raises(OperationFailure):
        async for _ in read_ahead(collection, {"_id": {"$nonsense": 1}}):
            pass


@pytest.mark.integration
async def test_a_buffer_flushes_once_before_commit_in_order(runtime: ServiceRuntime) -> None:
    flushed: list[list[int]] = []
    attempts: list[Transaction] = []

    async def flush(items: list[int], tx: Transaction) -> None:
        flushed.append(items)
        await runtime.database["flushed"].insert_one({"items": items}, session=tx.session)

    buffer: Buffer[int] = Buffer("numbers", flush)

    async def work(tx: Transaction) -> None:
        attempts.append(tx)
        buffer.add(1, tx)
        buffer.add(2, tx)
        await buffer.flush(tx)  # an event that must see 1 and 2 comes next
        assert buffer.pending(tx) == []
        buffer.add(3, tx)

    await runtime.transactor.run(work)

    assert flushed == [[1, 2], [3]]
    stored = [d["items"] async for d in runtime.database["flushed"].find().sort("_id")]
    assert stored == [[1, 2], [3]]


@pytest.mark.integration
async def test_a_retried_attempt_starts_with_an_empty_buffer(runtime: ServiceRuntime) -> None:
    flushed: list[list[str]] = []
    failures = [RuntimeError("first attempt fails")]

    async def flush(items: list[str], tx: Transaction) -> None:
        flushed.append(items)

    buffer: Buffer[str] = Buffer("letters", flush)

    async def work(tx: Transaction) -> None:
        buffer.add("a", tx)
        if failures:
            raise failures.pop()

    with pytest.raises(RuntimeError):
        await runtime.transactor.run(work)
    await runtime.transactor.run(work)

    assert flushed == [["a"]]


@pytest.mark.integration
async def test_erased_among_answers_for_a_whole_batch(runtime: ServiceRuntime) -> None:
    guards = ErasureGuards(runtime.database)
    people = [f"participant-{n:03d}" for n in range(3 * IN_CHUNK)]
    erased = {people[7], people[IN_CHUNK + 3], people[-1]}

    async def erase(tx: Transaction) -> None:
        for person in erased:
            await guards.erase(person, tx)

    await runtime.transactor.run(erase)

    async def check(tx: Transaction) -> tuple[set[str], bool, bool]:
        among = await guards.erased_among(people, tx)
        return among, await guards.erased([people[7]], tx), await guards.erased(people[:5], tx)

    among, one, none = await runtime.transactor.run(check)

    assert among == erased
    assert (one, none) == (True, False)
    assert await runtime.database["erased_participants"].count_documents({}) == len(people)


@pytest.mark.integration
async def test_erased_among_expecting_guards_writes_each_once_and_falls_back_when_wrong(
    runtime: ServiceRuntime,
) -> None:
    guards = ErasureGuards(runtime.database)
    collection = runtime.database["erased_participants"]
    people = [f"participant-{n:03d}" for n in range(2 * IN_CHUNK + 5)]
    await runtime.transactor.run(partial(guards.erased_among, people))  # they registered

    async def check(named: list[str], tx: Transaction) -> set[str]:
        return await guards.erased_among(named, tx, expect_guarded=True)

    assert await runtime.transactor.run(partial(check, people)) == set()
    assert {d["writes"] async for d in collection.find({})} == {2}  # guarded, once each

    async def erase(tx: Transaction) -> None:
        await guards.erase(people[3], tx)

    await runtime.transactor.run(erase)
    newcomer = "participant-new"
    among = await runtime.transactor.run(partial(check, [*people, newcomer]))

    assert among == {people[3]}
    assert await collection.count_documents({}) == len(people) + 1  # the newcomer's guard


@pytest.mark.integration
async def test_put_many_applies_states_in_order_as_put_would(runtime: ServiceRuntime) -> None:
    store: SnapshotStore[ProgramCreated] = SnapshotStore(
        runtime.database, "programs", ProgramCreated
    )
    t0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def named(name: str) -> ProgramCreated:
        return example(ProgramCreated, name=name)

    async def put_first(tx: Transaction) -> None:
        await store.put("kept", named("newer, stored"), t0 + timedelta(hours=1), tx)
        await store.put("replaced", named("old"), t0, tx)

    await runtime.transactor.run(put_first)

    async def batch(tx: Transaction) -> set[str]:
        return await store.put_many(
            [
                ("kept", named("older, arriving late"), t0, {}),
                ("replaced", named("new"), t0 + timedelta(minutes=1), {"flag": True}),
                ("fresh", named("first"), t0, {}),
                ("fresh", named("second, same time"), t0, {}),
                ("fresh", named("older than the batch's own"), t0 - timedelta(minutes=1), {}),
            ],
            tx,
        )

    assert await runtime.transactor.run(batch) == {"replaced", "fresh"}
    names = {key: (await store.get(key)) for key in ("kept", "replaced", "fresh")}
    assert {key: state.name for key, state in names.items() if state} == {
        "kept": "newer, stored",
        "replaced": "new",
        "fresh": "second, same time",
    }
    replaced = await store.get_document("replaced")
    assert replaced is not None
    assert replaced["flag"] is True


@pytest.mark.integration
async def test_a_key_inserted_meanwhile_makes_the_batch_run_again(runtime: ServiceRuntime) -> None:
    collection = runtime.database["counted"]
    attempts: list[bool] = []

    async def rival(tx: Transaction) -> None:
        await collection.insert_one({"_id": "k", "n": 1}, session=tx.session)

    interleaving = Interleaving(runtime.transactor, rival)

    async def add_one(tx: Transaction) -> None:
        found = await collection.find_one({"_id": "k"}, session=tx.session)
        attempts.append(found is not None)
        write = partial(
            store,
            collection,
            tx,
            new=[{"_id": "k", "n": 1}] if found is None else [],
            changed=[UpdateOne({"_id": "k"}, {"$inc": {"n": 1}})] if found else [],
        )
        await (interleaving.before(write) if len(attempts) == 1 else write)()

    await runtime.transactor.run(add_one)
    await interleaving.finished()

    assert attempts == [False, True]
    assert await collection.find_one({"_id": "k"}) == {"_id": "k", "n": 2}
