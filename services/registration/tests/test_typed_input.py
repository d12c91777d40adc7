"""What schemathesis found (issue #12): input the document refuses is refused, and every refusal
or conflict is the one the document lists, naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)


@pytest.fixture
async def client(
    make_settings: SettingsFactory, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(make_settings(RegistrationSettings))) as client:
        yield client


async def _program(client: httpx.AsyncClient) -> str:
    response = await client.post("/v1/programs", json=program_settings(), headers=ADMIN)
    assert response.status_code == 201, response.text
    program_id: str = response.json()["program_id"]
    return program_id


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [problem["field"] for problem in response.json()["errors"]]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "POST",
            "access/preview",
            {"anyone": False, "everyone_active": 0},
            "body.everyone_active",
        ),
        ("PUT", "access", {"anyone": 1}, "body.anyone"),
        ("POST", "invitations", {"max_reminders": False}, "body.max_reminders"),
        ("POST", "invitations", {"remind_after_days": True}, "body.remind_after_days"),
        (
            "POST",
            "cohorts",
            {
                "name": "Cohort 2",
                "starts_on": "2027-09-06",
                "ends_on": "2028-03-03",
                "registration_opens_at": 0,
                "registration_closes_at": "2027-08-31T00:00:00Z",
            },
            "body.registration_opens_at",
        ),
    ],
)
async def test_numbers_are_not_booleans_and_instants_are_not_numbers(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    """The document says boolean, integer, date-time: 0, false and 0 are refused, not read as
    false, 0 and 1970-01-01."""
    program_id = await _program(client)
    url = f"/v1/programs/{program_id}/{path}"
    response = await client.request(method, url, json=body, headers=ADMIN)
    assert field in _fields(response)


async def test_changing_a_closed_program_is_the_documented_409(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    closed = await client.post(
        f"/v1/programs/{program_id}/lifecycle", json={"to": "closed"}, headers=ADMIN
    )
    assert closed.status_code == 200, closed.text

    refused = await client.patch(f"/v1/programs/{program_id}", json={}, headers=ADMIN)

    assert (refused.status_code, refused.json()["error"]) == (409, "program_closed")
    document = (await client.get("/openapi.json")).json()
    assert "409" in document["paths"]["/v1/programs/{program_id}"]["patch"]["responses"]


async def test_a_registration_without_its_employee_names_the_field(
    client: httpx.AsyncClient,
) -> None:
    program_id = await _program(client)
    person = {"name": "Ada", "email": "ada@example.com", "answers": MENTEE_ANSWERS}
    path = f"/v1/programs/{program_id}/registrations"

    nobody = await client.post(path, json=person, headers=ADMIN)
    other = await client.put(
        f"{path}/emp-ada", json=person | {"employee_id": "emp-bob"}, headers=ADMIN
    )

    assert _fields(nobody) == ["body.employee_id"]
    assert _fields(other) == ["body.employee_id"]


async def test_a_count_written_with_a_zero_fraction_is_an_integer(
    client: httpx.AsyncClient,
) -> None:
    """JSON Schema's integer includes 4.0: it is accepted as 4, as booleans are not."""
    program_id = await _program(client)
    response = await client.post(
        f"/v1/programs/{program_id}/invitations",
        json={"employee_ids": [], "max_reminders": 4.0},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
