"""New pairs are planned in bulk: a batch per transaction, one read and one write of each kind."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import PairCreated, PairEnded
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.outbox import OUTBOX_COLLECTION, OutboxRecord, Transaction
from scheduling.usecases.storing import sessions_of

from .direct import Replica, replica
from .scenario import BERLIN, NEW_YORK, PROGRAM, pair, participant, program

pytestmark = pytest.mark.integration

PAIRS = 40


def people_and_pairs(count: int) -> tuple[list[IntegrationEvent], list[PairCreated]]:
    """``count`` mentors and mentees, and the pairs an approval makes of them."""
    registrations: list[IntegrationEvent] = []
    pairs: list[PairCreated] = []
    for n in range(count):
        mentor, mentee = f"mentor-{n}", f"mentee-{n}"
        registrations += [
            participant(mentor, f"e-{mentor}", BERLIN, "mentor"),
            participant(mentee, f"e-{mentee}", NEW_YORK, "mentee"),
        ]
        pairs.append(
            pair(
                utc_now() - timedelta(days=1),
                f"pair-{n}",
                mentor_participant_id=mentor,
                mentee_participant_id=mentee,
                mentor_person_id=dev_person_id(f"e-{mentor}"),
                mentee_person_id=dev_person_id(f"e-{mentee}"),
            )
        )
    return registrations, pairs


def count_calls(
    monkeypatch: pytest.MonkeyPatch, calls: Counter[str], owner: object, *names: str
) -> None:
    """Count the calls of ``owner``'s methods ``names`` in ``calls``."""
    for name in names:
        method: Callable[..., Awaitable[Any]] = getattr(owner, name)

        async def counted(
            *args: Any,
            _method: Callable[..., Awaitable[Any]] = method,
            _name: str = name,
            **kwargs: Any,
        ) -> Any:
            calls[_name] += 1
            return await _method(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


async def announced(scheduling: Replica) -> Counter[str]:
    """The events waiting in the outbox, by type."""
    found: Counter[str] = Counter()
    async for batch in scheduling.database[OUTBOX_COLLECTION].find():
        found.update(record.event_type for record in OutboxRecord.unpack(batch))
    return found


async def test_a_batch_of_new_pairs_is_planned_with_one_read_and_write_of_each_kind(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    registrations, pairs = people_and_pairs(PAIRS)
    history = [program(utc_now().date()), *registrations]
    async with replica(make_settings, history, planning_batch_size=100) as scheduling:
        parts = scheduling.scheduling
        calls: Counter[str] = Counter()
        count_calls(monkeypatch, calls, parts.people, "erased_among", "zones")
        count_calls(
            monkeypatch,
            calls,
            parts.pair_records,
            "record",
            "pending",
            "queued",
            "states",
            "dequeue",
        )
        count_calls(monkeypatch, calls, parts.series, "get_many", "save_all")
        count_calls(monkeypatch, calls, parts.sessions, "of_many_series", "write")
        guards: Counter[str] = Counter()
        people_guards = parts.people._guards
        monkeypatch.setattr(
            people_guards, "_guards", CountingCollection(people_guards._guards, guards)
        )

        await scheduling.deliver(*pairs)  # one consumer batch
        assert calls == Counter(erased_among=1, record=1)
        # The members registered (their guards exist): one write per 50, no read.
        assert guards == Counter(bulk_write=1)
        assert (await parts.pair_records.get("pair-0")) is not None
        assert await announced(scheduling) == Counter()

        outcome = await parts.planner.plan_pending()
        assert outcome.planned == PAIRS
        assert calls == Counter(
            erased_among=1,
            record=1,
            pending=1,
            get_many=1,
            of_many_series=1,
            zones=1,
            save_all=1,
            write=1,
            queued=1,
            states=1,
            dequeue=1,
        )
        assert await scheduling.database["series"].count_documents({"program_id": PROGRAM}) == PAIRS
        mentees = [f"mentee-{n}" for n in range(PAIRS)]
        planned = await sessions_of(parts.series, parts.sessions, mentees)
        assert len(planned) >= 10 * PAIRS
        # Each series keeps who its sessions are for and when the first reminder falls due:
        # what the sessions' retired indexes answered,
        series = await scheduling.database["series"].find_one({"_id": "pair-0"})
        assert series is not None
        assert sorted(series["ever_participant_ids"]) == ["mentee-0", "mentor-0"]
        its_sessions = [
            d async for d in scheduling.database["sessions"].find({"series_id": "pair-0"})
        ]
        first = min(its_sessions, key=lambda d: d["starts_at"])
        assert series["next_reminder_at"] == first["next_reminder_at"]
        # and the last number its sessions were given, by which they are read by id.
        assert series["last_sequence"] == max(d["sequence"] for d in its_sessions)
        assert series["last_sequence"] == len(its_sessions)
        assert await announced(scheduling) == Counter(SessionScheduled=len(planned))
        for item in pairs:
            known = await parts.pair_records.get(item.pair_id)
            assert known is not None
            assert known.planned

        # Nothing is left to plan, and a replayed approval queues nothing again.
        assert (await parts.planner.plan_pending()).planned == 0
        await scheduling.deliver(*pairs)
        assert (await parts.planner.plan_pending()).planned == 0
        assert await announced(scheduling) == Counter(SessionScheduled=len(planned))


async def test_the_queue_is_planned_a_batch_per_transaction_oldest_first(
    make_settings: SettingsFactory,
) -> None:
    registrations, pairs = people_and_pairs(PAIRS)
    history = [program(utc_now().date()), *registrations]
    async with replica(make_settings, history, planning_batch_size=15) as scheduling:
        parts = scheduling.scheduling
        await scheduling.deliver(*pairs[20:])
        await scheduling.deliver(*pairs[:20])
        rounds = []
        while (outcome := await parts.planner.plan_pending()).planned:
            rounds.append(outcome.planned)
            planned = await scheduling.database["series"].distinct("_id")
            # Recorded first, planned first.
            assert set(planned) >= {p.pair_id for p in pairs[20 : 20 + min(sum(rounds), 20)]}
        assert rounds == [15, 15, 10]


async def test_pairs_waiting_for_their_program_let_later_pairs_of_a_known_one_go_first(
    make_settings: SettingsFactory,
) -> None:
    registrations, pairs = people_and_pairs(10)
    later = "prog-announced-later"
    waiting = [item.model_copy(update={"program_id": later}) for item in pairs[:5]]
    history = [program(utc_now().date()), *registrations]
    async with replica(make_settings, history, planning_batch_size=5) as scheduling:
        parts = scheduling.scheduling
        await scheduling.deliver(*waiting)  # queued first: the oldest
        await scheduling.deliver(*pairs[5:])

        assert (await parts.planner.plan_pending()).planned == 5
        planned = set(await scheduling.database["series"].distinct("_id"))
        assert planned == {item.pair_id for item in pairs[5:]}
        assert (await parts.planner.plan_pending()).planned == 0  # still no program

        await scheduling.deliver(program(utc_now().date(), program_id=later))
        assert (await parts.planner.plan_pending()).planned == 5
        planned = set(await scheduling.database["series"].distinct("_id"))
        assert planned == {item.pair_id for item in pairs}


class CountingCollection:
    """A collection that counts the commands sent through it, by method."""

    def __init__(self, collection: Any, calls: Counter[str]) -> None:
        self._collection = collection
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        self._calls[name] += 1
        return getattr(self._collection, name)


async def test_a_batch_of_registrations_is_one_guard_round_one_read_and_one_write(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    registrations, _ = people_and_pairs(PAIRS)
    async with replica(make_settings, [program(utc_now().date())]) as scheduling:
        people = scheduling.scheduling.people
        participants: Counter[str] = Counter()
        guards: Counter[str] = Counter()
        monkeypatch.setattr(
            people, "_participants", CountingCollection(people._participants, participants)
        )
        monkeypatch.setattr(
            people._guards, "_guards", CountingCollection(people._guards._guards, guards)
        )
        moved = participant("mentee-0", "e-mentee-0", BERLIN, "mentee")
        stale = moved.model_copy(
            update={"profile": moved.profile.model_copy(update={"time_zone": "Asia/Tokyo"})}
        )

        await scheduling.deliver(*registrations, moved)

        # 80 new registrations: one read of what is stored (two pieces of 50) and one
        # insert, and the same of their guards.
        assert participants == Counter(find=2, insert_many=1)
        assert guards == Counter(find=2, insert_many=1)
        zones = await people.zones([f"mentee-{n}" for n in range(PAIRS)])
        assert zones["mentee-0"] == BERLIN  # the later event of the batch won
        assert zones["mentee-1"] == NEW_YORK

        async def late(tx: Transaction) -> None:  # an older state arriving late
            earlier = utc_now() - timedelta(hours=1)
            await scheduling.scheduling.participants.registered(stale, earlier, tx)

        await scheduling.transactor.run(late)
        assert (await people.zones(["mentee-0"]))["mentee-0"] == BERLIN


async def test_pairs_an_earlier_version_queued_are_planned_and_a_pair_ended_in_the_queue_is_not(
    make_settings: SettingsFactory,
) -> None:
    registrations, pairs = people_and_pairs(4)
    history = [program(utc_now().date()), *registrations]
    async with replica(make_settings, history) as scheduling:
        parts = scheduling.scheduling
        # Queued as an earlier version did: on the pair's document, no queue document.
        earlier = pairs[0]
        await scheduling.database["pairs"].insert_one(
            {
                "_id": earlier.pair_id,
                "state": earlier.model_dump(mode="json"),
                "as_of": utc_now(),
                "ended": False,
                "planned": False,
            }
        )
        await scheduling.deliver(*pairs[1:])
        assert await scheduling.database["planning_queue"].count_documents({}) == 1
        waiting = await parts.pair_records.get("pair-1")
        assert waiting is not None
        assert waiting.being_planned

        ended = pairs[3]
        await scheduling.deliver(
            example(PairEnded, pair_id=ended.pair_id, program_id=PROGRAM, ended_at=utc_now())
        )
        gone = await parts.pair_records.get(ended.pair_id)
        assert gone is not None
        assert gone.ended
        assert not gone.planned

        assert (await parts.planner.plan_pending()).planned == 1  # the earlier version's first
        assert (await parts.planner.plan_pending()).planned == 2
        assert (await parts.planner.plan_pending()).planned == 0
        planned = set(await scheduling.database["series"].distinct("_id"))
        assert planned == {"pair-0", "pair-1", "pair-2"}
        for pair_id in ("pair-0", "pair-1", "pair-2"):
            known = await parts.pair_records.get(pair_id)
            assert known is not None
            assert known.planned
        assert await scheduling.database["planning_queue"].count_documents({}) == 0


async def test_a_batch_is_planned_with_the_cycle_collector_paused_and_resumed_after(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its passes were a fifth of planning's CPU (about 2.5 s of 12 at 5,000 pairs)."""
    registrations, pairs = people_and_pairs(3)
    history = [program(utc_now().date()), *registrations]
    async with replica(make_settings, history) as scheduling:
        parts = scheduling.scheduling
        collecting: list[bool] = []
        write = parts.sessions.write

        async def watched(*args: Any, **kwargs: Any) -> Any:
            collecting.append(gc.isenabled())
            return await write(*args, **kwargs)

        monkeypatch.setattr(parts.sessions, "write", watched)
        await scheduling.deliver(*pairs)
        was_enabled = gc.isenabled()
        gc.enable()
        try:
            assert (await parts.planner.plan_pending()).planned == 3
            assert collecting == [False]
            assert gc.isenabled()
        finally:
            if not was_enabled:
                gc.disable()
