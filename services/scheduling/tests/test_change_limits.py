"""Members change sessions within the program's dates and their own rights; nothing else sticks."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

from .scenario import ADMIN, MENTEE_EMPLOYEE, as_person, history, series_of

pytestmark = pytest.mark.integration

PROGRAM_DAYS_LEFT = 120
"""`scenario.program` ends this many days from today."""


def refused_field(response: httpx.Response) -> str:
    """The one field a 422 names."""
    assert response.status_code == 422, response.text
    [problem] = response.json()["errors"]
    field: str = problem["field"]
    return field


async def test_changes_are_refused_outside_the_program_and_the_members_rights(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    mentee = as_person(MENTEE_EMPLOYEE)
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        sessions = (await series_of(client))["sessions"]
        now = utc_now()
        past = [s for s in sessions if datetime.fromisoformat(s["starts_at"]) < now]
        future = [
            s for s in sessions if datetime.fromisoformat(s["starts_at"]) > now + timedelta(hours=1)
        ]
        program_end = now.date() + timedelta(days=PROGRAM_DAYS_LEFT)

        # A start beyond the program's last day (plus 30 days), or beyond the calendar.
        pivot = future[0]["session_id"]
        for starts_at in (
            "9999-12-31T22:30:00Z",
            "9999-12-31T22:30:00-05:00",
            f"{program_end + timedelta(days=31)}T10:00:00+00:00",
        ):
            for scope in ("this", "following"):
                refused = await client.post(
                    f"/v1/sessions/{pivot}/reschedule",
                    headers=mentee,
                    json={"starts_at": starts_at, "scope": scope},
                )
                assert refused_field(refused) == "body.starts_at"
        # Within the grace period itself, but the following sessions would end up beyond it.
        shifted_out = await client.post(
            f"/v1/sessions/{pivot}/reschedule",
            headers=mentee,
            json={
                "starts_at": f"{program_end + timedelta(days=20)}T10:00:00Z",
                "scope": "following",
            },
        )
        assert refused_field(shifted_out) == "body.starts_at"
        assert "following" in shifted_out.json()["message"]

        # Marked held long before the session, or in the future.
        for held_at in (
            "2001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            (now + timedelta(hours=1)).isoformat(),
        ):
            refused = await client.post(
                f"/v1/sessions/{past[0]['session_id']}/held",
                headers=mentee,
                json={"held_at": held_at},
            )
            assert refused_field(refused) == "body.held_at"

        # Reasons reserved for admins and the system.
        for reason in ("admin_decision", "pair_ended", "program_ended"):
            refused = await client.post(
                f"/v1/sessions/{pivot}/cancel", headers=mentee, json={"reason": reason}
            )
            assert refused_field(refused) == "body.reason"

        # Nothing was stored, and every view of the pair still answers.
        unchanged = (await series_of(client))["sessions"]
        assert unchanged == sessions
        assert (await client.get(f"/v1/sessions/{pivot}", headers=mentee)).status_code == 200
        mine = await client.get("/v1/me/sessions", headers=mentee)
        assert mine.status_code == 200
        assert len(mine.json()["sessions"]) == len(sessions)
        feed = (await client.get("/v1/me/calendar", headers=mentee)).json()
        assert (await client.get("/" + feed["url"].split("/", 3)[3])).status_code == 200

        # What the rules allow still works.
        last = future[-1]["session_id"]
        slipped = await client.post(
            f"/v1/sessions/{last}/reschedule",
            headers=mentee,
            json={"starts_at": f"{program_end + timedelta(days=10)}T10:00:00Z"},
        )
        assert slipped.status_code == 200, slipped.text
        start = datetime.fromisoformat(past[0]["starts_at"])
        held = await client.post(
            f"/v1/sessions/{past[0]['session_id']}/held",
            headers=mentee,
            json={"held_at": (start - timedelta(minutes=10)).isoformat()},
        )
        assert held.status_code == 200, held.text
        by_admin = await client.post(
            f"/v1/sessions/{pivot}/cancel", headers=ADMIN, json={"reason": "admin_decision"}
        )
        assert by_admin.json()["cancel_reason"] == "admin_decision"
        by_mentee = await client.post(
            f"/v1/sessions/{future[1]['session_id']}/cancel",
            headers=mentee,
            json={"reason": "participant_request"},
        )
        assert by_mentee.json()["cancel_reason"] == "participant_request"
