"""The matching pool follows program and participant events."""

from __future__ import annotations

import pytest

from matching.app import build_app
from matching.settings import MatchingServiceSettings
from mentorship_contracts.events import (
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
)
from mentorship_contracts.examples import PROGRAM, example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)


async def test_pool_holds_registered_participants_until_they_leave(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(MatchingServiceSettings)
    events = [
        example(ProgramCreated),
        example(ParticipantRegistered, participant_id="m1"),
        example(ParticipantRegistered, participant_id="e1", role="mentee", capacity=0),
        example(ParticipantRegistered, participant_id="e2", role="mentee", capacity=0),
        example(ParticipantRegistered, participant_id="e3", role="mentee", capacity=0),
        example(ParticipantUpdated, participant_id="e1", role="both", capacity=1),
        example(ParticipantWithdrew, participant_id="e2"),
        example(ParticipantErased, participant_id="e3"),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def pool() -> dict[str, object]:
            body: dict[str, object] = (
                await client.get(f"/v1/programs/{PROGRAM}/pool", headers=ADMIN)
            ).json()
            return body

        body = await eventually(
            pool,
            lambda body: (
                body
                == {
                    "program_id": PROGRAM,
                    "mentors": 1,
                    "mentees": 0,
                    "both": 1,
                }
            ),
        )
    assert body["mentees"] == 0
