"""Driving the services' public HTTP APIs from tests, demos and benchmarks."""

from __future__ import annotations

from typing import Any

import httpx

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_devstack.workloads import PersonSpec, program_settings

ADMIN_HEADERS = bearer(DEV_ADMIN_TOKEN)


async def create_program(registration: httpx.AsyncClient, **changes: Any) -> str:
    """Create an open program (as an admin); returns its id."""
    response = await registration.post(
        "/v1/programs", json=program_settings(**changes), headers=ADMIN_HEADERS
    )
    response.raise_for_status()
    program_id: str = response.json()["program_id"]
    return program_id


async def register(
    registration: httpx.AsyncClient, program_id: str, person: PersonSpec
) -> dict[str, Any]:
    """Register ``person`` (as an admin); returns the stored registration."""
    response = await registration.post(
        f"/v1/programs/{program_id}/registrations",
        json=person.registration(),
        headers=ADMIN_HEADERS,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
