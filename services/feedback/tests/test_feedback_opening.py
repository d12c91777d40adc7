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
