"""Program managers in analytics: a manager of program A reads A's reports, 403 on B's."""

from __future__ import annotations

import httpx
import pytest

from analytics.app import build_app
from analytics.settings import AnalyticsSettings
from mentorship_contracts.events import ProgramCreated
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import bearer, dev_person_id, participant_token

pytestmark = pytest.mark.integration

MANAGER_A = bearer(participant_token("pm-a"))
REPORTS = ("registration", "pairing", "sessions", "scores", "skills", "health", "sessions.csv")


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


async def test_a_manager_of_a_reads_a_and_is_refused_b(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings)
    events = [
        example(ProgramCreated, program_id="prog-a", managers=(dev_person_id("pm-a"),)),
        example(ProgramCreated, program_id="prog-b", managers=(dev_person_id("pm-b"),)),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await eventually(
            lambda: client.get("/v1/programs/prog-a/reports/registration", headers=MANAGER_A),
            lambda response: response.status_code == 200,
        )
        for name in REPORTS:
            mine = await client.get(f"/v1/programs/prog-a/reports/{name}", headers=MANAGER_A)
            assert mine.status_code == 200, (name, mine.text)
            _forbidden(await client.get(f"/v1/programs/prog-b/reports/{name}", headers=MANAGER_A))
        # The identity provider's role names a program without any list.
        scoped = bearer(participant_token("pm-x", roles=("mentorship-program-manager:prog-b",)))
        assert (
            await client.get("/v1/programs/prog-b/reports/health", headers=scoped)
        ).status_code == 200
        _forbidden(await client.get("/v1/programs/prog-a/reports/health", headers=scoped))
