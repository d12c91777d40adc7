"""The manager edges as an appended log: any order of appends and compactions reads the same,
compaction keeps the log small, and erasure leaves no edge from or to the erased person."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import pairwise

import pytest

from matching.adapters import reporting
from matching.adapters.reporting import COUNTER, MANAGERS, ManagerEdges
from matching.domain.reporting import ManagerStatement, newest
from matching.settings import MatchingServiceSettings
from mentorship_contracts.events import DirectoryPersonChanged, DirectoryPersonErased
from mentorship_contracts.examples import example
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.outbox import Transaction

from .harness import Matching, matching_parts

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def said(
    person: str, manager: str | None, minutes: int, *, direct: bool = True, version: int = 0
) -> ManagerStatement:
    return ManagerStatement(
        person, manager, T0 + timedelta(minutes=minutes), direct=direct, directory_version=version
    )


def statements(seed: int) -> list[ManagerStatement]:
    """Conflicting statements about 30 people: several per person, some from the directory."""
    rng = random.Random(seed)
    people = [f"p{k:02d}" for k in range(30)]
    return [
        said(
            rng.choice(people),
            rng.choice([*people, None]),
            rng.randrange(5),
            direct=rng.random() < 0.5,
            version=rng.choice([0, 0, 0, 1, 2]),
        )
        for _ in range(200)
    ]


async def append_in_batches(
    matching: Matching, edges: ManagerEdges, said: Sequence[ManagerStatement], size: int
) -> None:
    for start in range(0, len(said), size):
        batch = said[start : start + size]

        async def append(tx: Transaction, batch: Sequence[ManagerStatement] = batch) -> None:
            await edges.append(batch, tx)

        await matching.transactor.run(append)


async def entries(matching: Matching) -> list[dict[str, object]]:
    log = matching.runtime.database[MANAGERS]
    return [document async for document in log.find({"_id": {"$ne": COUNTER}})]


async def traces_in_log(matching: Matching, needle: str) -> list[str]:
    """The documents of the manager edges' collection that name ``needle``."""
    log = matching.runtime.database[MANAGERS]
    return [repr(document) async for document in log.find() if needle in repr(document)]


async def folded(edges: ManagerEdges, people: set[str]) -> dict[str, ManagerStatement | None]:
    return {person: await edges.statement_of(person) for person in sorted(people)}


@pytest.mark.parametrize("seed", [1, 2])
async def test_any_order_of_appends_and_compactions_reads_the_best_statement_per_person(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(reporting, "COMPACT_EVERY", 3)
    monkeypatch.setattr(reporting, "CHUNK", 7)
    said = statements(seed)
    best = newest({}, said)
    shuffled = random.Random(seed).sample(said, len(said))
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        edges = ManagerEdges(matching.runtime.database)

        await append_in_batches(matching, edges, shuffled, size=9)  # 23 appends, 7 compactions

        people = {s.person for s in said}
        assert await folded(edges, people) == {person: best[person] for person in sorted(people)}
        assert await edges.managers_above(people, 1) == {
            person: s.manager for person, s in best.items() if s.manager is not None
        }
        compacted = len(newest({}, shuffled[: 21 * 9]))  # people known at the 7th compaction
        assert len(await entries(matching)) == -(-compacted // 7) + 2  # and 2 appends since

        await append_in_batches(matching, edges, said[::-1], size=len(said))  # again: no change
        assert await folded(edges, people) == {person: best[person] for person in sorted(people)}


async def test_compaction_folds_the_log_into_chunks_and_keeps_what_it_says(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reporting, "CHUNK", 4)
    chain = [f"c{k:02d}" for k in range(10)]  # c00 reports to c01, ... c09 to nobody
    edges_said = [
        said(person, manager, minutes=1)
        for person, manager in zip(chain, [*chain[1:], None], strict=True)
    ]
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        edges = ManagerEdges(matching.runtime.database)
        await append_in_batches(matching, edges, edges_said, size=1)  # 10 appends
        before = await edges.managers_above({"c00"}, 20)
        assert len(await entries(matching)) == 10

        await matching.transactor.run(edges.compact)

        assert len(await entries(matching)) == 3  # 10 statements, 4 per document
        assert await edges.managers_above({"c00"}, 20) == before == dict(pairwise(chain))
        counter = await matching.runtime.database[MANAGERS].find_one({"_id": COUNTER})
        assert counter is not None
        assert counter["appended"] == 0


async def test_every_64th_append_compacts(make_settings: SettingsFactory) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        edges = ManagerEdges(matching.runtime.database)
        await append_in_batches(
            matching, edges, [said(f"x{k}", "boss", 1) for k in range(64)], size=1
        )
        assert len(await entries(matching)) == 1
        await append_in_batches(matching, edges, [said("y", "boss", 1)], size=1)
        assert len(await entries(matching)) == 2
        assert (await edges.managers_above({"x0", "y"}, 1)) == {"x0": "boss", "y": "boss"}


async def test_erasure_leaves_no_edge_from_or_to_the_person_in_any_entry(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        edges = ManagerEdges(matching.runtime.database)
        await append_in_batches(
            matching,
            edges,
            [
                said("boss", "big", 1),
                said("a", "boss", 1),
                said("b", "old-boss", 1),
                said("b", "boss", 2),  # b's best statement names boss
                said("c", "a", 1),
                said("big", None, 1),
            ],
            size=2,
        )

        await matching.transactor.run(partial(edges.forget, "boss"))

        assert await folded(edges, {"boss", "a", "b", "c", "big"}) == {
            "a": None,
            "b": None,  # its older statement lost to the erased one: no line, not an old one
            "big": said("big", None, 1),
            "boss": None,
            "c": said("c", "a", 1),
        }
        assert await traces_in_log(matching, "boss") == []
        await append_in_batches(matching, edges, [said("a", "new-boss", 3)], size=1)
        assert await edges.managers_above({"a"}, 2) == {"a": "new-boss"}


async def test_a_directory_change_in_the_erasure_s_batch_is_erased_too(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        changes = [
            example(DirectoryPersonChanged, person_id=who, manager_person_id=boss, version=1)
            for who, boss in (("person-boss", "person-big"), ("person-a", "person-boss"))
        ]

        async def batch(tx: Transaction) -> None:
            for event in [*changes, example(DirectoryPersonErased, person_id="person-boss")]:
                await matching.handle(event, tx)

        await matching.transactor.run(batch)

        edges = ManagerEdges(matching.runtime.database)
        assert await edges.managers_above({"person-a", "person-boss"}, 2) == {}
        assert await traces_in_log(matching, "person-boss") == []


async def test_per_person_documents_of_earlier_versions_are_read_and_folded_in(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        log = matching.runtime.database[MANAGERS]
        await log.insert_many(
            [
                {"_id": "old", "manager": "m", "as_of": T0, "direct": True},
                {"_id": "older", "manager": "n", "as_of": T0, "direct": True},
            ]
        )
        edges = ManagerEdges(matching.runtime.database)
        await append_in_batches(matching, edges, [said("old", "m2", 5)], size=1)

        assert await edges.managers_above({"old", "older"}, 1) == {"old": "m2", "older": "n"}
        await matching.transactor.run(edges.compact)
        assert await log.find_one({"_id": "older"}) is None  # folded into the log
        assert await edges.statement_of("older") == said("older", "n", 0)


async def test_a_reader_reads_again_when_a_compaction_commits_during_its_read(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        edges = ManagerEdges(matching.runtime.database)
        await append_in_batches(matching, edges, [said("a", "b", 1), said("b", "c", 1)], size=1)
        folds: list[bool] = []
        fold = edges._fold

        async def fold_then_compact(tx: Transaction | None) -> dict[str, reporting.Edge]:
            read = await fold(tx)
            folds.append(tx is None)
            if folds == [True]:  # a compaction commits while the reader reads
                await matching.transactor.run(edges.compact)
            return read

        monkeypatch.setattr(edges, "_fold", fold_then_compact)

        assert await edges.managers_above({"a"}, 2) == {"a": "b", "b": "c"}
        assert folds == [True, False, True]  # the reader's, the compaction's, the reader's again
