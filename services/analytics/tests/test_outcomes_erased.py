"""An erasure of a person's HRIS outcomes (`OutcomesErased`) in the read models, in any order.

Every outcome of the person recorded up to the erasure (its latest `OutcomeRecorded` at or
before the erasure's version: event time, then event id) is deleted and never stored again,
however often and in whatever order the events come; one recorded after it (an import after
the erasure) stays. The erasure is kept per person (`OutcomeErasureFact`, in
``rm_outcome_erasures``), so replaying the topics from the start, or rebuilding the
aggregates, gives the same outcomes. Outcomes count in no aggregate: no counter moves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.adapters.outcome_models import OrganisationModels
from analytics.adapters.read_models import RM_PREFIX, ReadModels
from analytics.domain.documents import OutcomeErasureFact, OutcomeFact
from analytics.domain.facts import Target, directory_key, version_of
from analytics.usecases.projection import Projected, Projection
from analytics.usecases.rebuild import Rebuilder
from mentorship_contracts import CATALOG, Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import OutcomeRecorded, OutcomesErased, ProgramCreated
from mentorship_contracts.examples import example
from mentorship_contracts.types import OutcomeKind
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Transaction

from .memory import Store, project
from .stored import transactor_on

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
ERASED, KEPT = "person-erased", "person-kept"
OUTCOMES = f"{RM_PREFIX}{OutcomeFact.collection}"
ERASURES = f"{RM_PREFIX}{OutcomeErasureFact.collection}"


def _envelope(event: IntegrationEvent, minutes: int) -> Envelope[Any]:
    key = CATALOG.route(event).key_of(event)
    return wrap(
        event, source="test", aggregate_id=key, occurred_at=START + timedelta(minutes=minutes)
    )


def _recorded(outcome_id: str, person_id: str, minutes: int, band: int = 3) -> Envelope[Any]:
    event = example(
        OutcomeRecorded,
        outcome_id=outcome_id,
        person_id=person_id,
        kind=OutcomeKind.PERFORMANCE_BAND,
        occurred_on=date(2026, 11, 2),
        voluntary=None,
        performance_band=band,
    )
    return _envelope(event, minutes)


def _erased(person_id: str, minutes: int) -> Envelope[Any]:
    return _envelope(
        OutcomesErased(person_id=person_id, erased_at=START + timedelta(minutes=minutes)), minutes
    )


BEFORE_1, BEFORE_2 = _recorded("out-1", ERASED, 1), _recorded("out-2", ERASED, 2)
OTHERS = _recorded("out-kept", KEPT, 3)
ERASURE = _erased(ERASED, 10)
REIMPORTED = _recorded("out-2", ERASED, 20, band=5)
"""The same outcome as ``BEFORE_2``, imported again after the erasure (a new band)."""
LATER = _recorded("out-3", ERASED, 21)
HISTORY = (BEFORE_1, BEFORE_2, OTHERS, ERASURE, REIMPORTED, LATER)


def _outcomes(store: Store) -> dict[str, tuple[str, int | None]]:
    return {o.id: (o.version, o.performance_band) for o in store.of_kind(OutcomeFact)}


EXPECTED = {
    "out-2": (version_of(REIMPORTED), 5),
    "out-3": (version_of(LATER), 3),
    "out-kept": (version_of(OTHERS), 3),
}


@pytest.mark.parametrize("batch_size", [1, 2, 6])
def test_outcomes_up_to_the_erasure_go_and_later_ones_stay_whatever_the_order(
    batch_size: int,
) -> None:
    for order in permutations(HISTORY):
        store = project(order, [batch_size])
        assert _outcomes(store) == EXPECTED, [version_of(e) for e in order]
        assert _erasure_version(store) == version_of(ERASURE)
        assert store.settled()[1:] == ({}, {}, {}), "outcomes and their erasures count nowhere"


def test_an_erasure_without_later_outcomes_leaves_none_and_others_alone() -> None:
    store = project([BEFORE_1, BEFORE_2, OTHERS], [3])
    store.project([ERASURE])
    assert _outcomes(store) == {"out-kept": (version_of(OTHERS), 3)}


def test_outcomes_replayed_after_the_erasure_stay_out() -> None:
    store = project(HISTORY, [len(HISTORY)])
    documents = dict(store.documents)
    for replay in (HISTORY, tuple(reversed(HISTORY)), (BEFORE_1,), (BEFORE_2, ERASURE)):
        store.project(replay)
        assert store.documents == documents
    # An outcome stamped before the erasure but delivered only now (another replica, a
    # slow relay): covered by the erasure, not stored.
    store.project([_recorded("out-late", ERASED, 9)])
    assert _outcomes(store) == EXPECTED


def test_an_older_erasure_delivered_late_changes_nothing() -> None:
    store = project(HISTORY, [len(HISTORY)])
    store.project([_erased(ERASED, 5)])
    assert _outcomes(store) == EXPECTED
    assert _erasure_version(store) == version_of(ERASURE)
    newer = _erased(ERASED, 30)
    store.project([newer])
    assert _outcomes(store) == {"out-kept": (version_of(OTHERS), 3)}
    assert _erasure_version(store) == version_of(newer)


def _erasure_version(store: Store) -> str:
    erasure = store.documents[Target(OutcomeErasureFact, directory_key(ERASED))]
    assert isinstance(erasure, OutcomeErasureFact)
    return erasure.version


def test_a_rebuild_from_the_topics_or_of_the_aggregates_gives_the_same_outcomes() -> None:
    store = project(HISTORY, [2])
    replayed = project(tuple(reversed(HISTORY)), [len(HISTORY)])
    assert replayed.documents == store.documents
    assert Store.rebuilt(store.documents.values()).documents == store.documents


PEOPLE = ("p-0", "p-1", "p-2")


@st.composite
def _histories(draw: st.DrawFn) -> list[Envelope[Any]]:
    """Imports of a few outcomes per person and erasures, at times that may coincide."""
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(PEOPLE),
                st.one_of(st.none(), st.integers(min_value=0, max_value=2)),
                st.integers(min_value=0, max_value=30),
                st.integers(min_value=1, max_value=5),
            ),
            min_size=1,
            max_size=25,
        )
    )
    return [
        _erased(person, minutes)
        if outcome is None
        else _recorded(f"out-{person}-{outcome}", person, minutes, band)
        for person, outcome, minutes, band in steps
    ]


def _recount(events: Sequence[Envelope[Any]]) -> dict[str, tuple[str, int | None]]:
    """By hand: each outcome at its latest record, unless its person's latest erasure is at
    or after that record."""
    erased: dict[str, str] = {}
    latest: dict[str, Envelope[Any]] = {}
    for envelope in events:
        version, data = version_of(envelope), envelope.data
        if isinstance(data, OutcomesErased):
            erased[data.person_id] = max(erased.get(data.person_id, ""), version)
        elif data.outcome_id not in latest or version > version_of(latest[data.outcome_id]):
            latest[data.outcome_id] = envelope
    return {
        outcome_id: (version_of(envelope), envelope.data.performance_band)
        for outcome_id, envelope in latest.items()
        if version_of(envelope) > erased.get(envelope.data.person_id, "")
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=_histories(),
    shuffle=st.integers(min_value=0, max_value=2**32),
    duplicates=st.floats(min_value=0, max_value=0.5),
    batch_sizes=st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=4),
)
def test_the_outcomes_kept_equal_a_recount_of_the_distinct_events(
    events: list[Envelope[Any]], shuffle: int, duplicates: float, batch_sizes: list[int]
) -> None:
    rng = random.Random(shuffle)
    deliveries = events + [e for e in events if rng.random() < duplicates]
    rng.shuffle(deliveries)
    store = project(deliveries, batch_sizes)
    assert _outcomes(store) == _recount(events)
    assert store.documents == project(events, [len(events)]).documents
    assert store.settled()[1:] == ({}, {}, {})


async def _project(database: Database, batch: Sequence[Envelope[Any]]) -> Projected:
    projection = Projection(ReadModels(database))
    return await transactor_on(database).run(lambda tx: projection.project(batch, tx))


async def _stored(database: Database) -> dict[str, tuple[str, int | None]]:
    return {o.id: (o.version, o.performance_band) for o in await _organisation(database)}


async def _organisation(database: Database) -> list[OutcomeFact]:
    """The outcomes as the outcomes report reads them."""
    return await OrganisationModels(database).outcomes()


class _AbortedError(Exception):
    """Raised after the erasure's projection, to roll its transaction back."""


@pytest.mark.integration
async def test_the_erasure_deletes_the_outcomes_in_its_transaction_and_keeps_later_ones(
    database: Database,
) -> None:
    program = _envelope(example(ProgramCreated), 0)
    await _project(database, [program, BEFORE_1, BEFORE_2, OTHERS])
    assert set(await _stored(database)) == {"out-1", "out-2", "out-kept"}

    async def erase_then_fail(tx: Transaction) -> None:
        await Projection(ReadModels(database)).project([ERASURE], tx)
        raise _AbortedError

    with pytest.raises(_AbortedError):
        await transactor_on(database).run(erase_then_fail)
    assert set(await _stored(database)) == {"out-1", "out-2", "out-kept"}, "rolled back"
    assert await database[ERASURES].count_documents({}) == 0

    projected = await _project(database, [ERASURE])

    assert projected.written == {ERASURES: 1, OUTCOMES: 2}
    assert set(await _stored(database)) == {"out-kept"}
    marker = await database[ERASURES].find_one({"_id": directory_key(ERASED)})
    assert marker is not None
    assert (marker["version"], marker["program_id"]) == (version_of(ERASURE), "")
    for replayed in ([BEFORE_1], [BEFORE_2, BEFORE_1], [ERASURE]):
        assert (await _project(database, replayed)).written == {}
    assert set(await _stored(database)) == {"out-kept"}

    assert (await _project(database, [REIMPORTED, LATER])).written == {OUTCOMES: 2}
    assert await _stored(database) == EXPECTED
    # A rebuild of every program's aggregates leaves the outcomes and the erasure alone.
    await Rebuilder(ReadModels(database), transactor_on(database)).rebuild_all()
    assert await _stored(database) == EXPECTED
    assert await database[ERASURES].count_documents({}) == 1


@pytest.mark.integration
async def test_an_outcome_recorded_after_the_erasure_but_stored_before_it_forgets_the_past(
    database: Database,
) -> None:
    """Stored before the erasure is projected, it is then as if the erasure had come first."""
    before, after = _recorded("out-9", KEPT, 40), _recorded("out-9", KEPT, 60, band=4)
    erasure = _erased(KEPT, 50)
    await _project(database, [OTHERS, before, after])

    assert (await _project(database, [erasure])).written == {ERASURES: 1, OUTCOMES: 2}

    (stored,) = await _organisation(database)
    assert (stored.id, stored.performance_band, stored.folded) == ("out-9", 4, [version_of(after)])
    in_memory = project([OTHERS, erasure, before, after], [1])
    assert in_memory.of_kind(OutcomeFact) == [stored]
