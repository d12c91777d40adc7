"""Scheduling learns pairs from matching's events."""

from __future__ import annotations

import httpx
import pytest

from mentorship_contracts.events import PairCreated, PairEnded, ParticipantErased
from mentorship_contracts.examples import MENTEE, example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

pytestmark = pytest.mark.integration


async def test_pairs_are_known_ended_and_erased(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [
                example(PairCreated, pair_id="pair-a"),
                example(PairCreated, pair_id="pair-b", mentee_participant_id="someone-else"),
                example(PairEnded, pair_id="pair-b"),
            ],
            prefix=settings.kafka_topic_prefix,
        )

        async def pair(pair_id: str) -> httpx.Response:
            return await client.get(f"/v1/pairs/{pair_id}", headers=bearer(DEV_ADMIN_TOKEN))

        ended = await eventually(
            lambda: pair("pair-b"),
            lambda response: response.status_code == 200 and not response.json()["active"],
        )
        assert ended.json()["program_id"] == example(PairCreated).program_id
        assert (await pair("pair-a")).json()["active"] is True

        await publish_events(
            settings.kafka_bootstrap,
            [example(ParticipantErased, participant_id=MENTEE)],
            prefix=settings.kafka_topic_prefix,
        )
        gone = await eventually(lambda: pair("pair-a"), lambda r: r.status_code == 404)
        assert gone.json()["error"] == "pair_not_found"
        assert (await pair("pair-b")).status_code == 200
