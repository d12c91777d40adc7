"""The directory over HTTP: SCIM provisioning, the HRIS import, leaving the organisation.

Against a real MongoDB; events are read from the service's outbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mentorship_contracts import Envelope, IntegrationEvent, decode
from mentorship_contracts.events import DirectoryPersonChanged, ParticipantWithdrew
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, stored_traces
from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_NOTIFIER_TOKEN,
    DEV_SCIM_TOKEN,
    bearer,
    participant_token,
)
from mentorship_kit.mongo import Database, MongoClient, create_client
from mentorship_kit.outbox import Outbox
from mentorship_kit.pseudonyms import Pseudonyms
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
SCIM = {"Authorization": f"Bearer {DEV_SCIM_TOKEN}", "Content-Type": "application/scim+json"}
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
OWN = "urn:mentorship:params:scim:schemas:extension:directory:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings, import_chunk_rows=3)


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


@pytest.fixture
def person_id(settings: RegistrationSettings) -> Any:
    pseudonyms = Pseudonyms(settings.auth_pseudonym_key)
    return pseudonyms.person_id


async def _events(database: Database) -> list[Envelope[IntegrationEvent]]:
    batches = await Outbox(database, retention=timedelta(hours=1)).batches()
    return [decode(record.value) for batch in batches for record in batch.records]


async def _directory_changes(database: Database) -> list[DirectoryPersonChanged]:
    return [
        event.data
        for event in await _events(database)
        if isinstance(event.data, DirectoryPersonChanged)
    ]


def _user(
    employee: str,
    *,
    manager: str | None = None,
    department: str = "Engineering",
    active: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    enterprise: dict[str, Any] = {"employeeNumber": employee, "department": department}
    if manager:
        enterprise["manager"] = {"value": manager}
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE, OWN],
        "userName": f"{employee}@example.com",
        "name": {"givenName": "Gwendolyn", "familyName": employee},
        "emails": [{"value": f"{employee}@example.com", "primary": True, "type": "work"}],
        "title": "Engineer",
        "active": active,
        ENTERPRISE: enterprise,
        OWN: {"location": "San Diego", "seniority": "Senior"},
    } | extra


async def _provision(client: httpx.AsyncClient, user: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/scim/v2/Users", json=user, headers=SCIM)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _program(client: httpx.AsyncClient, **changes: Any) -> str:
    response = await client.post("/v1/programs", json=program_settings(**changes), headers=ADMIN)
    assert response.status_code == 201, response.text
    program_id: str = response.json()["program_id"]
    return program_id


async def _register(client: httpx.AsyncClient, program_id: str, employee: str) -> httpx.Response:
    return await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "employee_id": employee,
            "name": f"Person {employee}",
            "email": f"{employee}@example.com",
            "answers": MENTEE_ANSWERS,
        },
        headers=ADMIN,
    )


# ---------------------------------------------------------------- SCIM provisioning


async def test_scim_needs_its_own_bearer_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/scim/v2/Users")).status_code == 401
    assert (await client.get("/scim/v2/Users", headers=ADMIN)).status_code == 401
    listed = await client.get("/scim/v2/Users", headers=SCIM)
    assert listed.status_code == 200
    assert listed.json()["totalResults"] == 0
    config = (await client.get("/scim/v2/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] is True
    assert config["etag"]["supported"] is True
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"


async def test_a_provisioned_user_is_a_person_announced_by_pseudonymous_ids_only(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    boss = await _provision(client, _user("e-boss", department="Leadership"))
    await _provision(client, _user("e-ada", manager=boss["id"]))

    person = (await client.get("/v1/directory/people/e-ada", headers=ADMIN)).json()
    assert person["manager_employee_id"] == "e-boss", "a SCIM manager id resolves"
    assert person["name"] == "Gwendolyn e-ada"
    assert person["emails"] == ["e-ada@example.com"]
    assert (person["department"], person["location"], person["seniority"]) == (
        "Engineering",
        "San Diego",
        "senior",
    )
    assert person["source"] == "scim"

    changes = {change.person_id: change for change in await _directory_changes(database)}
    ada = changes[person_id("e-ada")]
    assert ada.manager_person_id == person_id("e-boss")
    assert ada.department == "engineering"
    assert ada.active is True
    text = repr(await _events(database))
    assert "e-ada" not in text
    assert "Gwendolyn" not in text
    assert "example.com" not in text


async def test_filters_sorting_paging_and_etags(client: httpx.AsyncClient) -> None:
    for employee in ("e-3", "e-1", "e-2"):
        await _provision(client, _user(employee, department=f"Team {employee}"))

    async def names(**params: str) -> list[str]:
        response = await client.get("/scim/v2/Users", params=params, headers=SCIM)
        assert response.status_code == 200, response.text
        return [user["userName"] for user in response.json().get("Resources", [])]

    assert await names(filter='userName eq "E-2@EXAMPLE.COM"') == ["e-2@example.com"]
    assert sorted(await names(filter='userName co "-1@" or userName sw "e-3"')) == [
        "e-1@example.com",
        "e-3@example.com",
    ]
    enterprise_department = f"{ENTERPRISE}:department"
    assert await names(filter=f'{enterprise_department} eq "Team e-3" and title pr') == [
        "e-3@example.com"
    ]
    assert await names(sortBy="userName", sortOrder="descending") == [
        "e-3@example.com",
        "e-2@example.com",
        "e-1@example.com",
    ]
    page = await client.get(
        "/scim/v2/Users",
        params={"sortBy": "userName", "startIndex": "2", "count": "1"},
        headers=SCIM,
    )
    assert page.json()["totalResults"] == 3
    assert [user["userName"] for user in page.json()["Resources"]] == ["e-2@example.com"]
    bad = await client.get("/scim/v2/Users", params={"filter": 'userName eq "x'}, headers=SCIM)
    assert bad.status_code == 400
    assert bad.json()["scimType"] == "invalidFilter"

    user = (await names(filter='userName eq "e-1@example.com"'))[0]
    found = await client.get(
        "/scim/v2/Users", params={"filter": f'userName eq "{user}"'}, headers=SCIM
    )
    resource = found.json()["Resources"][0]
    etag = resource["meta"]["version"]
    stale = await client.put(
        f"/scim/v2/Users/{resource['id']}",
        json=_user("e-1", title="Lead"),
        headers=SCIM | {"If-Match": 'W/"999"'},
    )
    assert stale.status_code == 412
    fresh = await client.put(
        f"/scim/v2/Users/{resource['id']}",
        json=_user("e-1", title="Lead"),
        headers=SCIM | {"If-Match": etag},
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["meta"]["version"] != etag
    clash = await client.post("/scim/v2/Users", json=_user("e-1"), headers=SCIM)
    assert clash.status_code == 409
    assert clash.json()["scimType"] == "uniqueness"


async def test_deactivation_withdraws_from_open_programs_without_erasing(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    user = await _provision(client, _user("e-leaver"))
    open_program = await _program(client)
    closed_program = await _program(client)
    for program_id in (open_program, closed_program):
        assert (await _register(client, program_id, "e-leaver")).status_code == 201
    moved = await client.post(
        f"/v1/programs/{closed_program}/lifecycle", json={"to": "closed"}, headers=ADMIN
    )
    assert moved.status_code == 200, moved.text

    patched = await client.patch(
        f"/scim/v2/Users/{user['id']}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        headers=SCIM,
    )
    assert patched.status_code in {200, 204}, patched.text

    withdrawals = [e.data for e in await _events(database) if e.event_type == "ParticipantWithdrew"]
    assert len(withdrawals) == 1
    [withdrawal] = withdrawals
    assert isinstance(withdrawal, ParticipantWithdrew)
    assert withdrawal.program_id == open_program
    assert withdrawal.reason == "left_organisation"
    kept = await client.get(f"/v1/programs/{open_program}/registrations/e-leaver", headers=ADMIN)
    assert kept.json()["status"] == "withdrawn", "withdrawn, not erased"
    assert (await client.get("/v1/directory/people/e-leaver", headers=ADMIN)).json()[
        "active"
    ] is False
    assert [c.active for c in await _directory_changes(database)] == [True, False]

    refused = await _register(client, open_program, "e-leaver")
    assert refused.status_code == 201, "an open program takes anyone, even someone who left"


async def test_a_scim_delete_deactivates_the_person(
    client: httpx.AsyncClient, database: Database
) -> None:
    user = await _provision(client, _user("e-gone"))
    program_id = await _program(client)
    await _register(client, program_id, "e-gone")
    deleted = await client.delete(f"/scim/v2/Users/{user['id']}", headers=SCIM)
    assert deleted.status_code == 204
    assert (await client.get(f"/scim/v2/Users/{user['id']}", headers=SCIM)).status_code == 404
    person = (await client.get("/v1/directory/people/e-gone", headers=ADMIN)).json()
    assert person["active"] is False
    reasons = [
        e.data.reason for e in await _events(database) if isinstance(e.data, ParticipantWithdrew)
    ]
    assert reasons == ["left_organisation"]


# ---------------------------------------------------------------- HRIS import


async def test_an_hris_export_fills_the_directory_row_by_row(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    csv = (
        "Employee Number,Full Name,Work Email,Department,City,Job Title,Level,Manager ID,Status\n"
        "h-1,Grace,grace@example.com,Leadership,Toronto,CTO,VP,,active\n"
        "h-2,Alan,alan@example.com,Engineering,Toronto,Engineer,Senior,h-1,\n"
        "h-3,Bad,not-an-email,Engineering,,,,h-1,\n"
        "h-4,Joan,joan@example.com,Engineering,,,wizard,h-2,maybe\n"
        "h-5,Ken,ken@example.com,Engineering,,,Associate,h-2,false\n"
    )
    response = await client.post(
        "/v1/directory/import",
        content=csv,
        headers=ADMIN | {"content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["failed"]) == (5, 3, 2)
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (4, "body.email"),
        (5, "body.seniority"),
        (5, "body.active"),
    }
    alan = (await client.get("/v1/directory/people/h-2", headers=ADMIN)).json()
    assert (alan["seniority"], alan["location"], alan["source"]) == (
        "senior",
        "Toronto",
        "hris_import",
    )
    ken = (await client.get("/v1/directory/people/h-5", headers=ADMIN)).json()
    assert ken["active"] is False
    edges = {c.person_id: c.manager_person_id for c in await _directory_changes(database)}
    assert edges[person_id("h-2")] == person_id("h-1")
    assert edges[person_id("h-1")] is None

    again = await client.post(
        "/v1/directory/import", content=csv, headers=ADMIN | {"content-type": "text/csv"}
    )
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)


# ---------------------------------------------------------------- registrations, the fallback


async def test_registrations_fill_only_what_the_directory_does_not_know(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    program_id = await _program(client)
    registered = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "employee_id": "r-1",
            "name": "Ada",
            "email": "ada@example.com",
            "department": "Sales",
            "manager_employee_id": "r-boss",
            "answers": MENTEE_ANSWERS,
        },
        headers=ADMIN,
    )
    assert registered.status_code == 201, registered.text
    changes = {c.person_id: c for c in await _directory_changes(database)}
    assert changes[person_id("r-1")].manager_person_id == person_id("r-boss")
    assert changes[person_id("r-1")].source == "registration"
    assert person_id("r-boss") in changes, "a named manager is known from then on"

    await _provision(client, _user("r-1", manager="r-other", department="Design"))
    again = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "employee_id": "r-1",
            "name": "Ada",
            "email": "ada@example.com",
            "department": "Sales",
            "manager_employee_id": "r-boss",
            "answers": MENTEE_ANSWERS,
        },
        headers=ADMIN,
    )
    assert again.json()["department"] == "design", "the directory's department wins"
    latest = [c for c in await _directory_changes(database) if c.person_id == person_id("r-1")]
    assert latest[-1].manager_person_id == person_id("r-other")
    assert latest[-1].source == "scim"
    events = [e.data for e in await _events(database) if e.event_type == "ParticipantUpdated"]
    assert events[-1].reporting_line[0] == person_id("r-other")  # type: ignore[attr-defined]


async def test_entra_id_style_patches_set_the_manager_and_deactivate(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    boss = await _provision(client, _user("x-boss"))
    user = await _provision(client, _user("x-1"))
    patched = await client.patch(
        f"/scim/v2/Users/{user['id']}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss["id"]},
                {"op": "Replace", "path": "active", "value": "False"},
            ],
        },
        headers=SCIM,
    )
    assert patched.status_code in {200, 204}, patched.text
    person = (await client.get("/v1/directory/people/x-1", headers=ADMIN)).json()
    assert (person["manager_employee_id"], person["active"]) == ("x-boss", False)
    [*_, latest] = [
        c for c in await _directory_changes(database) if c.person_id == person_id("x-1")
    ]
    assert (latest.manager_person_id, latest.active) == (person_id("x-boss"), False)


async def test_directory_work_is_counted_in_the_metrics(client: httpx.AsyncClient) -> None:
    user = await _provision(client, _user("m-1"))
    await client.delete(f"/scim/v2/Users/{user['id']}", headers=SCIM)
    await client.get("/scim/v2/Users", headers={"Authorization": "Bearer wrong"})
    exposition = (await client.get("/metrics")).text
    assert 'mentorship_registration_directory_changes_total{source="scim"} 2.0' in exposition
    assert 'route="/scim/v2",status_code="401"' in exposition


async def test_erasing_a_provisioned_and_invited_person_leaves_nothing(
    client: httpx.AsyncClient, database: Database, person_id: Any
) -> None:
    await _provision(client, _user("z-erase", displayName="Zelda Erasable"))
    program_id = await _program(client)
    invited = await client.post(
        f"/v1/programs/{program_id}/invitations", json={"employee_ids": ["z-erase"]}, headers=ADMIN
    )
    assert invited.json()["invited"] == 1
    erased = await client.delete("/v1/people/z-erase", headers=ADMIN)
    assert erased.status_code == 200
    traces = {"z-erase", "Zelda Erasable", person_id("z-erase")}
    assert await stored_traces(database, traces, skip={"outbox"}) == []
    forgotten = [e.data for e in await _events(database) if e.event_type == "DirectoryPersonErased"]
    assert [event.person_id for event in forgotten] == [person_id("z-erase")]  # type: ignore[attr-defined]
    listed = await client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "z-erase@example.com"'}, headers=SCIM
    )
    assert listed.json()["totalResults"] == 0


# ---------------------------------------------------------------- contacts for the notifier

NOTIFIER = bearer(DEV_NOTIFIER_TOKEN)


async def test_a_persons_contact_is_for_the_notifications_credential_only(
    client: httpx.AsyncClient, person_id: Any
) -> None:
    await _provision(client, _user("c-1"))
    path = f"/v1/people/{person_id('c-1')}/contact"
    found = await client.get(path, headers=NOTIFIER)
    assert found.status_code == 200, found.text
    assert found.json() == {
        "person_id": person_id("c-1"),
        "name": "Gwendolyn c-1",
        "email": "c-1@example.com",
        "time_zone": None,
        "active": True,
    }
    assert (await client.get(path)).status_code == 401
    for other in (
        ADMIN,
        bearer(participant_token("c-1")),
        bearer(participant_token("boss", roles=("mentorship-admin",))),
        SCIM,
        bearer("not-the-notifier-token"),
    ):
        refused = await client.get(path, headers=other)
        assert refused.status_code == 403, (other, refused.text)
        assert refused.json()["error"] == "forbidden"
    unknown = await client.get(f"/v1/people/{person_id('nobody')}/contact", headers=NOTIFIER)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "person_not_found"


async def test_a_persons_contact_falls_back_to_their_registration_and_says_if_inactive(
    client: httpx.AsyncClient, person_id: Any
) -> None:
    program_id = await _program(client)
    assert (await _register(client, program_id, "c-2")).status_code == 201
    found = await client.get(f"/v1/people/{person_id('c-2')}/contact", headers=NOTIFIER)
    assert found.status_code == 200, found.text
    assert found.json()["email"] == "c-2@example.com"
    assert found.json()["name"] == "Person c-2"
    assert found.json()["time_zone"] == "Europe/London"
    await _provision(client, _user("c-3", active=False))
    gone = await client.get(f"/v1/people/{person_id('c-3')}/contact", headers=NOTIFIER)
    assert gone.json()["active"] is False


async def test_a_participants_contact_is_for_admins_and_the_notifier(
    client: httpx.AsyncClient,
) -> None:
    program_id = await _program(client)
    created = await _register(client, program_id, "c-4")
    path = f"/v1/participants/{created.json()['participant_id']}/contact"
    assert (await client.get(path, headers=NOTIFIER)).json()["email"] == "c-4@example.com"
    assert (await client.get(path, headers=ADMIN)).status_code == 200
    assert (await client.get(path, headers=bearer(participant_token("c-4")))).status_code == 403
    assert (await client.get(path, headers=SCIM)).status_code == 401


async def test_many_participants_contacts_are_read_in_one_request(
    client: httpx.AsyncClient,
) -> None:
    program_id = await _program(client)
    ids = [
        (await _register(client, program_id, employee)).json()["participant_id"]
        for employee in ("c-5", "c-6")
    ]
    wanted = {"participant_ids": [*ids, "part-unknown", ids[0]]}
    found = await client.post("/v1/participants/contacts", json=wanted, headers=NOTIFIER)
    assert found.status_code == 200, found.text
    assert sorted(c["email"] for c in found.json()["contacts"]) == [
        "c-5@example.com",
        "c-6@example.com",
    ]
    assert found.json()["missing"] == ["part-unknown"]
    assert (
        await client.post("/v1/participants/contacts", json=wanted, headers=ADMIN)
    ).status_code == 200
    participant = bearer(participant_token("c-5"))
    refused = await client.post("/v1/participants/contacts", json=wanted, headers=participant)
    assert refused.status_code == 403
    too_many = {"participant_ids": [f"p-{n}" for n in range(1001)]}
    bad = await client.post("/v1/participants/contacts", json=too_many, headers=NOTIFIER)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.participant_ids"
