"""Program managers in scheduling: a manager of program A sees A's series and gets 403 on B."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

from .scenario import (
    ADMIN,
    BERLIN,
    MENTEE,
    MENTEE_EMPLOYEE,
    MENTOR,
    MENTOR_EMPLOYEE,
    NEW_YORK,
    as_person,
    pair,
    participant,
    program,
    series_of,
)

pytestmark = pytest.mark.integration

OTHER = "prog-other"
MANAGER_A = as_person("pm-a")


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


async def test_a_manager_of_a_sees_a_and_is_refused_b(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings, planning_poll_s=0.2)
    now = utc_now()
    other_mentor = participant("b-mentor", MENTOR_EMPLOYEE, BERLIN, "mentor")
    other_mentee = participant("b-mentee", MENTEE_EMPLOYEE, NEW_YORK, "mentee")
    events = [
        program(now.date(), managers=(dev_person_id("pm-a"),)),
        program(now.date(), program_id=OTHER, managers=(dev_person_id("pm-b"),)),
        participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
        participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
        other_mentor.model_copy(update={"program_id": OTHER}),
        other_mentee.model_copy(update={"program_id": OTHER}),
        pair(now - timedelta(days=3)),
        pair(
            now - timedelta(days=3),
            pair_id="pair-b",
            program_id=OTHER,
            mentor_participant_id="b-mentor",
            mentee_participant_id="b-mentee",
        ),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await series_of(client, "pair-1")
        other_series = await series_of(client, "pair-b")

        assert (await client.get("/v1/pairs/pair-1", headers=MANAGER_A)).status_code == 200
        _forbidden(await client.get("/v1/pairs/pair-b", headers=MANAGER_A))
        series = await client.get("/v1/pairs/pair-1/sessions", headers=MANAGER_A)
        assert series.status_code == 200, series.text
        _forbidden(await client.get("/v1/pairs/pair-b/sessions", headers=MANAGER_A))

        mine = series.json()["sessions"][0]["session_id"]
        theirs = other_series["sessions"][0]["session_id"]
        assert (await client.get(f"/v1/sessions/{mine}", headers=MANAGER_A)).status_code == 200
        _forbidden(await client.get(f"/v1/sessions/{theirs}", headers=MANAGER_A))
        _forbidden(await client.post(f"/v1/sessions/{theirs}/cancel", headers=MANAGER_A))

        # A person's sessions: only those in the programs the caller manages.
        in_a = await client.get(f"/v1/participants/{MENTEE}/sessions", headers=MANAGER_A)
        assert in_a.status_code == 200, in_a.text
        assert in_a.json()["sessions"]
        in_b = await client.get("/v1/participants/b-mentee/sessions", headers=MANAGER_A)
        assert in_b.json()["sessions"] == []
        everything = await client.get("/v1/participants/b-mentee/sessions", headers=ADMIN)
        assert everything.json()["sessions"]
        _forbidden(
            await client.get(f"/v1/participants/{MENTEE}/sessions", headers=as_person("nobody"))
        )

        # The program's managers list follows the program's updates.
        handed_on = program(now.date(), program_id=OTHER, managers=(dev_person_id("pm-a"),))
        await publish_events(
            settings.kafka_bootstrap,
            [handed_on.model_copy(update={"created_at": now + timedelta(seconds=1)})],
            prefix=settings.kafka_topic_prefix,
        )
        await eventually(
            lambda: client.get("/v1/pairs/pair-b", headers=MANAGER_A),
            lambda response: response.status_code == 200,
        )
