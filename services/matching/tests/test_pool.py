"""The matching pool follows program and participant events."""

from __future__ import annotations

from typing import Any

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

        async def pool() -> dict[str, Any]:
            body: dict[str, Any] = (
                await client.get(f"/v1/programs/{PROGRAM}/pool", headers=ADMIN)
            ).json()
            return body

        body = await eventually(
            pool,
            lambda body: (
                (body.get("mentors"), body.get("mentees"), body.get("both")) == (1, 0, 1)
                and len(body["participants"]) == 2  # counts and page are read one after the other
            ),
        )
        assert body["program_id"] == PROGRAM
        listed = {entry["participant_id"]: entry for entry in body["participants"]}
        assert set(listed) == {"m1", "e1"}
        assert listed["e1"]["role"] == "both"
        assert listed["e1"]["capacity"] == 1
        assert listed["m1"]["profile"]["languages"]
        assert listed["m1"]["waiting"] is True
        assert listed["m1"]["room"] == listed["m1"]["capacity"]
        assert body["next_after"] is None

        first = (await client.get(f"/v1/programs/{PROGRAM}/pool?limit=1", headers=ADMIN)).json()
        assert [entry["participant_id"] for entry in first["participants"]] == ["e1"]
        assert first["next_after"] == "e1"
        second = (
            await client.get(f"/v1/programs/{PROGRAM}/pool?limit=1&after=e1", headers=ADMIN)
        ).json()
        assert [entry["participant_id"] for entry in second["participants"]] == ["m1"]
        counts = (await client.get(f"/v1/programs/{PROGRAM}/pool?limit=0", headers=ADMIN)).json()
        assert (counts["mentors"], counts["mentees"], counts["both"]) == (1, 0, 1)
        assert (counts["participants"], counts["next_after"]) == ([], None), "the counts alone"
        mentors = (
            await client.get(f"/v1/programs/{PROGRAM}/pool?role=mentor", headers=ADMIN)
        ).json()
        assert [entry["participant_id"] for entry in mentors["participants"]] == ["m1"]
        assert mentors["mentors"] == 1, "the counts cover the whole pool"
