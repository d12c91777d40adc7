"""Registration's right of access: ``GET /v1/me/export`` over HTTP, against a real MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, DEV_SCIM_TOKEN, bearer, participant_token
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, MENTOR_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
SCIM = {"Authorization": f"Bearer {DEV_SCIM_TOKEN}", "Content-Type": "application/scim+json"}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ADA_IN_THE_DIRECTORY = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "userName": "ada@example.com",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@example.com", "primary": True, "type": "work"}],
    "title": "Engineer",
    "active": True,
    ENTERPRISE: {"employeeNumber": "emp-ada", "department": "Engineering"},
}


@pytest.fixture
async def client(
    make_settings: SettingsFactory, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(make_settings(RegistrationSettings))) as client:
        yield client


async def _program(client: httpx.AsyncClient, **changes: Any) -> str:
    response = await client.post("/v1/programs", json=program_settings(**changes), headers=ADMIN)
    assert response.status_code == 201, response.text
    program_id: str = response.json()["program_id"]
    return program_id


def _person(employee_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "employee_id": employee_id,
        "name": f"Person {employee_id}",
        "email": f"{employee_id}@example.com",
        "department": "Engineering",
        "answers": answers,
    }


async def test_the_export_holds_my_entry_registrations_invitations_and_programs(
    client: httpx.AsyncClient,
) -> None:
    ada = bearer(participant_token("emp-ada"))
    provisioned = await client.post("/scim/v2/Users", json=ADA_IN_THE_DIRECTORY, headers=SCIM)
    assert provisioned.status_code == 201, provisioned.text
    first = await _program(client)
    managed = await _program(client, name="Run by Ada", managers=["emp-ada"])
    await client.post(
        f"/v1/programs/{first}/registrations", json=_person("emp-ada", MENTEE_ANSWERS), headers=ada
    )
    withdrawn = await client.post(f"/v1/programs/{first}/registrations/me/withdraw", headers=ada)
    assert withdrawn.json()["status"] == "withdrawn"
    invited = await client.post(
        f"/v1/programs/{managed}/invitations", json={"employee_ids": ["emp-ada"]}, headers=ADMIN
    )
    assert invited.json()["invited"] == 1, invited.text
    # Someone else's registration stays out of Ada's export.
    bob = bearer(participant_token("emp-bob"))
    await client.post(
        f"/v1/programs/{first}/registrations", json=_person("emp-bob", MENTOR_ANSWERS), headers=bob
    )

    response = await client.get("/v1/me/export", headers=ada)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["service"] == "registration"
    sections = body["sections"]
    assert all(section["description"] for section in sections.values())
    [entry] = sections["directory"]["items"]
    assert (entry["employee_id"], entry["title"]) == ("emp-ada", "Engineer")
    assert entry["emails"] == ["ada@example.com"]
    [registration] = sections["registrations"]["items"]
    assert registration["program_id"] == first
    assert registration["employee_id"] == "emp-ada"
    assert registration["answers"]["role"] == MENTEE_ANSWERS["role"]
    assert registration["status"] == "withdrawn"
    assert registration["withdrew_at"] is not None
    assert body["subject"]["participant_ids"] == [registration["participant_id"]]
    assert [i["program_id"] for i in sections["invitations"]["items"]] == [managed]
    assert sections["managed_programs"]["items"] == [{"program_id": managed}]
    assert "emp-bob" not in response.text


async def test_the_admin_token_names_nobody_to_export(client: httpx.AsyncClient) -> None:
    refused = await client.get("/v1/me/export", headers=ADMIN)
    assert refused.status_code == 403
    assert (await client.get("/v1/me/export")).status_code == 401
