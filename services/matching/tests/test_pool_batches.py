"""A batch of registrations is stored in bulk, and the pool's counts are kept, not scanned."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from matching.domain.pool import PoolEntry, registrations_applied
from matching.settings import MatchingServiceSettings
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import ParticipantRegistered, ParticipantWithdrew, ProgramCreated
from mentorship_contracts.examples import PROGRAM, example
from mentorship_contracts.types import ParticipantRole
from mentorship_devstack.pytest_plugin import Interleaving, SettingsFactory
from mentorship_kit.outbox import Transaction

from .harness import Matching, matching_parts

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MENTOR, MENTEE, BOTH = ParticipantRole.MENTOR, ParticipantRole.MENTEE, ParticipantRole.BOTH


def registered(participant_id: str, role: ParticipantRole = MENTEE, **fields: Any) -> Any:
    capacity = 0 if role is MENTEE else 2
    return example(
        ParticipantRegistered, participant_id=participant_id, role=role, capacity=capacity, **fields
    )


def test_the_newest_state_of_each_participant_wins_and_roles_are_counted() -> None:
    stored = {"a": PoolEntry(PROGRAM, MENTOR, T0), "b": PoolEntry(PROGRAM, MENTEE, T0)}
    later = T0 + timedelta(minutes=1)
    incoming = [
        (registered("a", BOTH), later),  # a mentor becomes both
        (registered("b", MENTOR), T0 - timedelta(minutes=1)),  # older than stored: ignored
        (registered("c", MENTEE), T0),  # new
        (registered("c", MENTOR), T0),  # same time, later in the batch: wins
        (registered("c", MENTEE), T0 - timedelta(seconds=1)),  # older than the batch's own
    ]

    changes = registrations_applied(stored, incoming)

    assert {key: state.role for key, (state, _) in changes.stored.items()} == {
        "a": BOTH,
        "c": MENTOR,
    }
    assert +changes.counts[PROGRAM] == Counter({BOTH: 1})  # -mentor +both, +mentor +mentee -mentee
    assert changes.counts[PROGRAM][MENTOR] == 0


class Counting:
    """A collection that counts the commands sent through it."""

    def __init__(self, collection: Any, calls: Counter[str]) -> None:
        self._collection = collection
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        self._calls[name] += 1
        return getattr(self._collection, name)


async def in_one_batch(matching: Matching, *events: IntegrationEvent) -> None:
    """Hand ``events`` to their handlers in one transaction, as a consumer batch is."""

    async def batch(tx: Transaction) -> None:
        for event in events:
            await matching.handle(event, tx)

    await matching.transactor.run(batch)


async def counted(matching: Matching) -> dict[ParticipantRole, int]:
    counts = await matching.pool.role_counts(PROGRAM)
    assert counts is not None
    return counts


async def recounted(matching: Matching) -> dict[ParticipantRole, int]:
    return await matching.transactor.run(partial(matching.pool.recount, PROGRAM))


@pytest.mark.integration
async def test_a_batch_is_one_read_and_one_write_and_the_counts_follow_it(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(example(ProgramCreated))
        pool_calls: Counter[str] = Counter()
        monkeypatch.setattr(matching.pool, "_pool", Counting(matching.pool._pool, pool_calls))
        events = [registered(f"p{n:03d}", MENTOR if n % 3 == 0 else MENTEE) for n in range(120)]

        await in_one_batch(matching, *events, registered("p001", BOTH))

        assert pool_calls == Counter(find=3, insert_many=1)  # 120 ids read in pieces of 50
        assert await counted(matching) == {MENTOR: 40, MENTEE: 79, BOTH: 1}

        monkeypatch.undo()
        await in_one_batch(
            matching,
            registered("p999", MENTOR),
            example(ParticipantWithdrew, participant_id="p002"),
            registered("p002", MENTOR),  # after the withdrawal: back, as a mentor
            example(ParticipantWithdrew, participant_id="p003"),
            example(ParticipantWithdrew, participant_id="nobody"),
        )

        assert await counted(matching) == {MENTOR: 41, MENTEE: 78, BOTH: 1}
        assert await counted(matching) == await recounted(matching)
        people = await matching.pool.participants_of(PROGRAM)
        assert {p.participant_id: p.role for p in people}["p002"] is MENTOR
        assert "p003" not in {p.participant_id for p in people}


@pytest.mark.integration
async def test_a_pool_filled_before_it_was_counted_is_counted_once(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await in_one_batch(matching, *(registered(f"p{n}") for n in range(5)))
        versions = matching.runtime.database["pool_versions"]
        await versions.update_one({"_id": PROGRAM}, {"$unset": {"counted": "", "counts": ""}})
        assert await matching.pool.role_counts(PROGRAM) is None

        page = await matching_pool_page(matching)

        assert page == {MENTOR: 0, MENTEE: 5, BOTH: 0}
        await in_one_batch(matching, registered("p9", MENTOR))
        assert await counted(matching) == {MENTOR: 1, MENTEE: 5, BOTH: 0}


async def matching_pool_page(matching: Matching) -> dict[ParticipantRole, int]:
    return (await matching.pool_service.page(PROGRAM, role=None, after=None, limit=10)).counts


@pytest.mark.integration
async def test_two_batches_of_one_program_racing_keep_the_counts_exact(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await in_one_batch(matching, *(registered(f"a{n}") for n in range(10)))
        rival = Interleaving(
            matching.transactor,
            partial(_handle_all, matching, [registered(f"b{n}", MENTOR) for n in range(7)]),
        )
        monkeypatch.setattr(matching.pool, "count", rival.before(matching.pool.count))

        await in_one_batch(
            matching, registered("a0", BOTH), *(registered(f"c{n}") for n in range(4))
        )
        await rival.finished()

        assert await counted(matching) == {MENTOR: 7, MENTEE: 13, BOTH: 1}
        assert await counted(matching) == await recounted(matching)


async def _handle_all(matching: Matching, events: list[IntegrationEvent], tx: Transaction) -> None:
    for event in events:
        await matching.handle(event, tx)
