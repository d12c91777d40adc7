"""Registration -> matching (approved) -> scheduling's series -> a held session, over the broker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_contracts.events import SessionCompleted, SessionScheduled
from mentorship_contracts.topics import SESSIONS
from mentorship_contracts.types import utc_now
from mentorship_devstack.api import create_program, register
from mentorship_devstack.kafka_tools import read_topic
from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
STACK_SERVICES = ("registration", "matching", "scheduling")


async def test_an_approved_pair_gets_sessions_and_a_held_one_is_announced(
    stack: dict[str, ServiceProcess], infrastructure: Infrastructure, prefix: str
) -> None:
    def client(name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=stack[name].base_url, timeout=10.0)

    crowd = people(16, seed=5)
    employee_of: dict[str, str] = {}
    async with client("registration") as registration:
        today = utc_now().date()
        program_id = await create_program(
            registration,
            starts_on=(today - timedelta(days=7)).isoformat(),
            ends_on=(today + timedelta(days=120)).isoformat(),
            cadence="weekly",
        )
        for person in crowd:
            registered = await register(registration, program_id, person)
            employee_of[registered["participant_id"]] = person.employee_id

    async with client("matching") as matching:
        await eventually(
            lambda: matching.get(f"/v1/programs/{program_id}/pool", headers=ADMIN),
            lambda r: (
                r.status_code == 200 and r.json()["mentors"] + r.json()["mentees"] >= len(crowd) - 1
            ),
            timeout_s=30,
        )
        started = await matching.post(
            f"/v1/programs/{program_id}/matching-runs", headers=ADMIN, json={}
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]

        async def run() -> dict[str, Any]:
            body: dict[str, Any] = (
                await matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN)
            ).json()
            return body

        proposed = await eventually(run, lambda body: body["status"] == "proposed", timeout_s=60)
        assert proposed["summary"]["mentees_matched"] >= 1
        approved = await matching.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        assert approved.status_code == 202, approved.text
        pairs = await eventually(
            lambda: matching.get(f"/v1/programs/{program_id}/pairs", headers=ADMIN),
            lambda r: len(r.json()["pairs"]) == proposed["summary"]["mentees_matched"],
            timeout_s=60,
        )
    pair = pairs.json()["pairs"][0]
    mentee_token = bearer(participant_token(employee_of[pair["mentee_participant_id"]]))

    async with client("scheduling") as scheduling:
        series = await eventually(
            lambda: scheduling.get(f"/v1/pairs/{pair['pair_id']}/sessions", headers=mentee_token),
            lambda r: r.status_code == 200,
            timeout_s=30,
        )
        sessions = series.json()["sessions"]
        assert len(sessions) >= 10
        assert {m["participant_id"] for m in series.json()["members"]} == {
            pair["mentor_participant_id"],
            pair["mentee_participant_id"],
        }
        first = sessions[0]
        # The pair meets early: they move the first session to ten minutes from now and
        # record it as held when they start.
        soon = utc_now() + timedelta(minutes=10)
        moved = await scheduling.post(
            f"/v1/sessions/{first['session_id']}/reschedule",
            headers=mentee_token,
            json={"starts_at": soon.isoformat()},
        )
        assert moved.status_code == 200, moved.text
        held = await scheduling.post(
            f"/v1/sessions/{first['session_id']}/held",
            headers=mentee_token,
            json={"held_at": utc_now().isoformat(), "duration_minutes": 40},
        )
        assert held.status_code == 200, held.text

    records = await read_topic(
        infrastructure.kafka_bootstrap,
        f"{prefix}{SESSIONS.name}",
        until=lambda found: any(r.headers.get("ce_type") == "SessionCompleted" for r in found),
        timeout_s=30,
    )
    events = [decode(record.value).data for record in records]
    completed = [e for e in events if isinstance(e, SessionCompleted)]
    assert len(completed) == 1
    assert completed[0].session_id == first["session_id"]
    assert completed[0].pair_id == pair["pair_id"]
    assert completed[0].duration_minutes == 40
    assert set(completed[0].participant_ids) == {
        pair["mentor_participant_id"],
        pair["mentee_participant_id"],
    }
    scheduled = {e.session_id for e in events if isinstance(e, SessionScheduled)}
    assert first["session_id"] in scheduled
