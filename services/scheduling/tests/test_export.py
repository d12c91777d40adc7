"""The right of access: `GET /v1/me/export` gives a person everything scheduling holds on them."""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

from .scenario import (
    ADMIN,
    MENTEE,
    MENTEE_EMPLOYEE,
    MENTOR,
    MENTOR_EMPLOYEE,
    NEW_YORK,
    OUTSIDER_EMPLOYEE,
    PROGRAM,
    as_person,
    history,
    series_of,
)

pytestmark = pytest.mark.integration

SECTIONS = {"registrations", "series", "sessions", "calendar_feed"}


async def test_a_member_exports_their_registrations_series_sessions_and_feed(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    mentee = as_person(MENTEE_EMPLOYEE)
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        series = await series_of(client)
        assert (await client.get("/v1/me/calendar", headers=mentee)).status_code == 200

        response = await client.get("/v1/me/export", headers=mentee)
        assert response.status_code == 200, response.text
        export: dict[str, Any] = response.json()
        assert export["service"] == "scheduling"
        assert export["subject"] == {
            "person_id": dev_person_id(MENTEE_EMPLOYEE),
            "participant_ids": [MENTEE],
        }
        sections = export["sections"]
        assert set(sections) == SECTIONS
        assert all(section["description"] for section in sections.values())
        (registration,) = sections["registrations"]["items"]
        assert (registration["program_id"], registration["time_zone"]) == (PROGRAM, NEW_YORK)
        (member,) = sections["series"]["items"]
        assert (member["series_id"], member["role"]) == ("pair-1", "mentee")
        assert member["other_participant_ids"] == [MENTOR]
        exported = [s["session_id"] for s in sections["sessions"]["items"]]
        assert exported == [s["session_id"] for s in series["sessions"]]
        (feed,) = sections["calendar_feed"]["items"]
        assert set(feed) == {"created_at"}, "the feed's secret is not repeated"

        mentor = (await client.get("/v1/me/export", headers=as_person(MENTOR_EMPLOYEE))).json()
        assert mentor["sections"]["calendar_feed"]["items"] == []
        assert mentor["sections"]["series"]["items"][0]["role"] == "mentor"
        stranger = (await client.get("/v1/me/export", headers=as_person(OUTSIDER_EMPLOYEE))).json()
        assert all(not section["items"] for section in stranger["sections"].values())
        assert (await client.get("/v1/me/export", headers=ADMIN)).status_code == 403
        assert (await client.get("/v1/me/export")).status_code == 401

        erased = example(
            ParticipantErased,
            participant_id=MENTEE,
            program_id=PROGRAM,
            person_id=dev_person_id(MENTEE_EMPLOYEE),
        )
        await publish_events(settings.kafka_bootstrap, [erased], prefix=settings.kafka_topic_prefix)

        async def after() -> dict[str, Any]:
            body: dict[str, Any] = (await client.get("/v1/me/export", headers=mentee)).json()
            return body

        gone = await eventually(after, lambda body: not body["sections"]["registrations"]["items"])
        assert all(not section["items"] for section in gone["sections"].values()), gone
