"""The analytics service over the real broker: reports, CSV, access, erasure and metrics."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest

from analytics.app import build_app
from analytics.settings import AnalyticsSettings
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
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token

from .histories import PROGRAM as HISTORY_PROGRAM
from .histories import history
from .memory import project
from .test_projection_properties import all_reports

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
REPORTS = ("registration", "pairing", "sessions", "scores", "skills")
PROJECTED = r"^mentorship_analytics_events_projected_total (\S+)$"


async def test_reports_follow_the_events_and_match_the_projection(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings, analytics_gauge_interval_s=0.2)
    events = history(11).envelopes
    expected = {
        name: report.model_dump(mode="json")
        for name, report in all_reports(project(events, [len(events)])).items()
    }
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        # Redelivery: the same events again change nothing.
        await publish_events(
            settings.kafka_bootstrap, events[:40], prefix=settings.kafka_topic_prefix
        )

        async def reports() -> dict[str, Any]:
            found = {}
            for name in REPORTS:
                response = await client.get(
                    f"/v1/programs/{HISTORY_PROGRAM}/reports/{name}", headers=ADMIN
                )
                found[name] = response.json()
            return found

        got = await eventually(
            reports, lambda found: found == {n: expected[n] for n in REPORTS}, timeout_s=60
        )
        assert got["registration"]["participants"] == expected["registration"]["participants"]

        health = (
            await client.get(f"/v1/programs/{HISTORY_PROGRAM}/reports/health", headers=ADMIN)
        ).json()
        assert health["low_ratings"] == expected["health"]["low_ratings"]
        assert health["key_result"]["metric"] == "sessions_held_per_pair"

        exported = await client.get(
            f"/v1/programs/{HISTORY_PROGRAM}/reports/sessions.csv", headers=ADMIN
        )
        assert exported.headers["content-type"].startswith("text/csv")
        rows = dict(csv.reader(io.StringIO(exported.text)))
        assert rows["held"] == str(expected["sessions"]["held"])
        assert rows["funnel.rated_by_both"] == str(expected["sessions"]["funnel"]["rated_by_both"])

        unauthenticated = await client.get(f"/v1/programs/{HISTORY_PROGRAM}/reports/pairing")
        assert unauthenticated.status_code == 401
        participant = bearer(participant_token("e-1"))
        forbidden = await client.get(
            f"/v1/programs/{HISTORY_PROGRAM}/reports/pairing", headers=participant
        )
        assert forbidden.status_code == 403

        async def metrics() -> str:
            return (await client.get("/metrics")).text

        text = await eventually(
            metrics,
            lambda body: (
                f'analytics_sessions_held{{program="{HISTORY_PROGRAM}"}} '
                f"{float(expected['sessions']['held'])}" in body
            ),
        )
        assert 'analytics_participants{program="all"}' in text
        assert "analytics_projection_lag_seconds " in text
        assert "analytics_events_projected_total " in text


async def test_erased_people_leave_the_reports_their_csv_and_the_gauges(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings, analytics_gauge_interval_s=0.2)
    events = [
        example(ProgramCreated),
        example(ParticipantRegistered, participant_id="m1", role="mentor", capacity=2),
        example(ParticipantRegistered, participant_id="e1", role="mentee", capacity=0),
        example(ParticipantRegistered, participant_id="e2", role="mentee", capacity=0),
        example(ParticipantUpdated, participant_id="m1", role="both", capacity=3),
        example(ParticipantWithdrew, participant_id="e2"),
        example(ParticipantRegistered, participant_id="other", program_id="another-program"),
        example(ParticipantErased, participant_id="e1"),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def report(name: str) -> dict[str, Any]:
            response = await client.get(f"/v1/programs/{PROGRAM}/reports/{name}", headers=ADMIN)
            body: dict[str, Any] = response.json()
            return body

        async def projected() -> float:
            found = re.search(PROJECTED, (await client.get("/metrics")).text, re.MULTILINE)
            return float(found.group(1)) if found else 0.0

        await eventually(projected, lambda count: count >= len(events))
        body = await report("registration")
        # Only m1 is left in the program (as in matching's pool): e2 withdrew, e1 is erased.
        assert {k: body[k] for k in ("participants", "mentors", "mentees", "both")} == {
            "participants": 1,
            "mentors": 0,
            "mentees": 0,
            "both": 1,
        }
        assert body["mentor_capacity"] == 3
        assert body["mentee_demand"] == 1
        assert body["answers"]["seniority"] == {"senior": 1}
        assert sum(day["count"] for day in body["registrations_by_day"]) == 2
        pairing = await report("pairing")
        assert pairing["mentees"] == body["mentee_demand"]
        exported = await client.get(
            f"/v1/programs/{PROGRAM}/reports/registration.csv", headers=ADMIN
        )
        rows = dict(csv.reader(io.StringIO(exported.text)))
        assert (rows["participants"], rows["mentee_demand"]) == ("1", "1")

        async def metrics() -> str:
            return (await client.get("/metrics")).text

        await eventually(
            metrics,
            lambda text: (
                f'analytics_participants{{program="{PROGRAM}"}} 1.0' in text
                and 'analytics_participants{program="all"} 2.0' in text
            ),
        )

        zeros = await client.get("/v1/programs/nobody-here/reports/registration", headers=ADMIN)
        assert zeros.json()["participants"] == 0
        invalid: httpx.Response = await client.get(
            "/v1/programs/bad%20id/reports/registration", headers=ADMIN
        )
        assert invalid.status_code == 422
        assert invalid.json()["errors"][0]["field"] == "path.program_id"
