"""An erasure racing a pair on another replica: no pair outlives the erased.

PairCreated and ParticipantErased travel on different topics, so two replicas may handle
them at the same time, in two transactions; and the pair's series is planned later still, in
a transaction of the planning worker. Each test commits the erasure in the middle of one of
those transactions (after its erasure check, before it stores the pair or the series),
driving the event handlers and the planner directly. Both write the participant's guard
document, so one of them conflicts and is retried: either the pair (or its series) comes
first and the erasure removes the participant from it, or the retry sees the erasure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import Interleaving, SettingsFactory, stored_traces
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.erasure_guards import GUARDS as ERASED
from mentorship_kit.outbox import OUTBOX_COLLECTION, Transaction

from .direct import Replica, replica
from .scenario import (
    BERLIN,
    MENTEE,
    MENTEE_EMPLOYEE,
    MENTOR,
    MENTOR_EMPLOYEE,
    NEW_YORK,
    PROGRAM,
    pair,
    participant,
    program,
)

pytestmark = pytest.mark.integration


def erasure(scheduling: Replica) -> Callable[[Transaction], Awaitable[None]]:
    erased = example(
        ParticipantErased,
        participant_id=MENTEE,
        program_id=PROGRAM,
        person_id=dev_person_id(MENTEE_EMPLOYEE),
    )
    return partial(scheduling.handle, erased)


async def nothing_left_of_the_mentee(scheduling: Replica) -> None:
    assert await scheduling.scheduling.pair_records.get("pair-1") is None
    assert await scheduling.scheduling.series.of_participant(MENTEE) == []
    traces = await stored_traces(
        scheduling.database,
        {MENTEE, dev_person_id(MENTEE_EMPLOYEE)},
        skip={OUTBOX_COLLECTION, ERASED},
    )
    assert traces == []


def history() -> list[IntegrationEvent]:
    return [
        program(utc_now().date()),
        participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
        participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
    ]


async def test_an_erasure_during_a_pairs_creation_leaves_nothing_of_the_erased(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with replica(make_settings, history()) as scheduling:
        pairs = scheduling.scheduling.pair_records
        rival = Interleaving(scheduling.transactor, erasure(scheduling))
        monkeypatch.setattr(pairs, "record", rival.before(pairs.record))
        await scheduling.deliver(pair(utc_now()))
        await rival.finished()
        await scheduling.scheduling.planner.plan_pending()

        await nothing_left_of_the_mentee(scheduling)


async def test_an_erasure_while_the_pair_is_planned_leaves_nothing_of_the_erased(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with replica(make_settings, history()) as scheduling:
        await scheduling.deliver(pair(utc_now()))
        assert (await scheduling.scheduling.pair_records.get("pair-1")) is not None
        sessions = scheduling.scheduling.sessions
        rival = Interleaving(scheduling.transactor, erasure(scheduling))
        monkeypatch.setattr(sessions, "write", rival.before(sessions.write))
        await scheduling.scheduling.planner.plan_pending()
        await rival.finished()

        await nothing_left_of_the_mentee(scheduling)
