"""The health report's lists: the first ``limit`` of each flag, in order, and their totals.

Inactive pairs are listed from the head of the stalest pairs or, for more than it holds, from
at most ``limit`` rhythms, the first by their stalest day and pair: the list must be what
sorting every pair would give, also when many pairs last met on the same day (then the order
within the day decides which rhythms are read).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analytics.adapters.read_models import RM_PREFIX, ReadModels
from analytics.domain import reports
from analytics.domain.documents import RhythmFact
from analytics.domain.heads import HEAD_SIZE
from analytics.usecases.rebuild import AGGREGATES_VERSION, Rebuilder
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    PairCreated,
    PairEnded,
    ProgramCreated,
    SessionCompleted,
    SessionFeedbackSubmitted,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason, ParticipantRole
from mentorship_kit.mongo import Database

from .memory import Store, project
from .stored import transactor_on

PROGRAM = "prog-health"
NOW = datetime(2027, 6, 1, 15, tzinfo=UTC)


def _history(seed: int, same_day: bool = False) -> tuple[list[Envelope[Any]], dict[str, int]]:
    """Pairs created 20-90 days ago, some meeting since, a group; and who is inactive.

    ``same_day``: pairs are created on two days only, so many last met on the same day.
    """
    rng = random.Random(seed)
    timed: list[tuple[IntegrationEvent, datetime]] = [
        (example(ProgramCreated, program_id=PROGRAM), NOW - timedelta(days=120))
    ]
    created_at: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for n in range(rng.randint(5, 40)):
        pair_id = f"pair{n:02d}"
        group = "group-a" if n % 7 == 0 else None
        age = rng.choice((50, 70)) if same_day else rng.randint(20, 90)
        created = NOW - timedelta(days=age, hours=rng.randint(0, 12))
        timed.append(
            (
                example(
                    PairCreated,
                    pair_id=pair_id,
                    program_id=PROGRAM,
                    mentor_participant_id="m" if group else f"m{n}",
                    mentee_participant_id=f"e{n}",
                    mentor_person_id="person-m",
                    mentee_person_id=f"person-e{n}",
                    group_id=group,
                    created_at=created,
                ),
                created,
            )
        )
        last[pair_id] = created_at[pair_id] = created
        if group is None and rng.random() < 0.5:
            held = created + timedelta(days=rng.randint(1, 19))
            last[pair_id] = held
            timed.append((_held(pair_id, f"{pair_id}.s001", held), held))
        if rng.random() < 0.1:
            timed.append(
                (
                    PairEnded(
                        pair_id=pair_id,
                        program_id=PROGRAM,
                        reason=PairEndReason.COMPLETED,
                        ended_at=NOW - timedelta(days=1),
                    ),
                    NOW - timedelta(days=1),
                )
            )
            del last[pair_id]
    group_held = NOW - timedelta(days=rng.randint(30, 60))
    timed.append((_held("group-a", "group-a.s001", group_held), group_held))
    in_group = {f"pair{n:02d}" for n in range(0, 40, 7)}
    for pair_id in set(last) & in_group:  # a group session counts for who was in the group
        last[pair_id] = max(group_held, created_at[pair_id])
    days = {pair_id: (NOW.date() - since.date()).days for pair_id, since in last.items()}
    envelopes = [
        wrap(event, source="test", aggregate_id=PROGRAM, occurred_at=at) for event, at in timed
    ]
    return envelopes, days


def _held(pair_id: str, session_id: str, at: datetime) -> SessionCompleted:
    return SessionCompleted(
        session_id=session_id,
        pair_id=pair_id,
        program_id=PROGRAM,
        participant_ids=("m", "e"),
        starts_at=at,
        held_at=at,
        duration_minutes=45,
    )


LIMITS = (0, 1, 2, 3, 5, 8, 100)


def _inactive(days: dict[str, int]) -> list[tuple[int, str]]:
    """Every inactive pair as (minus its days without a session, its id): the list's order."""
    return sorted((-d, pair_id) for pair_id, d in days.items() if d >= 45)


@pytest.mark.parametrize("head_size", [2, HEAD_SIZE])
@pytest.mark.parametrize("same_day", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_the_first_inactive_pairs_in_order_and_all_of_them_counted(
    seed: int, same_day: bool, head_size: int
) -> None:
    """From the head of the stalest pairs up to its size, from the stalest rhythms beyond."""
    events, days = _history(seed, same_day)
    store = project(events, [5], head_size=head_size)
    inactive = _inactive(days)
    for limit in LIMITS:
        health = store.health(PROGRAM, now=NOW, inactive_after_days=45, limit=limit)
        got = [(-p.days_without_session, p.pair_id) for p in health.inactive_pairs]
        assert got == inactive[:limit], limit
        assert health.totals.inactive_pairs == len(inactive)
        assert health.list_limit == limit


def test_low_ratings_are_listed_up_to_the_limit_and_all_counted() -> None:
    events = [
        wrap(
            SessionFeedbackSubmitted(
                feedback_id=f"f{n}",
                session_id=f"s{n % 5}",
                pair_id=f"pair{n % 5}",
                program_id=PROGRAM,
                participant_id=f"p{n}",
                author_role=ParticipantRole.MENTEE,
                rating=1 + n % 4,
                submitted_at=NOW,
            ),
            source="test",
            aggregate_id=PROGRAM,
            occurred_at=NOW,
        )
        for n in range(20)
    ]
    store = Store()
    store.project(events)
    every = store.health(PROGRAM, now=NOW, limit=100).low_ratings
    assert len(every) == 10
    assert [(r.session_id, r.pair_id) for r in every] == sorted(
        (r.session_id, r.pair_id) for r in every
    )
    first = store.health(PROGRAM, now=NOW, limit=3)
    assert first.low_ratings == every[:3]
    assert first.totals.low_ratings == 10


@pytest.mark.integration
@pytest.mark.parametrize("seed", [3, 4])
async def test_the_database_reads_the_rhythms_of_the_first_inactive_pairs(
    database: Database, seed: int
) -> None:
    """`ReadModels.stalest_rhythms` sorts and cuts as the proof of `inactive_pairs` needs."""
    events, days = _history(seed, same_day=True)
    rhythms = project(events, [5]).of_kind(RhythmFact)
    await database[f"{RM_PREFIX}{RhythmFact.collection}"].insert_many(
        [rhythm.model_dump(by_alias=True) for rhythm in rhythms]
    )
    models = ReadModels(database)
    cutoff = reports.inactive_cutoff(NOW, 45)
    inactive = _inactive(days)
    for limit in LIMITS:
        read = await models.stalest_rhythms(PROGRAM, cutoff.isoformat(), limit)
        assert len(read) <= limit
        listed = reports.inactive_pairs(read, now=NOW, cutoff=cutoff, limit=limit)
        assert [(-p.days_without_session, p.pair_id) for p in listed] == inactive[:limit], limit


@pytest.mark.integration
async def test_rhythms_from_before_the_stalest_pair_get_it_at_the_migration(
    database: Database,
) -> None:
    """A database of version 6 stored no `RhythmFact.stalest_pair`: the rebuild of version 7
    stores it, and the health report then lists a day's pairs in order."""
    events, days = _history(5, same_day=True)
    store = project(events, [5])
    rhythms = store.of_kind(RhythmFact)
    for document in store.documents.values():
        legacy = document.model_dump(by_alias=True)
        if isinstance(document, RhythmFact):
            del legacy["stalest_pair"]
        await database[f"{RM_PREFIX}{document.collection}"].insert_one(legacy)
    models = ReadModels(database)
    await models.set_schema_version(6)

    await Rebuilder(models, transactor_on(database)).migrate()

    stored = {
        document["_id"]: document.get("stalest_pair")
        async for document in database[f"{RM_PREFIX}{RhythmFact.collection}"].find({})
    }
    assert stored == {rhythm.id: rhythm.stalest_pair for rhythm in rhythms}
    assert any(stored.values())
    assert await models.schema_version() == AGGREGATES_VERSION
    cutoff = reports.inactive_cutoff(NOW, 45)
    read = await models.stalest_rhythms(PROGRAM, cutoff.isoformat(), 3)
    listed = reports.inactive_pairs(read, now=NOW, cutoff=cutoff, limit=3)
    assert [(-p.days_without_session, p.pair_id) for p in listed] == _inactive(days)[:3]
