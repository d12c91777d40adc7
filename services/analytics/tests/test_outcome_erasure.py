"""The directory erasing a person deletes their HRIS outcomes from the read models, in any order.

Outcomes (`OutcomeRecorded`) are kept under the person's key; the directory's erasure
(`DirectoryPersonErased`) must leave none of them behind, whether it comes before or after
them, in one batch or many, and must leave everyone else's alone. The outcomes count in no
aggregate, so the counters are the same as for the history without the erased person's
outcomes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any

import pytest

from analytics.domain.documents import OutcomeFact, PersonFact
from analytics.domain.facts import Target, directory_key
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    OutcomeRecorded,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import OutcomeKind

from .memory import project

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
ERASED, KEPT = "person-erased", "person-kept"


def _outcome(outcome_id: str, person_id: str, kind: OutcomeKind) -> OutcomeRecorded:
    return example(
        OutcomeRecorded,
        outcome_id=outcome_id,
        person_id=person_id,
        kind=kind,
        occurred_on=date(2026, 11, 2),
    )


def _history() -> list[Envelope[Any]]:
    events: list[IntegrationEvent] = [
        example(DirectoryPersonChanged, person_id=ERASED, version=1, department="sales"),
        _outcome("out-1", ERASED, OutcomeKind.PROMOTION),
        _outcome("out-2", ERASED, OutcomeKind.HIRED),
        _outcome("out-3", KEPT, OutcomeKind.PROMOTION),
        example(DirectoryPersonErased, person_id=ERASED),
    ]
    return [
        wrap(
            event, source="test", aggregate_id="test", occurred_at=START + timedelta(minutes=index)
        )
        for index, event in enumerate(events)
    ]


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_an_erased_persons_outcomes_go_whatever_the_order(batch_size: int) -> None:
    history = _history()
    without = project([e for e in history if not _of_erased_outcome(e)], [batch_size])
    for order in permutations(history):
        store = project(order, [batch_size])
        outcomes = store.of_kind(OutcomeFact)
        assert [o.id for o in outcomes] == ["out-3"], [e.event_type for e in order]
        assert all(o.person_key != directory_key(ERASED) for o in outcomes)
        person = store.documents[Target(PersonFact, directory_key(ERASED))]
        assert isinstance(person, PersonFact)
        assert person.erased
        assert store.settled()[1:] == without.settled()[1:]  # counters and sets alike


def test_an_outcome_replayed_after_the_erasure_stays_out() -> None:
    history = _history()
    store = project(history, [len(history)])
    replayed = wrap(
        _outcome("out-4", ERASED, OutcomeKind.EXIT),
        source="test",
        aggregate_id="test",
        occurred_at=START - timedelta(days=1),
    )
    store.project([replayed])
    assert [o.id for o in store.of_kind(OutcomeFact)] == ["out-3"]


def _of_erased_outcome(envelope: Envelope[Any]) -> bool:
    return isinstance(envelope.data, OutcomeRecorded) and envelope.data.person_id == ERASED
