"""Feedback opens on held sessions, for their participants only."""

from __future__ import annotations

import httpx
import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts.events import ParticipantErased, SessionCompleted
from mentorship_contracts.examples import MENTEE, MENTOR, example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from . import scenario

ADMIN = bearer(DEV_ADMIN_TOKEN)

pytestmark = pytest.mark.integration


async def test_held_sessions_open_feedback_until_a_participant_is_erased(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        assert (
            await client.get("/v1/sessions/sess-1/feedback-opening", headers=ADMIN)
        ).status_code == 409
        await publish_events(
            settings.kafka_bootstrap,
            [example(SessionCompleted)],
            prefix=settings.kafka_topic_prefix,
        )

        async def opening() -> httpx.Response:
            return await client.get("/v1/sessions/sess-1/feedback-opening", headers=ADMIN)

        opened = await eventually(opening, lambda response: response.status_code == 200)
        assert opened.json()["participant_ids"] == [MENTOR, MENTEE]

        await publish_events(
            settings.kafka_bootstrap,
            [example(ParticipantErased, participant_id=MENTEE)],
            prefix=settings.kafka_topic_prefix,
        )
        closed = await eventually(opening, lambda response: response.status_code == 409)
        assert closed.json()["error"] == "session_not_held"


async def test_only_the_sessions_members_and_admins_see_who_may_give_feedback(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    url = f"/v1/sessions/{scenario.SESSION}/feedback-opening"
    member = scenario.as_person(scenario.EMPLOYEES[scenario.MENTEE])
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, scenario.history(), prefix=settings.kafka_topic_prefix
        )
        opened = await eventually(
            lambda: client.get(url, headers=member), lambda response: response.status_code == 200
        )
        assert opened.json() == {
            "session_id": scenario.SESSION,
            "pair_id": "pair-1",
            "participant_ids": [scenario.MENTOR, scenario.MENTEE],
        }
        mentor = scenario.as_person(scenario.EMPLOYEES[scenario.MENTOR])
        assert (await client.get(url, headers=mentor)).status_code == 200
        assert (await client.get(url, headers=ADMIN)).status_code == 200

        loner = scenario.as_person(scenario.EMPLOYEES[scenario.LONER])
        for stranger in (scenario.as_person(scenario.OUTSIDER_EMPLOYEE), loner):
            refused = await client.get(url, headers=stranger)
            assert refused.status_code == 403
            for secret in ("pair-1", scenario.MENTOR, scenario.MENTEE):
                assert secret not in refused.text
