"""Registering over HTTP stores the registration and stages its event atomically."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_kit.mongo import MongoClient, create_client
from registration.app import build_app
from registration.settings import RegistrationSettings

pytestmark = pytest.mark.integration


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
async def mongo(settings: RegistrationSettings) -> AsyncIterator[MongoClient]:
    client = create_client(settings.mongodb_url, app_name="test")
    yield client
    await client.close()


async def _outbox_events(mongo: MongoClient, settings: RegistrationSettings) -> list[str]:
    cursor = mongo[settings.mongodb_database]["outbox"].find().sort("created_at")
    return [decode(bytes(doc["value"])).event_type async for doc in cursor]


MENTOR = {
    "employee_id": "emp-100",
    "role": "mentor",
    "capacity": 2,
    "department": "engineering",
    "manager_employee_id": "emp-boss",
    "profile": {"languages": ["en", "de"], "time_zone": "Europe/Berlin"},
}


async def test_registering_twice_updates_instead_of_duplicating(
    client: httpx.AsyncClient, mongo: MongoClient, settings: RegistrationSettings
) -> None:
    first = await client.post("/v1/programs/prog-1/participants", json=MENTOR)
    assert first.status_code == 201
    again = await client.post("/v1/programs/prog-1/participants", json=MENTOR | {"capacity": 3})
    assert again.status_code == 200
    assert again.json()["participant_id"] == first.json()["participant_id"]
    assert again.json()["created"] is False

    participants = mongo[settings.mongodb_database]["participants"]
    assert await participants.count_documents({}) == 1
    stored = await participants.find_one({})
    assert stored is not None
    assert stored["capacity"] == 3
    assert await _outbox_events(mongo, settings) == ["ParticipantRegistered", "ParticipantUpdated"]


async def test_the_same_person_in_two_programs_keeps_one_person_id(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post("/v1/programs/prog-1/participants", json=MENTOR)
    second = await client.post("/v1/programs/prog-2/participants", json=MENTOR)
    assert first.json()["person_id"] == second.json()["person_id"]
    assert first.json()["participant_id"] != second.json()["participant_id"]


async def test_reporting_line_follows_known_managers(
    client: httpx.AsyncClient, mongo: MongoClient, settings: RegistrationSettings
) -> None:
    await client.post(
        "/v1/programs/prog-1/participants",
        json=MENTOR | {"employee_id": "emp-boss", "manager_employee_id": "emp-ceo"},
    )
    mentee = await client.post(
        "/v1/programs/prog-1/participants",
        json={"employee_id": "emp-7", "role": "mentee", "manager_employee_id": "emp-boss"},
    )
    people = mongo[settings.mongodb_database]["people"]
    boss = await people.find_one({"_id": "emp-boss"})
    ceo = await people.find_one({"_id": "emp-ceo"})
    assert boss is not None
    assert ceo is not None
    cursor = mongo[settings.mongodb_database]["outbox"].find(
        {"key": mentee.json()["participant_id"]}
    )
    [document] = [doc async for doc in cursor]
    event = decode(bytes(document["value"])).data
    assert event.reporting_line == (boss["person_id"], ceo["person_id"])  # type: ignore[attr-defined]


async def test_invalid_registration_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, mongo: MongoClient, settings: RegistrationSettings
) -> None:
    response = await client.post(
        "/v1/programs/prog-1/participants",
        json={"employee_id": "emp-1", "role": "mentor", "capacity": 99, "profile": {"x": 1}},
    )
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["errors"]}
    assert fields == {"body.capacity"} | ({"body.profile.x"} & fields)
    assert await mongo[settings.mongodb_database]["participants"].count_documents({}) == 0
    assert await _outbox_events(mongo, settings) == []


async def test_a_mentor_without_capacity_is_refused_with_the_reason(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/programs/prog-1/participants", json=MENTOR | {"capacity": 0})
    assert response.status_code == 422
    assert "capacity" in response.json()["message"]
