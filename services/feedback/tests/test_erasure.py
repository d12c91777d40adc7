"""Erasure is final: events about an erased participant that arrive late bring nothing back.

ParticipantErased travels on the participant topic, PairCreated and SessionCompleted on
others, so lag or a replay may deliver them after the erasure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually, stored_traces
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.erasure_guards import GUARDS as ERASED
from mentorship_kit.markers import stored_markers
from mentorship_kit.outbox import OUTBOX_COLLECTION

from .scenario import (
    ADMIN,
    EMPLOYEES,
    MENTEE,
    MENTOR,
    PROGRAM,
    SESSION,
    as_person,
    history,
    registration,
)

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]


async def consumed(database: Database, envelopes: Sequence[Envelope[IntegrationEvent]]) -> None:
    """Wait until feedback has processed every one of ``envelopes``."""
    wanted = {str(envelope.event_id) for envelope in envelopes}

    async def done() -> set[str]:
        markers = await stored_markers(database)
        return {marker["_id"].rsplit(":", 1)[-1] for marker in markers}

    await eventually(done, lambda seen: wanted <= seen)


async def test_late_pairs_sessions_and_registrations_of_an_erased_participant_are_not_kept(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    mentee_person = dev_person_id(EMPLOYEES[MENTEE])
    program, mentor_registered, mentee_registered, _, pair, held = history()
    erased = example(
        ParticipantErased, participant_id=MENTEE, program_id=PROGRAM, person_id=mentee_person
    )
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    database = mongo[settings.mongodb_database]
    try:
        async with serve_app(build_app(settings)) as client:

            async def publish(*events: IntegrationEvent) -> None:
                envelopes = await publish_events(
                    settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix
                )
                await consumed(database, envelopes)

            await publish(program, mentor_registered, mentee_registered, erased)
            # Delivered after the erasure: the pair, its held session, a replayed registration.
            await publish(pair, held, registration(MENTEE, "mentee"))

            mentee = as_person(EMPLOYEES[MENTEE])
            assert (await client.get("/v1/pairs/pair-1/goals", headers=mentee)).status_code == 404
            goal = {"topic": "promotion", "title": "Lead"}
            added = await client.post("/v1/pairs/pair-1/goals", headers=mentee, json=goal)
            assert added.status_code == 404
            terms = {"expectations": "x", "meeting_frequency": "y", "confidentiality": "z"}
            drafted = await client.put("/v1/pairs/pair-1/agreement", headers=mentee, json=terms)
            assert drafted.status_code == 404
            opening = await client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=ADMIN)
            assert opening.json()["error"] == "session_not_held"
            survey = {
                "growth_rating": 4,
                "relationship_rating": 5,
                "recommend_score": 9,
                "would_join_again": True,
            }
            answered = await client.post(
                f"/v1/programs/{PROGRAM}/surveys/mid_program", headers=mentee, json=survey
            )
            assert answered.status_code == 403
            mentor = as_person(EMPLOYEES[MENTOR])
            assert (await client.get("/v1/pairs/pair-1/goals", headers=mentor)).status_code == 404

        async for guard in database[ERASED].find():  # participants' ids, and erased or not
            assert set(guard) <= {"_id", "erased", "writes"}
            assert guard.get("erased", False) is (guard["_id"] == MENTEE)
        names = {MENTEE, mentee_person}
        assert await stored_traces(database, names, skip={OUTBOX_COLLECTION, ERASED}) == []
    finally:
        await mongo.close()
