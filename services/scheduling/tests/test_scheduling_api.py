"""Scheduling over the real broker and database: series, changes, access, feeds, pair ends."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mentorship_contracts import decode
from mentorship_contracts.events import (
    PairEnded,
    ParticipantErased,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_contracts.examples import example
from mentorship_contracts.topics import SESSIONS
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events, read_topic
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
    OUTSIDER_EMPLOYEE,
    PROGRAM,
    as_person,
    history,
    series_of,
)

pytestmark = pytest.mark.integration


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_a_pair_gets_a_weekly_series_its_members_can_change(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings, reminder_poll_s=0.2)
    mentee, mentor, outsider = (
        as_person(MENTEE_EMPLOYEE),
        as_person(MENTOR_EMPLOYEE),
        as_person(OUTSIDER_EMPLOYEE),
    )
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        series = await series_of(client)
        sessions = series["sessions"]
        now = utc_now()

        # The series: weekly, at one Berlin wall-clock time (across the October DST change),
        # shown in both zones, until the program ends.
        assert series["time_zone"] == BERLIN
        starts = [parse_time(s["starts_at"]) for s in sessions]
        assert all(
            b - a in {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1)}
            for a, b in itertools.pairwise(starts)
        )
        berlin = {start.astimezone(ZoneInfo(BERLIN)).time() for start in starts}
        assert len(berlin) == 1
        first = sessions[0]
        assert set(first["local_starts_at"]) == {MENTOR, MENTEE}
        assert parse_time(first["local_starts_at"][MENTEE]).utcoffset() in {
            timedelta(hours=-5),
            timedelta(hours=-4),
        }
        past = [s for s in sessions if parse_time(s["starts_at"]) < now]
        future = [s for s in sessions if parse_time(s["starts_at"]) > now + timedelta(hours=1)]
        assert len(past) >= 3
        assert len(future) >= 10

        # Access: members and admins only; nothing changes for an outsider.
        assert (await client.get("/v1/pairs/pair-1/sessions", headers=outsider)).status_code == 403
        refused = await client.post(f"/v1/sessions/{past[0]['session_id']}/held", headers=outsider)
        assert refused.status_code == 403
        assert (await client.get("/v1/pairs/pair-1/sessions", headers=mentee)).status_code == 200
        assert (await client.post("/v1/sessions/nope.s001/held", headers=mentee)).status_code == 404

        # Held once, missed once; the past cannot move.
        held = await client.post(
            f"/v1/sessions/{past[0]['session_id']}/held",
            headers=mentee,
            json={"duration_minutes": 50},
        )
        assert held.status_code == 200, held.text
        assert held.json()["status"] == "held"
        assert held.json()["held_minutes"] == 50
        again = await client.post(f"/v1/sessions/{past[0]['session_id']}/held", headers=mentor)
        assert again.status_code == 409
        assert again.json()["error"] == "already_held"
        missed = await client.post(f"/v1/sessions/{past[1]['session_id']}/missed", headers=mentor)
        assert missed.json()["status"] == "missed"
        moved_past = await client.post(
            f"/v1/sessions/{past[2]['session_id']}/reschedule",
            headers=mentee,
            json={"starts_at": (now + timedelta(days=1)).isoformat()},
        )
        assert moved_past.status_code == 409
        assert moved_past.json()["error"] == "session_in_past"
        early = await client.post(f"/v1/sessions/{future[0]['session_id']}/held", headers=mentee)
        assert early.json()["error"] == "session_in_future"
        naive = await client.post(
            f"/v1/sessions/{future[0]['session_id']}/reschedule",
            headers=mentee,
            json={"starts_at": "2030-01-01T10:00:00"},
        )
        assert naive.status_code == 422
        assert "starts_at" in naive.text

        # Reschedule one session, then the rest of the series by the same wall-clock shift.
        one = future[0]
        new_start = parse_time(one["starts_at"]) + timedelta(days=1, hours=2)
        moved = await client.post(
            f"/v1/sessions/{one['session_id']}/reschedule",
            headers=mentee,
            json={"starts_at": new_start.isoformat()},
        )
        assert moved.status_code == 200, moved.text
        assert [parse_time(s["starts_at"]) for s in moved.json()["sessions"]] == [new_start]
        assert moved.json()["sessions"][0]["version"] == 1
        pivot = future[1]
        pivot_local = parse_time(pivot["starts_at"]).astimezone(ZoneInfo(BERLIN))
        shifted = pivot_local + timedelta(hours=1)
        rest = await client.post(
            f"/v1/sessions/{pivot['session_id']}/reschedule",
            headers=mentor,
            json={"starts_at": shifted.isoformat(), "scope": "following"},
        )
        assert rest.status_code == 200, rest.text
        rest_sessions = rest.json()["sessions"]
        assert len(rest_sessions) == len(future) - 1
        later_local = {
            parse_time(s["starts_at"]).astimezone(ZoneInfo(BERLIN)).time() for s in rest_sessions
        }
        assert later_local == {shifted.time()}

        # Cancel one; it cannot be cancelled twice.
        cancel = await client.post(f"/v1/sessions/{future[2]['session_id']}/cancel", headers=mentee)
        assert cancel.json()["status"] == "cancelled"
        assert cancel.json()["cancel_reason"] == "participant_request"
        twice = await client.post(f"/v1/sessions/{future[2]['session_id']}/cancel", headers=mentee)
        assert twice.json()["error"] == "session_cancelled"

        # The mentee's own view and calendar feed.
        mine = (await client.get("/v1/me/sessions", headers=mentee)).json()["sessions"]
        assert len(mine) == len(sessions)
        feed = (await client.get("/v1/me/calendar", headers=mentee)).json()
        assert feed["webcal_url"].startswith("webcal://")
        path = "/" + feed["url"].split("/", 3)[3]
        response = await client.get(path)
        assert response.headers["content-type"].startswith("text/calendar")
        events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
        assert len(events) == len(sessions)
        moved_event = events[f"{one['session_id']}@scheduling.mentorship"]
        assert int(str(moved_event["SEQUENCE"])) == 1
        assert moved_event.decoded("DTSTART") == new_start
        assert str(events[f"{future[2]['session_id']}@scheduling.mentorship"]["STATUS"]) == (
            "CANCELLED"
        )
        assert "Scheduling pilot" in str(moved_event["SUMMARY"])

        rotated = (await client.post("/v1/me/calendar/rotate", headers=mentee)).json()
        assert rotated["url"] != feed["url"]
        assert (await client.get(path)).status_code == 404
        assert (await client.get("/v1/me/calendar", headers=ADMIN)).status_code == 403
        # Someone this service knows nothing of gets no feed (and leaves no trace).
        outsider = as_person(OUTSIDER_EMPLOYEE)
        assert (await client.get("/v1/me/calendar", headers=outsider)).status_code == 404
        assert (await client.post("/v1/me/calendar/rotate", headers=outsider)).status_code == 404

        # The pair ends: every future session is cancelled; what happened stays.
        await publish_events(
            settings.kafka_bootstrap,
            [example(PairEnded, pair_id="pair-1", program_id=PROGRAM, ended_at=utc_now())],
            prefix=settings.kafka_topic_prefix,
        )

        async def ended() -> dict[str, Any]:
            body: dict[str, Any] = (
                await client.get("/v1/pairs/pair-1/sessions", headers=ADMIN)
            ).json()
            return body

        after = await eventually(ended, lambda body: body["ended"])
        by_id = {s["session_id"]: s for s in after["sessions"]}
        assert by_id[past[0]["session_id"]]["status"] == "held"
        assert by_id[past[1]["session_id"]]["status"] == "missed"
        assert all(by_id[s["session_id"]]["status"] == "cancelled" for s in future)
        assert by_id[future[3]["session_id"]]["cancel_reason"] == "pair_ended"

        # Erasing the mentee removes them from every session and their feed.
        await publish_events(
            settings.kafka_bootstrap,
            [
                example(
                    ParticipantErased,
                    participant_id=MENTEE,
                    program_id=PROGRAM,
                    person_id=dev_person_id(MENTEE_EMPLOYEE),
                )
            ],
            prefix=settings.kafka_topic_prefix,
        )

        async def mentee_sessions() -> list[Any]:
            body = (await client.get(f"/v1/participants/{MENTEE}/sessions", headers=ADMIN)).json()
            sessions_left: list[Any] = body["sessions"]
            return sessions_left

        await eventually(mentee_sessions, lambda found: found == [])
        feed_after = await client.get("/" + rotated["url"].split("/", 3)[3])
        assert feed_after.status_code == 404
        remaining = await ended()
        assert all(MENTEE not in s["participant_ids"] for s in remaining["sessions"])
        assert all(MENTEE not in m["participant_id"] for m in remaining["members"])

    records = await read_topic(
        settings.kafka_bootstrap,
        f"{settings.kafka_topic_prefix}{SESSIONS.name}",
        until=lambda found: len(found) >= len(sessions) + 20,
    )
    events_by_type: dict[type, list[Any]] = {}
    for record in records:
        data = decode(record.value).data
        events_by_type.setdefault(type(data), []).append(data)
    assert len(events_by_type[SessionScheduled]) == len(sessions)
    completed = events_by_type[SessionCompleted]
    assert [(e.session_id, e.duration_minutes) for e in completed] == [(past[0]["session_id"], 50)]
    assert completed[0].participant_ids == (MENTOR, MENTEE)
    assert [e.session_id for e in events_by_type[SessionMissed]] == [past[1]["session_id"]]
    assert len(events_by_type[SessionRescheduled]) == len(future)
    reasons = [e.reason.value for e in events_by_type[SessionCancelled]]
    assert reasons.count("participant_request") == 1
    assert reasons.count("pair_ended") == len(future) - 1
