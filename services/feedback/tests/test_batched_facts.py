"""A consumer batch of facts is stored with one read and one bulk write of each kind, in order."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.membership import Identity, Known, identities_applied
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.entrypoints.subscriptions import register_event_handlers
from feedback.settings import FeedbackSettings
from feedback.usecases.erasure import Erasure
from feedback.usecases.facts import Facts
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    SessionCompleted,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole
from mentorship_devstack.pytest_plugin import SettingsFactory, deliver_directly
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


def identity(
    participant_id: str, person: str, as_of: datetime, *, placeholder: bool = False
) -> Any:
    return Identity(participant_id, person, "prog", MENTEE, as_of, placeholder=placeholder)


def test_identities_apply_in_order_newest_first_and_never_for_the_erased() -> None:
    later = T0 + timedelta(minutes=1)
    stored = {"known": Known(T0)}
    incoming = [
        identity("known", "pair fill-in", later, placeholder=True),  # known: not filled in
        identity("known", "older", T0 - timedelta(minutes=1)),  # older than stored
        identity("new", "from a pair", T0, placeholder=True),  # unknown: filled in
        identity("new", "registered", later),  # newer registration overwrites
        identity("new", "second fill-in", later, placeholder=True),  # known by now
        identity("gone", "erased", later),
    ]

    applied = identities_applied(stored, incoming, {"gone"})

    assert {key: found.person_id for key, found in applied.items()} == {"new": "registered"}


@dataclass
class Feedback:
    transactor: Transactor
    directory: Directory
    held: HeldSessions
    runtime: ServiceRuntime

    async def batch(self, *events: IntegrationEvent) -> None:
        handle = deliver_directly(self.runtime.handlers)

        async def all_of_them(tx: Transaction) -> None:
            for event in events:
                await handle(event, tx)

        await self.transactor.run(all_of_them)


@asynccontextmanager
async def feedback(make_settings: SettingsFactory) -> AsyncIterator[Feedback]:
    runtime = ServiceRuntime(make_settings(FeedbackSettings))
    database = runtime.database
    directory, held = Directory(database), HeldSessions(database)
    erasure = Erasure(
        directory,
        held,
        feedback=Records(
            database, "session_feedback", SessionFeedback, "feedback_id", "session_id"
        ),
        fits=Records(database, "fit_reports", FitReport, "report_id", "pair_id"),
        agreements=Records(database, "agreements", Agreement, "pair_id"),
        goals=Records(database, "goals", Goal, "goal_id", "pair_id"),
        surveys=Records(database, "survey_responses", SurveyResponse, "response_id"),
    )
    await ensure_indexes(
        database, [runtime.outbox.indexes(), *directory.indexes(), *held.indexes()]
    )
    register_event_handlers(
        runtime.handlers, Facts(directory, held), erasure, ProgramManagers(database)
    )
    try:
        yield Feedback(runtime.transactor, directory, held, runtime)
    finally:
        await runtime.mongo.close()


class Counting:
    def __init__(self, collection: Any, calls: Counter[str]) -> None:
        self._collection = collection
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        self._calls[name] += 1
        return getattr(self._collection, name)


def registered(n: int, role: ParticipantRole) -> ParticipantRegistered:
    letter = "m" if role is MENTOR else "e"
    return example(
        ParticipantRegistered,
        participant_id=f"{letter}{n}",
        person_id=f"person-{letter}{n}",
        program_id="prog",
        role=role,
        capacity=1 if role is MENTOR else 0,
    )


def paired(n: int) -> PairCreated:
    return example(
        PairCreated,
        pair_id=f"pair-{n}",
        program_id="prog",
        mentor_participant_id=f"m{n}",
        mentee_participant_id=f"e{n}",
        mentor_person_id=f"person-m{n}",
        mentee_person_id=f"person-e{n}",
    )


def held(n: int) -> SessionCompleted:
    return example(
        SessionCompleted,
        session_id=f"pair-{n}.s001",
        pair_id=f"pair-{n}",
        program_id="prog",
        participant_ids=(f"m{n}", f"e{n}"),
    )


@pytest.mark.integration
async def test_a_batch_of_facts_is_one_read_and_one_write_of_each_kind(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with feedback(make_settings) as service:
        people: Counter[str] = Counter()
        directory = service.directory
        monkeypatch.setattr(directory, "_participants", Counting(directory._participants, people))
        events: list[IntegrationEvent] = []
        for n in range(30):
            events += [registered(n, MENTOR), paired(n), registered(n, MENTEE), held(n)]

        await service.batch(*events)

        assert people == Counter(find=2, insert_many=1)  # 60 participants, read in two pieces
        assert await directory.persons(["m0", "e29"]) == {"m0": "person-m0", "e29": "person-e29"}
        assert await directory.pairs.get("pair-29") is not None
        assert len(await service.held.sessions_of(["m7"])) == 1


@pytest.mark.integration
async def test_events_after_a_flush_point_see_what_came_before_them(
    make_settings: SettingsFactory,
) -> None:
    async with feedback(make_settings) as service:
        await service.batch(
            registered(1, MENTOR),
            registered(1, MENTEE),
            paired(1),
            example(PairEnded, pair_id="pair-1", program_id="prog"),  # after its creation
            paired(2),
            example(ParticipantErased, participant_id="e2", program_id="prog", person_id="p"),
            held(2),  # names the erased mentee: not kept
            registered(2, MENTEE),  # a late registration of the erased: not kept
        )

        stored = await service.directory.pairs.get_document("pair-1")
        assert stored is not None
        assert stored["ended"] is True
        assert await service.directory.pairs.get("pair-2") is None
        assert await service.directory.persons(["e2", "m2"]) == {"m2": "person-m2"}
        assert await service.held.sessions_of(["m2"]) == []
