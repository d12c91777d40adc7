"""The registration report follows the participant events over Kafka."""

from __future__ import annotations

import httpx
import pytest

from analytics.app import build_app
from analytics.settings import AnalyticsSettings
from mentorship_contracts.events import (
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
)
from mentorship_contracts.examples import PROGRAM, example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually

pytestmark = pytest.mark.integration


async def test_report_counts_registrations_updates_and_withdrawals(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings)
    events = [
        example(ParticipantRegistered, participant_id="m1", role="mentor", capacity=2),
        example(ParticipantRegistered, participant_id="e1", role="mentee", capacity=0),
        example(ParticipantRegistered, participant_id="e2", role="mentee", capacity=0),
        example(ParticipantUpdated, participant_id="m1", role="both", capacity=3),
        example(ParticipantWithdrew, participant_id="e2"),
        example(ParticipantRegistered, participant_id="other", program_id="another-program"),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def report() -> dict[str, object]:
            response = await client.get(f"/v1/programs/{PROGRAM}/reports/registration")
            assert response.status_code == 200
            body: dict[str, object] = response.json()
            return body

        body = await eventually(report, lambda body: body["withdrawn"] == 1)
    assert body == {
        "program_id": PROGRAM,
        "participants": 2,
        "mentors": 0,
        "mentees": 1,
        "both": 1,
        "withdrawn": 1,
        "mentor_capacity": 3,
        "mentee_demand": 2,
    }


async def test_unknown_program_reports_zeros(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    async with serve_app(build_app(make_settings(AnalyticsSettings))) as client:
        response = await client.get("/v1/programs/nobody-here/reports/registration")
    assert response.status_code == 200
    assert response.json()["participants"] == 0


async def test_invalid_program_id_is_a_422(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    async with serve_app(build_app(make_settings(AnalyticsSettings))) as client:
        response: httpx.Response = await client.get("/v1/programs/bad%20id/reports/registration")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.program_id"
