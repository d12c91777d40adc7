"""Pair members read each other's profile while matching says they are paired, and only then."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from mentorship_contracts.events import PairCreated, PairEnded
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, MENTOR_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
MENTOR, MENTEE, OUTSIDER = "emp-grace", "emp-ada", "emp-eve"


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings)


@pytest.fixture
async def client(
    settings: RegistrationSettings, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(settings)) as client:
        yield client


def _as(employee_id: str, *roles: str) -> dict[str, str]:
    return bearer(participant_token(employee_id, roles=roles))


async def _register(
    client: httpx.AsyncClient, program_id: str, employee_id: str, answers: dict[str, object]
) -> str:
    response = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "name": f"Registered {employee_id}",
            "email": f"{employee_id}@example.com",
            "department": "Design Studio",
            "answers": answers,
        },
        headers=_as(employee_id),
    )
    assert response.status_code == 201, response.text
    participant_id: str = response.json()["participant_id"]
    return participant_id


async def test_pair_members_see_each_other_while_paired_and_nobody_else_does(
    client: httpx.AsyncClient, settings: RegistrationSettings
) -> None:
    imported = await client.post(
        "/v1/directory/import",
        content=(
            "employee_id,name,email,department,title\n"
            f"{MENTOR},Grace Hopper,grace@example.com,Platform Engineering,Principal Engineer\n"
        ),
        headers=ADMIN | {"content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    created = await client.post("/v1/programs", json=program_settings(), headers=ADMIN)
    program_id = created.json()["program_id"]
    mentor = await _register(client, program_id, MENTOR, MENTOR_ANSWERS)
    mentee = await _register(client, program_id, MENTEE, MENTEE_ANSWERS)
    outsider = await _register(client, program_id, OUTSIDER, MENTEE_ANSWERS)
    path = f"/v1/participants/{mentor}/profile"

    # Registered in the same program is not enough: no pair yet.
    assert (await client.get(path, headers=_as(MENTEE))).status_code == 403

    await publish_events(
        settings.kafka_bootstrap,
        [
            example(
                PairCreated,
                pair_id="pair-ada-grace",
                program_id=program_id,
                mentor_participant_id=mentor,
                mentee_participant_id=mentee,
                mentor_person_id=dev_person_id(MENTOR),
                mentee_person_id=dev_person_id(MENTEE),
            )
        ],
        prefix=settings.kafka_topic_prefix,
    )

    async def read(employee_id: str, participant_id: str) -> httpx.Response:
        return await client.get(
            f"/v1/participants/{participant_id}/profile", headers=_as(employee_id)
        )

    seen = await eventually(lambda: read(MENTEE, mentor), lambda r: r.status_code == 200)
    profile = seen.json()
    assert profile["name"] == "Grace Hopper"
    assert profile["title"] == "Principal Engineer"
    assert profile["department"] == "Platform Engineering"
    assert profile["in_directory"] is True
    assert profile["role"] == "mentor"
    assert profile["skills_offered"] == ["leadership", "system_design"]
    assert profile["goals_achieved"] == ["promotion"]

    # The mentee is in no directory source: the registration names and places her, no title.
    back = (await read(MENTOR, mentee)).json()
    assert back["name"] == f"Registered {MENTEE}"
    assert back["title"] is None
    assert back["in_directory"] is False
    assert back["department"] == "design_studio"
    assert back["skills_wanted"] == ["public_speaking"]
    assert back["goals_wanted"] == ["promotion", "grow_network"]

    # Her right of access shows the pair registration knows her in.
    exported = (await client.get("/v1/me/export", headers=_as(MENTEE))).json()
    assert [(p["pair_id"], p["ended"]) for p in exported["sections"]["pairings"]["items"]] == [
        ("pair-ada-grace", False)
    ]

    # Outside the pair: refused, also for ids that do not exist (no probing who registered).
    assert (await read(OUTSIDER, mentor)).status_code == 403
    assert (await read(MENTEE, outsider)).status_code == 403
    assert (await read(OUTSIDER, "no-such-participant")).status_code == 403
    # Admins and the program's managers see any participant; an unknown one is 404 for them.
    assert (await client.get(path, headers=ADMIN)).json()["name"] == "Grace Hopper"
    manager = _as("emp-boss", f"{settings.auth_manager_role}:{program_id}")
    assert (await client.get(path, headers=manager)).status_code == 200
    other_manager = _as("emp-boss", f"{settings.auth_manager_role}:another-program")
    assert (await client.get(path, headers=other_manager)).status_code == 403
    missing = await client.get("/v1/participants/no-such-participant/profile", headers=ADMIN)
    assert missing.status_code == 404

    await publish_events(
        settings.kafka_bootstrap,
        [
            example(
                PairEnded,
                pair_id="pair-ada-grace",
                program_id=program_id,
                reason=PairEndReason.NOT_A_GOOD_FIT,
            )
        ],
        prefix=settings.kafka_topic_prefix,
    )
    await eventually(lambda: read(MENTEE, mentor), lambda r: r.status_code == 403)
    assert (await read(MENTOR, mentee)).status_code == 403
