"""Program managers in registration: a manager of program A runs A and gets 403 on B."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_contracts.events import ProgramCreated, ProgramUpdated
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token
from mentorship_kit.mongo import MongoClient, create_client
from mentorship_kit.outbox import Outbox
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
MANAGER_A = bearer(participant_token("pm-a"))
PARTICIPANT = bearer(participant_token("someone"))


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings)


@pytest.fixture
async def client(
    settings: RegistrationSettings, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(settings)) as client:
        yield client


async def _program(client: httpx.AsyncClient, headers: dict[str, str], **changes: Any) -> str:
    response = await client.post("/v1/programs", json=program_settings(**changes), headers=headers)
    assert response.status_code == 201, response.text
    program_id: str = response.json()["program_id"]
    return program_id


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"
    assert response.json()["message"]


async def test_a_manager_of_a_runs_a_and_is_refused_b(client: httpx.AsyncClient) -> None:
    a = await _program(client, ADMIN, name="A", managers=["pm-a"])
    b = await _program(client, ADMIN, name="B", managers=["pm-b"])

    renamed = await client.patch(f"/v1/programs/{a}", json={"name": "A2"}, headers=MANAGER_A)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "A2"
    _forbidden(await client.patch(f"/v1/programs/{b}", json={"name": "B2"}, headers=MANAGER_A))

    for path in ("registrations", "launch", "access", "invitations", "questionnaire/versions"):
        assert (await client.get(f"/v1/programs/{a}/{path}", headers=MANAGER_A)).status_code == 200
        _forbidden(await client.get(f"/v1/programs/{b}/{path}", headers=MANAGER_A))
    csv = "employee_id,name,email,role\ne-1,Ada,ada@example.com,mentee\n"
    _forbidden(
        await client.post(
            f"/v1/programs/{b}/registrations/import",
            content=csv,
            headers=MANAGER_A | {"content-type": "text/csv"},
        )
    )
    # A manager registers someone in their program, not in another one.
    someone = {"employee_id": "e-7", "name": "Ada", "email": "ada@example.com"}
    body = someone | {"answers": MENTEE_ANSWERS}
    registered = await client.post(f"/v1/programs/{a}/registrations", json=body, headers=MANAGER_A)
    assert registered.status_code == 201, registered.text
    _forbidden(await client.post(f"/v1/programs/{b}/registrations", json=body, headers=MANAGER_A))

    # The list shows a manager only their programs; a participant still sees every program.
    listed = await client.get("/v1/programs", headers=MANAGER_A)
    assert [p["program_id"] for p in listed.json()["programs"]] == [a]
    everything = await client.get("/v1/programs?managed=false", headers=MANAGER_A)
    assert {p["program_id"] for p in everything.json()["programs"]} == {a, b}
    seen = await client.get("/v1/programs", headers=PARTICIPANT)
    assert {p["program_id"] for p in seen.json()["programs"]} == {a, b}
    _forbidden(await client.patch(f"/v1/programs/{a}", json={"name": "X"}, headers=PARTICIPANT))

    # Organisation-wide endpoints stay the admins'; managers read the pool and the choices.
    _forbidden(await client.get("/v1/directory/people", headers=MANAGER_A))
    for path in ("/v1/question-pool", "/v1/organisation/choices"):
        assert (await client.get(path, headers=MANAGER_A)).status_code == 200
        _forbidden(await client.get(path, headers=PARTICIPANT))
    _forbidden(await client.delete("/v1/question-pool/confidence", headers=MANAGER_A))


async def test_the_identity_providers_role_names_a_managed_program(
    client: httpx.AsyncClient,
) -> None:
    a = await _program(client, ADMIN, name="A")
    b = await _program(client, ADMIN, name="B")
    scoped = bearer(participant_token("pm-x", roles=(f"mentorship-program-manager:{b}",)))

    assert (await client.get(f"/v1/programs/{b}/launch", headers=scoped)).status_code == 200
    _forbidden(await client.get(f"/v1/programs/{a}/launch", headers=scoped))
    listed = await client.get("/v1/programs", headers=scoped)
    assert [p["program_id"] for p in listed.json()["programs"]] == [b]


async def test_a_program_manager_creates_programs_they_manage(
    client: httpx.AsyncClient, settings: RegistrationSettings
) -> None:
    creator = bearer(participant_token("pm-c", roles=("mentorship-program-manager",)))
    _forbidden(await client.post("/v1/programs", json=program_settings(), headers=PARTICIPANT))

    created = await client.post("/v1/programs", json=program_settings(), headers=creator)
    assert created.status_code == 201, created.text
    program_id = created.json()["program_id"]
    assert created.json()["managers"] == ["pm-c"]
    # Managers hand the program on: pm-d joins, and may then run it.
    joined = await client.patch(
        f"/v1/programs/{program_id}", json={"managers": ["pm-c", "pm-d"]}, headers=creator
    )
    assert joined.status_code == 200, joined.text
    pm_d = bearer(participant_token("pm-d"))
    assert (await client.get(f"/v1/programs/{program_id}/launch", headers=pm_d)).status_code == 200

    # Events carry the managers' person ids, never their employee ids.
    mongo: MongoClient = create_client(settings.mongodb_url, app_name="test")
    try:
        outbox = Outbox(mongo[settings.mongodb_database], retention=timedelta(hours=1))
        events = [decode(r.value) for batch in await outbox.batches() for r in batch.records]
    finally:
        await mongo.close()
    program_events = [
        e.data for e in events if isinstance(e.data, (ProgramCreated, ProgramUpdated))
    ]
    assert program_events[0].managers == (dev_person_id("pm-c"),)
    assert program_events[-1].managers == (dev_person_id("pm-c"), dev_person_id("pm-d"))
    assert isinstance(program_events[-1], ProgramUpdated)
    assert "managers" in program_events[-1].changed_fields


async def test_managers_are_validated(client: httpx.AsyncClient) -> None:
    twice = await client.post(
        "/v1/programs", json=program_settings(managers=["pm-a", "pm-a"]), headers=ADMIN
    )
    assert twice.status_code == 422, twice.text
    assert any(e["field"].startswith("body.managers") for e in twice.json()["errors"])
    bad_id = await client.post(
        "/v1/programs", json=program_settings(managers=["not an id"]), headers=ADMIN
    )
    assert bad_id.status_code == 422, bad_id.text
    assert any(e["field"].startswith("body.managers") for e in bad_id.json()["errors"])


async def test_erasing_a_manager_removes_them_from_their_programs(
    client: httpx.AsyncClient, settings: RegistrationSettings
) -> None:
    program_id = await _program(client, ADMIN, managers=["pm-a", "pm-e"])
    closed = await _program(client, ADMIN, managers=["pm-e"])
    moved = await client.post(
        f"/v1/programs/{closed}/lifecycle", json={"to": "closed"}, headers=ADMIN
    )
    assert moved.status_code == 200, moved.text
    pm_e = bearer(participant_token("pm-e"))
    assert (await client.get(f"/v1/programs/{program_id}/launch", headers=pm_e)).status_code == 200

    erased = await client.delete("/v1/people/pm-e", headers=ADMIN)
    assert erased.status_code == 200, erased.text

    _forbidden(await client.get(f"/v1/programs/{program_id}/launch", headers=pm_e))
    program = (await client.get(f"/v1/programs/{program_id}", headers=ADMIN)).json()
    assert program["managers"] == ["pm-a"]
    assert (await client.get(f"/v1/programs/{closed}", headers=ADMIN)).json()["managers"] == []
    mongo: MongoClient = create_client(settings.mongodb_url, app_name="test")
    try:
        outbox = Outbox(mongo[settings.mongodb_database], retention=timedelta(hours=1))
        events = [decode(r.value) for batch in await outbox.batches() for r in batch.records]
    finally:
        await mongo.close()
    last = {e.data.program_id: e.data for e in events if isinstance(e.data, ProgramUpdated)}
    assert last[program_id].managers == (dev_person_id("pm-a"),)
    assert last[closed].managers == ()
