"""A pair scheduling knows of but has not planned yet answers "being planned" (202), not 404."""

from __future__ import annotations

from datetime import timedelta

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
    OUTSIDER_EMPLOYEE,
    as_person,
    pair,
    participant,
    program,
    series_of,
)

pytestmark = pytest.mark.integration

MENTEE_2, MENTEE_2_EMPLOYEE = "part-mentee-2", "e-mentee-2"


async def test_a_pair_waiting_for_its_series_is_being_planned_until_it_is(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings, planning_poll_s=0.2)
    now = utc_now()
    async with serve_app(build_app(settings)) as client:
        # The pairs arrive before their program (they travel on different topics).
        await publish_events(
            settings.kafka_bootstrap,
            [
                participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
                participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
                participant(MENTEE_2, MENTEE_2_EMPLOYEE, NEW_YORK, "mentee"),
                pair(now - timedelta(days=1)),
                pair(
                    now - timedelta(days=1),
                    "pair-g1",
                    group_id="group-1",
                    mentee_participant_id=MENTEE_2,
                    mentee_person_id=dev_person_id(MENTEE_2_EMPLOYEE),
                ),
            ],
            prefix=settings.kafka_topic_prefix,
        )
        known = await eventually(
            lambda: client.get("/v1/pairs/pair-g1", headers=ADMIN),
            lambda response: response.status_code == 200,
        )
        assert known.json()["planned"] is False

        waiting = await client.get("/v1/pairs/pair-1/sessions", headers=ADMIN)
        assert waiting.status_code == 202, waiting.text
        assert int(waiting.headers["retry-after"]) > 0
        body = waiting.json()
        assert body["status"] == "being_planned"
        assert body["sessions"] == []
        assert {(m["participant_id"], m["role"]) for m in body["members"]} == {
            (MENTOR, "mentor"),
            (MENTEE, "mentee"),
        }
        mentee = as_person(MENTEE_EMPLOYEE)
        assert (await client.get("/v1/pairs/pair-1/sessions", headers=mentee)).status_code == 202
        outsider = as_person(OUTSIDER_EMPLOYEE)
        refused = await client.get("/v1/pairs/pair-1/sessions", headers=outsider)
        assert refused.status_code == 403
        assert (await client.get("/v1/pairs/nope/sessions", headers=ADMIN)).status_code == 404
        # A group's series is asked for by the group's id, as once it is planned.
        group = await client.get("/v1/pairs/group-1/sessions", headers=ADMIN)
        assert group.status_code == 202
        assert group.json()["pair_id"] == "group-1"
        assert (await client.get("/v1/pairs/pair-g1/sessions", headers=ADMIN)).status_code == 404

        # The program arrives: the waiting pairs are planned.
        await publish_events(
            settings.kafka_bootstrap, [program(now.date())], prefix=settings.kafka_topic_prefix
        )
        planned = await series_of(client)
        assert planned["status"] == "planned"
        assert len(planned["sessions"]) >= 10
        assert (await series_of(client, "group-1"))["status"] == "planned"
        assert (await client.get("/v1/pairs/pair-1", headers=ADMIN)).json()["planned"] is True
