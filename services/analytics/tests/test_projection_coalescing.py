"""A batch writes each document it changes once, however many of its events fold into it.

What keeps the projection at about one write per event or fewer (issue #20, goal 5): the
events of a batch are folded in memory and each changed document, counter set and entry
set is written once, and an event published twice is folded into nothing and written
nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analytics.adapters.read_models import AGGREGATES, RM_PREFIX, ReadModels
from analytics.usecases.projection import Projected, Projection
from mentorship_contracts import CATALOG, Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    PairCreated,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Outbox, Transactor

pytestmark = pytest.mark.integration

PROGRAM = "prog-coalescing"
PAIR = "pair-coalescing"
CREATED = datetime(2027, 2, 1, 9, tzinfo=UTC)


def _envelope(event: IntegrationEvent, at: datetime) -> Envelope[Any]:
    key = CATALOG.route(event).key_of(event)
    return wrap(event, source="test", aggregate_id=key, occurred_at=at)


def _pair_history() -> list[Envelope[Any]]:
    """A pair, its twelve sessions, and the first three held, rescheduled and rated twice."""
    events = [
        _envelope(
            example(
                PairCreated,
                pair_id=PAIR,
                program_id=PROGRAM,
                mentor_participant_id="mentor",
                mentee_participant_id="mentee",
                created_at=CREATED,
            ),
            CREATED,
        )
    ]
    for sequence in range(1, 13):
        ids = {"session_id": f"{PAIR}.s{sequence:03d}", "pair_id": PAIR, "program_id": PROGRAM}
        starts = CREATED + timedelta(weeks=sequence)
        events.append(
            _envelope(
                SessionScheduled(
                    **ids,
                    series_id=PAIR,
                    sequence=sequence,
                    participant_ids=("mentor", "mentee"),
                    starts_at=starts,
                    duration_minutes=60,
                ),
                CREATED,
            )
        )
        if sequence > 3:
            continue
        moved = starts + timedelta(hours=2)
        events.append(
            _envelope(
                example(SessionRescheduled, **ids, starts_at=moved, previous_starts_at=starts),
                starts - timedelta(days=1),
            )
        )
        held = moved + timedelta(hours=1)
        events.append(
            _envelope(
                SessionCompleted(
                    **ids,
                    participant_ids=("mentor", "mentee"),
                    starts_at=moved,
                    held_at=moved,
                    duration_minutes=55,
                ),
                held,
            )
        )
        for author, role in (
            ("mentor", ParticipantRole.MENTOR),
            ("mentee", ParticipantRole.MENTEE),
        ):
            events.append(
                _envelope(
                    example(
                        SessionFeedbackSubmitted,
                        feedback_id=f"{ids['session_id']}-{author}",
                        **ids,
                        participant_id=author,
                        author_role=role,
                        rating=4,
                        submitted_at=held + timedelta(hours=1),
                    ),
                    held + timedelta(hours=1),
                )
            )
    return events


async def _project(database: Database, batch: Sequence[Envelope[Any]]) -> Projected:
    transactor = Transactor(
        database.client,
        Outbox(database, retention=timedelta(hours=1)),
        source="test",
        metrics=Metrics("test", "0"),
    )
    projection = Projection(ReadModels(database))
    return await transactor.run(lambda tx: projection.project(batch, tx))


async def test_a_batch_writes_each_document_it_changes_once(database: Database) -> None:
    events = _pair_history()
    assert len(events) == 1 + 12 + 3 * 4

    projected = await _project(database, events)

    # One write per document: the pair, its three sessions held (four events each), its
    # schedulings (the twelve scheduled), its rhythm (the twelve scheduled linked from the
    # schedulings, three closed by their sessions), its two members (linked from the pair and
    # the rhythm), its mentor's impact (linked from the pair, the rhythm and the mentee), and
    # the program's counters and head of the stalest pairs; no entry set (nothing rated low,
    # no poor fit).
    assert projected.written == {
        f"{RM_PREFIX}pairs": 1,
        f"{RM_PREFIX}sessions": 3,
        f"{RM_PREFIX}schedulings": 1,
        f"{RM_PREFIX}rhythms": 1,
        f"{RM_PREFIX}participants": 2,
        f"{RM_PREFIX}mentors": 1,
        AGGREGATES: 2,
    }
    assert sum(projected.written.values()) < len(events)
    assert projected.applied_before == frozenset()
    session = await database[f"{RM_PREFIX}sessions"].find_one({"_id": f"{PAIR}.s001"})
    assert session is not None
    assert session["status"] == "held"
    assert sorted(session["feedback"]) == [f"{PAIR}.s001-mentee", f"{PAIR}.s001-mentor"]


async def test_a_batch_published_again_writes_nothing(database: Database) -> None:
    events = _pair_history()
    await _project(database, events)

    again = await _project(database, events)

    assert again.written == {}
    assert again.applied_before == frozenset(str(e.event_id) for e in events)
