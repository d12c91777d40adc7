"""An erasure racing a pair's creation on another replica: no pair outlives the erased.

PairCreated and ParticipantErased travel on different topics, so two replicas may handle
them at the same time, in two transactions. The test commits the erasure in the middle of
the PairCreated transaction (after its erasure check and planning, before it stores the
pair), driving the event handlers directly. Both write the participant's guard document, so
one of them conflicts and is retried: either the pair is planned first and the erasure
removes the participant from it, or the pair's retry sees the erasure.
"""

from __future__ import annotations

from functools import partial

import pytest

from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import (
    Interleaving,
    SettingsFactory,
    deliver_directly,
    stored_traces,
)
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.erasure_guards import GUARDS as ERASED
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import OUTBOX_COLLECTION
from mentorship_kit.runtime import ServiceRuntime
from scheduling.adapters.pairs import SchedulingPairs
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.app import build_planner
from scheduling.handlers.events import register_event_handlers
from scheduling.settings import SchedulingSettings

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


async def test_an_erasure_during_a_pairs_creation_leaves_nothing_of_the_erased(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(SchedulingSettings)
    runtime = ServiceRuntime(settings)
    database = runtime.database
    transactor = runtime.transactor
    store = SchedulingPairs(database)
    people = People(database)
    series = SeriesRepository(database)
    sessions = SessionRepository(database)
    await ensure_indexes(
        database,
        [
            runtime.outbox.indexes(),
            *store.indexes(),
            *people.indexes(),
            series.indexes(),
            sessions.indexes(),
        ],
    )
    planner = build_planner(settings, store, people, series, sessions)
    register_event_handlers(runtime.handlers, store, people, planner)
    mentee_person = dev_person_id(MENTEE_EMPLOYEE)

    handle = deliver_directly(runtime.handlers)

    try:
        now = utc_now()
        for event in (
            program(now.date()),
            participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
            participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
        ):
            await transactor.run(partial(handle, event))
        erased = example(
            ParticipantErased, participant_id=MENTEE, program_id=PROGRAM, person_id=mentee_person
        )
        rival = Interleaving(transactor, partial(handle, erased))
        monkeypatch.setattr(store.pairs, "put", rival.before(store.pairs.put))
        await transactor.run(partial(handle, pair(now)))
        await rival.finished()

        assert await store.pairs.get("pair-1") is None
        assert (
            await stored_traces(database, {MENTEE, mentee_person}, skip={OUTBOX_COLLECTION, ERASED})
            == []
        )
    finally:
        await runtime.mongo.close()
