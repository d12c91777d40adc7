"""The funnel invited -> registered and the reporting-line conflicts, folded in any order."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analytics.app import build_app
from analytics.domain import reports
from analytics.domain.documents import (
    DirectoryFacts,
    Fact,
    InvitationFact,
    PairFact,
    ParticipantFact,
    PersonFact,
    ProgramFact,
)
from analytics.domain.facts import Target, fold_into
from analytics.settings import AnalyticsSettings
from mentorship_contracts import Envelope, IntegrationEvent, seal
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    InvitationReminderSent,
    InvitationSent,
    PairCreated,
    ParticipantRegistered,
    ProgramCreated,
)
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

PROGRAM = "prog-emerging-leaders-2026"
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _sealed(events: Sequence[IntegrationEvent]) -> list[Envelope[Any]]:
    return [
        seal(event, source="test").model_copy(update={"occurred_at": DAY + timedelta(minutes=k)})
        for k, event in enumerate(events)
    ]


def _facts(envelopes: Sequence[Envelope[Any]]) -> DirectoryFacts:
    store: dict[Target, Fact] = {}
    for envelope in envelopes:
        fold_into(store, envelope)
    programs = [f for f in store.values() if isinstance(f, ProgramFact)]
    return DirectoryFacts(
        program_id=PROGRAM,
        reporting_line_depth=programs[0].reporting_line_depth if programs else 0,
        participants=[f for f in store.values() if isinstance(f, ParticipantFact)],
        pairs=[f for f in store.values() if isinstance(f, PairFact)],
        invitations=[f for f in store.values() if isinstance(f, InvitationFact)],
        people={f.id: f for f in store.values() if isinstance(f, PersonFact)},
    )


def _invited(person: str, department: str, day: int) -> InvitationSent:
    return example(
        InvitationSent,
        invitation_id=f"inv-{person}",
        person_id=person,
        department=department,
        sent_at=DAY + timedelta(days=day),
    )


def test_the_funnel_counts_invitees_who_registered_by_department_and_day() -> None:
    events = [
        example(ProgramCreated),
        _invited("p-1", "engineering", 0),
        _invited("p-2", "engineering", 0),
        _invited("p-3", "design", 1),
        _invited("p-4", "design", 1),
        example(InvitationReminderSent, invitation_id="inv-p-2", person_id="p-2"),
        example(
            ParticipantRegistered,
            participant_id="part-1",
            person_id="p-1",
            registered_at=DAY + timedelta(days=2),
        ),
        example(ParticipantRegistered, participant_id="part-9", person_id="p-not-invited"),
        example(DirectoryPersonErased, person_id="p-4"),
    ]
    expected = {
        "invited": 3,
        "registered": 1,
        "registration_rate": 0.3333,
        "reminded": 1,
        "by_department": [
            {"department": "design", "invited": 1, "registered": 0},
            {"department": "engineering", "invited": 2, "registered": 1},
        ],
        "by_day": [
            {"day": "2026-03-02", "invited": 2, "registered": 0},
            {"day": "2026-03-03", "invited": 1, "registered": 0},
            {"day": "2026-03-04", "invited": 0, "registered": 1},
        ],
    }
    for order in (events, events[::-1], events[3:] + events[:3]):
        funnel = reports.invitation_funnel(_facts(_sealed(order)))
        assert funnel.model_dump(mode="json") == expected


def _edge(person: str, manager: str | None, version: int) -> DirectoryPersonChanged:
    return example(
        DirectoryPersonChanged, person_id=person, manager_person_id=manager, version=version
    )


def test_a_pair_that_now_breaks_the_rule_is_flagged_in_any_order() -> None:
    pair = example(
        PairCreated,
        mentor_participant_id="part-mentor",
        mentee_participant_id="part-mentee",
    )
    registered = [
        example(ParticipantRegistered, participant_id="part-mentor", person_id="p-lee"),
        example(
            ParticipantRegistered,
            participant_id="part-mentee",
            person_id="p-ana",
            role="mentee",
            capacity=0,
        ),
    ]
    before = [example(ProgramCreated), *registered, pair, _edge("p-ana", "p-boss", 1)]
    now = [*before, _edge("p-ana", "p-mid", 2), _edge("p-mid", "p-lee", 1)]
    assert reports.line_conflicts(_facts(_sealed(before))) == []
    for order in itertools.islice(itertools.permutations(now), 0, 720, 37):
        [conflict] = reports.line_conflicts(_facts(_sealed(order)))
        assert (conflict.pair_id, conflict.levels, conflict.mentor_manages_mentee) == (
            pair.pair_id,
            2,
            True,
        )
    deeper = [*now, _edge("p-mid", "p-other", 2), _edge("p-other", "p-lee", 1)]
    assert reports.line_conflicts(_facts(_sealed(deeper))) == [], (
        "three levels up: beyond the default depth 2"
    )


@pytest.mark.integration
async def test_the_service_answers_the_funnel_and_the_conflicts_from_the_stored_documents(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    """The reports read the invitations, participants, pairs and people as stored."""
    settings = make_settings(AnalyticsSettings)
    pair = example(
        PairCreated, mentor_participant_id="part-mentor", mentee_participant_id="part-mentee"
    )
    events = _sealed(
        [
            example(ProgramCreated),
            _invited("p-lee", "engineering", 0),
            _invited("p-ana", "design", 0),
            _invited("p-kim", "design", 1),
            example(ParticipantRegistered, participant_id="part-mentor", person_id="p-lee"),
            example(
                ParticipantRegistered,
                participant_id="part-mentee",
                person_id="p-ana",
                role="mentee",
                capacity=0,
            ),
            pair,
            _edge("p-ana", "p-lee", 1),
        ]
    )
    admin = bearer(DEV_ADMIN_TOKEN)
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def health() -> dict[str, Any]:
            response = await client.get(f"/v1/programs/{PROGRAM}/reports/health", headers=admin)
            return dict(response.json()) if response.status_code == 200 else {}

        found = await eventually(health, lambda h: bool(h.get("reporting_line_conflicts")))
        [conflict] = found["reporting_line_conflicts"]
        assert (conflict["pair_id"], conflict["levels"]) == (pair.pair_id, 1)
        registration = await client.get(
            f"/v1/programs/{PROGRAM}/reports/registration", headers=admin
        )
        funnel = registration.json()["invitations"]
        assert (funnel["invited"], funnel["registered"]) == (3, 2)
        assert funnel["by_department"] == [
            {"department": "design", "invited": 2, "registered": 1},
            {"department": "engineering", "invited": 1, "registered": 1},
        ]
