"""Reminders fire exactly once per session and lead time: two replicas, one restarted midway."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest

from mentorship_contracts import decode
from mentorship_contracts.events import SessionReminderDue
from mentorship_contracts.topics import SESSIONS
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import RawRecord, publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

from .scenario import ADMIN, history

pytestmark = pytest.mark.integration

LEADS = (1440, 1)
"""A day ahead (already overdue when the session moves close) and one minute ahead."""
SESSIONS_MOVED = 4


async def test_each_reminder_is_sent_once_across_replicas_and_a_restart(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(
        SchedulingSettings,
        reminder_leads_minutes=",".join(map(str, LEADS)),
        reminder_poll_s=0.1,
        reminder_batch_size=2,
    )
    async with serve_app(build_app(settings)) as first:
        await publish_events(
            settings.kafka_bootstrap, history(paired_days_ago=3), prefix=settings.kafka_topic_prefix
        )
        series = await eventually(
            lambda: first.get("/v1/pairs/pair-1/sessions", headers=ADMIN),
            lambda r: r.status_code == 200 and len(r.json()["sessions"]) > SESSIONS_MOVED,
        )
        now = utc_now()
        # Sessions more than a day (and a margin) away: none of their reminders for the time
        # they were planned at falls due before they move. A session moved after its day-ahead
        # reminder was sent is reminded again of its new time (another reminder, another
        # event id), which is not what this test counts; which sessions lie within a day
        # depends on the hour of the week the test runs at.
        far = (now + timedelta(days=1, hours=1)).isoformat()
        upcoming = [s for s in series.json()["sessions"] if s["starts_at"] > far]
        moved = upcoming[:SESSIONS_MOVED]
        assert len(moved) == SESSIONS_MOVED, series.json()["sessions"]
        # Each moved session starts 70-85 s from now: its one-day reminder is overdue (sent at
        # once), its one-minute reminder falls due 10-25 s from now.
        for index, session in enumerate(moved):
            starts_at = now + timedelta(seconds=70 + 5 * index)
            response = await first.post(
                f"/v1/sessions/{session['session_id']}/reschedule",
                headers=ADMIN,
                json={"starts_at": starts_at.isoformat()},
            )
            assert response.status_code == 200, response.text

        async with serve_app(build_app(settings)):
            # Two replicas race for the same reminders; then the second one restarts.
            await asyncio.sleep(8)
        expected = {(s["session_id"], lead) for s in moved for lead in LEADS}
        async with serve_app(build_app(settings)):
            records = await read_topic(
                settings.kafka_bootstrap,
                f"{settings.kafka_topic_prefix}{SESSIONS.name}",
                until=lambda found: expected <= set(_sent(found)),
                timeout_s=60,
            )
            await asyncio.sleep(2)  # anything duplicated would arrive by now
    # Read the topic again, whole: what arrived after the first reading ended, and nothing less
    # (on a loaded machine reading it from the beginning has taken more than ten seconds).
    first_reading = len(records)
    records = await read_topic(
        settings.kafka_bootstrap,
        f"{settings.kafka_topic_prefix}{SESSIONS.name}",
        until=lambda found: len(found) >= first_reading,
        timeout_s=60,
    )
    assert len(records) >= first_reading, f"read {len(records)} of {first_reading} records back"
    reminders = [
        data
        for data in (decode(r.value).data for r in records)
        if isinstance(data, SessionReminderDue)
    ]
    sent = _sent(records)
    moved_ids = {session_id for session_id, _ in expected}
    assert {key for key in sent if key[0] in moved_ids} == expected
    assert all(count == 1 for count in sent.values()), sent  # the moved ones, and any other
    for reminder in reminders:
        assert reminder.due_at <= reminder.starts_at
        assert reminder.participant_ids


def _sent(records: Sequence[RawRecord]) -> Counter[tuple[str, int]]:
    """How many times each (session, lead time) reminder is on the topic."""
    return Counter(
        (data.session_id, data.lead_minutes)
        for data in (
            decode(r.value).data
            for r in records
            if r.headers.get("ce_type") == "SessionReminderDue"
        )
        if isinstance(data, SessionReminderDue)
    )
