"""Program managers in matching: a manager of program A runs A's matching and gets 403 on B."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from matching.app import build_app
from matching.settings import MatchingServiceSettings
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
MANAGER_A = bearer(participant_token("pm-a"))
Json = dict[str, Any]


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


async def _approved(client: httpx.AsyncClient, run_id: str, headers: dict[str, str]) -> Json:
    async def read() -> Json:
        body: Json = (await client.get(f"/v1/matching-runs/{run_id}", headers=headers)).json()
        return body

    return await eventually(read, lambda body: body["status"] == "approved", timeout_s=30)


async def test_a_manager_of_a_matches_a_and_is_refused_b(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(
        MatchingServiceSettings, matching_worker_poll_s=0.1, matching_time_limit_s=20
    )
    events = [
        program(program_id="prog-a", auto_approve_matches=False, managers=(dev_person_id("pm-a"),)),
        program(program_id="prog-b", auto_approve_matches=True, managers=(dev_person_id("pm-b"),)),
        person("a-mentor", MENTOR, capacity=1, program_id="prog-a"),
        person("a-mentee", MENTEE, program_id="prog-a"),
        person("b-mentor", MENTOR, capacity=1, program_id="prog-b"),
        person("b-mentee", MENTEE, program_id="prog-b"),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def pool(program_id: str) -> Json:
            response = await client.get(f"/v1/programs/{program_id}/pool", headers=MANAGER_A)
            body: Json = {"status": response.status_code} | response.json()
            return body

        # The managers list arrives with the program's event: A opens to its manager.
        await eventually(lambda: pool("prog-a"), lambda b: b["status"] == 200 and b["mentees"])
        _forbidden(await client.get("/v1/programs/prog-b/pool", headers=MANAGER_A))

        _forbidden(
            await client.post("/v1/programs/prog-b/matching-runs", json={}, headers=MANAGER_A)
        )
        _forbidden(await client.get("/v1/programs/prog-b/matching-runs", headers=MANAGER_A))
        started = await client.post("/v1/programs/prog-a/matching-runs", json={}, headers=MANAGER_A)
        assert started.status_code == 202, started.text
        assert started.json()["requested_by"] == "pm-a"
        await eventually(
            lambda: client.get(f"/v1/matching-runs/{started.json()['run_id']}", headers=MANAGER_A),
            lambda r: r.json()["status"] == "proposed",
            timeout_s=30,
        )
        approving = await client.post(
            f"/v1/matching-runs/{started.json()['run_id']}/approve", headers=MANAGER_A
        )
        assert approving.status_code == 202, approving.text

        # B's run, started by an admin: its manager-of-A is refused every view of it.
        other = await client.post("/v1/programs/prog-b/matching-runs", json={}, headers=ADMIN)
        b_run = other.json()["run_id"]
        await _approved(client, b_run, ADMIN)
        for path in (
            "",
            "/proposal",
            "/why-not?mentee_participant_id=b-mentee&mentor_participant_id=b-mentor",
        ):
            _forbidden(await client.get(f"/v1/matching-runs/{b_run}{path}", headers=MANAGER_A))
        _forbidden(await client.post(f"/v1/matching-runs/{b_run}/approve", headers=MANAGER_A))

        await _approved(client, started.json()["run_id"], MANAGER_A)
        a_pairs = (await client.get("/v1/programs/prog-a/pairs", headers=MANAGER_A)).json()
        a_pair = a_pairs["pairs"][0]["pair_id"]
        assert (await client.get(f"/v1/pairs/{a_pair}", headers=MANAGER_A)).status_code == 200
        _forbidden(await client.get("/v1/programs/prog-b/pairs", headers=MANAGER_A))

        async def b_pairs() -> Json:
            body: Json = (await client.get("/v1/programs/prog-b/pairs", headers=ADMIN)).json()
            return body

        b_pair = (await eventually(b_pairs, lambda b: b["pairs"]))["pairs"][0]["pair_id"]
        _forbidden(await client.get(f"/v1/pairs/{b_pair}", headers=MANAGER_A))
        _forbidden(await client.post(f"/v1/pairs/{b_pair}/end", json={}, headers=MANAGER_A))
        assert (await client.get(f"/v1/pairs/{b_pair}", headers=ADMIN)).json()["status"] == "active"

        # Someone who manages nothing is refused even the program's own pages.
        someone = bearer(participant_token("someone"))
        _forbidden(await client.get("/v1/programs/prog-a/pool", headers=someone))
