"""Erasure requests over HTTP: a participant asks once, the admins list and erase."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, stored_traces
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token
from mentorship_kit.mongo import Database, MongoClient, create_client
from mentorship_kit.outbox import Outbox
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
PATH = "/v1/me/erasure-requests"


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings)


@pytest.fixture
async def client(
    settings: RegistrationSettings, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(settings)) as client:
        yield client


@pytest.fixture
async def database(settings: RegistrationSettings) -> AsyncIterator[Database]:
    mongo: MongoClient = create_client(settings.mongodb_url, app_name="test")
    yield mongo[settings.mongodb_database]
    await mongo.close()


async def _requested(database: Database) -> list[dict[str, str]]:
    batches = await Outbox(database, retention=timedelta(hours=1)).batches()
    events = [decode(record.value) for batch in batches for record in batch.records]
    return [e.data.model_dump(mode="json") for e in events if e.event_type == "ErasureRequested"]


async def test_a_participant_asks_once_and_the_admins_erase_which_closes_it(
    client: httpx.AsyncClient, database: Database
) -> None:
    ada = bearer(participant_token("emp-ada"))
    created = await client.post("/v1/programs", json=program_settings(), headers=ADMIN)
    program_id = created.json()["program_id"]
    registered = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "answers": MENTEE_ANSWERS,
        },
        headers=ada,
    )
    assert registered.status_code == 201, registered.text
    assert (await client.get(PATH, headers=ada)).json() == {"request": None}

    first = await client.post(PATH, headers=ada)
    again = await client.post(PATH, headers=ada)

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["employee_id"] == "emp-ada"
    mine = (await client.get(PATH, headers=ada)).json()["request"]
    assert mine["requested_at"] == first.json()["requested_at"]
    requested = await _requested(database)
    assert [(e["request_id"], e["person_id"]) for e in requested] == [
        (first.json()["request_id"], first.json()["person_id"])
    ]
    assert "emp-ada" not in str(requested)

    assert (await client.get("/v1/erasure-requests", headers=ada)).status_code == 403
    listed = (await client.get("/v1/erasure-requests", headers=ADMIN)).json()["requests"]
    assert [r["employee_id"] for r in listed] == ["emp-ada"]

    erased = await client.delete("/v1/people/emp-ada", headers=ADMIN)
    assert erased.status_code == 200
    assert (await client.get("/v1/erasure-requests", headers=ADMIN)).json() == {"requests": []}
    traces = {"emp-ada", first.json()["person_id"]}
    assert await stored_traces(database, traces, skip={"outbox"}) == []


async def test_the_admin_token_cannot_ask_for_erasure(client: httpx.AsyncClient) -> None:
    assert (await client.post(PATH, headers=ADMIN)).status_code == 403
    assert (await client.post(PATH)).status_code == 401
