"""Launching programs over HTTP: lifecycle, the checklist, access, invitations, cohorts, reuse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mentorship_contracts import Envelope, IntegrationEvent, decode
from mentorship_contracts.events import InvitationReminderSent, InvitationSent
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_kit.mongo import Database, MongoClient, create_client
from mentorship_kit.outbox import Outbox
from registration.adapters.invitations import reminders_due_by
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
CSV = {"content-type": "text/csv"}
PEOPLE = (
    "employee_id,name,email,department,location,seniority,manager_employee_id\n"
    "boss,Grace,grace@example.com,Leadership,Toronto,executive,\n"
    "eng-lead,Alan,alan@example.com,Engineering,Toronto,director,boss\n"
    "eng-1,Ada,ada@example.com,Engineering,San Diego,associate,eng-lead\n"
    "eng-2,Joan,joan@example.com,Engineering,Toronto,senior,eng-lead\n"
    "sales-1,Ken,ken@example.com,Sales,Copenhagen,associate,boss\n"
)


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings, invitation_poll_s=0.2)


@pytest.fixture
async def client(
    settings: RegistrationSettings, serve_app: AppServer
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(build_app(settings)) as client:
        response = await client.post("/v1/directory/import", content=PEOPLE, headers=ADMIN | CSV)
        assert response.json()["created"] == 5, response.text
        yield client


@pytest.fixture
async def database(settings: RegistrationSettings) -> AsyncIterator[Database]:
    mongo: MongoClient = create_client(settings.mongodb_url, app_name="test")
    yield mongo[settings.mongodb_database]
    await mongo.close()


async def _events(database: Database) -> list[Envelope[IntegrationEvent]]:
    batches = await Outbox(database, retention=timedelta(hours=1)).batches()
    return [decode(record.value) for batch in batches for record in batch.records]


async def _program(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/programs", json=program_settings(**changes), headers=ADMIN)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _register(client: httpx.AsyncClient, program_id: str, employee: str) -> httpx.Response:
    return await client.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "employee_id": employee,
            "name": employee,
            "email": f"{employee}@example.com",
            "answers": MENTEE_ANSWERS,
        },
        headers=ADMIN,
    )


# ---------------------------------------------------------------- lifecycle


async def test_a_program_starts_open_by_default_or_as_a_draft(client: httpx.AsyncClient) -> None:
    opened = await _program(client)
    assert (opened["lifecycle"], opened["registration_status"]) == ("registration_open", "open")

    draft = await _program(client, lifecycle="draft")
    assert (draft["lifecycle"], draft["registration_status"]) == ("draft", "scheduled")
    refused = await _register(client, draft["program_id"], "eng-1")
    assert refused.status_code == 409
    assert refused.json()["error"] == "registration_not_open"
    assert "draft" in refused.json()["message"]

    path = f"/v1/programs/{draft['program_id']}/lifecycle"
    skipped = await client.post(path, json={"to": "running"}, headers=ADMIN)
    assert skipped.status_code == 409
    assert skipped.json()["error"] == "transition_not_allowed"
    opened_now = await client.post(path, json={"to": "registration_open"}, headers=ADMIN)
    assert opened_now.json()["registration_status"] == "open"
    assert (await _register(client, draft["program_id"], "eng-1")).status_code == 201

    matching = await client.post(path, json={"to": "matching"}, headers=ADMIN)
    assert (matching.json()["lifecycle"], matching.json()["registration_status"]) == (
        "matching",
        "closed",
    )
    assert (await _register(client, draft["program_id"], "eng-2")).json()["error"] == (
        "registration_closed"
    )
    for state in ("running", "closed"):
        moved = await client.post(path, json={"to": state}, headers=ADMIN)
        assert moved.json()["lifecycle"] == state
    frozen = await client.patch(
        f"/v1/programs/{draft['program_id']}", json={"name": "Renamed"}, headers=ADMIN
    )
    assert (frozen.status_code, frozen.json()["error"]) == (409, "program_closed")
    back = await client.post(path, json={"to": "registration_open"}, headers=ADMIN)
    assert back.status_code == 409


async def test_registration_cannot_open_after_its_window(client: httpx.AsyncClient) -> None:
    draft = await _program(
        client,
        lifecycle="draft",
        registration_opens_at="2020-01-01T00:00:00Z",
        registration_closes_at="2020-02-01T00:00:00Z",
        starts_on="2020-03-01",
        ends_on="2020-09-01",
    )
    refused = await client.post(
        f"/v1/programs/{draft['program_id']}/lifecycle",
        json={"to": "registration_open"},
        headers=ADMIN,
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "registration_window_over")


# ---------------------------------------------------------------- launch checklist


async def test_the_launch_checklist_counts_down_as_steps_are_done(
    client: httpx.AsyncClient,
) -> None:
    draft = await _program(client, lifecycle="draft", goal_detail="")
    path = f"/v1/programs/{draft['program_id']}"

    async def launch() -> dict[str, Any]:
        body: dict[str, Any] = (await client.get(f"{path}/launch", headers=ADMIN)).json()
        return body

    first = await launch()
    assert [step["step"] for step in first["steps"]] == [
        "general_information",
        "questionnaire",
        "pairing_algorithm",
        "participant_access",
        "review_email_invites",
        "launch_registration",
        "review_pairing_process",
        "plan_session_content",
        "launch_pairing",
    ]
    left = {step["step"]: step["missing"] for step in first["steps"] if not step["done"]}
    assert first["steps_left"] == len(left) == 8
    assert "questionnaire" not in left, "the standard template has matching questions"
    assert "goal_detail" in left["general_information"][0]
    assert "5 eligible" in left["review_email_invites"][0]

    await client.patch(path, json={"goal_detail": "Grow leaders."}, headers=ADMIN)
    for step in ("pairing_algorithm", "review_pairing_process"):
        marked = await client.post(f"{path}/launch/{step}", headers=ADMIN)
        assert marked.status_code == 200, marked.text
    not_a_review = await client.post(f"{path}/launch/launch_registration", headers=ADMIN)
    assert (not_a_review.status_code, not_a_review.json()["error"]) == (
        409,
        "step_not_reviewable",
    )
    await client.put(
        f"{path}/access",
        json={"anyone": False, "rules": [{"departments": ["Engineering"]}]},
        headers=ADMIN,
    )
    await client.put(
        f"{path}/agenda", json={"agenda": [{"title": "Set goals", "session": 1}]}, headers=ADMIN
    )
    invited = await client.post(f"{path}/invitations", json={}, headers=ADMIN)
    assert (invited.json()["invited"], invited.json()["pending"]) == (3, 3)
    await client.post(f"{path}/lifecycle", json={"to": "registration_open"}, headers=ADMIN)
    almost = await launch()
    assert [s["step"] for s in almost["steps"] if not s["done"]] == ["launch_pairing"]
    await client.post(f"{path}/lifecycle", json={"to": "matching"}, headers=ADMIN)
    assert (await launch())["steps_left"] == 0


# ---------------------------------------------------------------- participant access


async def test_access_rules_refuse_with_a_reason_and_preview_counts(
    client: httpx.AsyncClient,
) -> None:
    program = await _program(client)
    path = f"/v1/programs/{program['program_id']}"
    everyone = (await client.post(f"{path}/access/preview", headers=ADMIN)).json()
    assert everyone == {"eligible": 5, "directory_active": 5, "invited_outside_directory": 0}

    rules = {
        "anyone": False,
        "rules": [
            {"departments": ["engineering"], "seniorities": ["associate", "senior"]},
            {"reports_to": "boss", "locations": ["Copenhagen"]},
        ],
        "invite_list": ["outsider"],
    }
    previewed = await client.post(f"{path}/access/preview", json=rules, headers=ADMIN)
    assert previewed.json() == {
        "eligible": 4,
        "directory_active": 5,
        "invited_outside_directory": 1,
    }
    assert (await client.put(f"{path}/access", json=rules, headers=ADMIN)).status_code == 200
    for employee in ("eng-1", "eng-2", "sales-1", "outsider"):
        assert (await _register(client, program["program_id"], employee)).status_code == 201
    refused = await _register(client, program["program_id"], "eng-lead")
    assert refused.status_code == 403
    assert refused.json()["error"] == "not_eligible"
    message = refused.json()["message"]
    assert "department engineering" in message
    assert "director" in message, "it says what the directory lists"
    unknown = await _register(client, program["program_id"], "stranger")
    assert "does not list you" in unknown.json()["message"]

    nobody = await client.put(f"{path}/access", json={"anyone": False}, headers=ADMIN)
    assert nobody.status_code == 422


async def test_people_who_left_cannot_register_where_access_is_restricted(
    client: httpx.AsyncClient,
) -> None:
    program = await _program(client)
    path = f"/v1/programs/{program['program_id']}"
    await client.put(
        f"{path}/access", json={"anyone": False, "everyone_active": True}, headers=ADMIN
    )
    await client.post(
        "/v1/directory/import",
        content="employee_id,active\neng-2,false\n",
        headers=ADMIN | CSV,
    )
    refused = await _register(client, program["program_id"], "eng-2")
    assert refused.status_code == 403
    assert "no longer with the organisation" in refused.json()["message"]


# ---------------------------------------------------------------- invitations


async def test_a_reminder_round_reads_only_the_sent_invitations_due(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Among invitations registered, closed, sent with a reminder later or none left, the
    round's query examines only the two due (through ``sent_by_reminder``)."""
    assert (await client.get("/healthz")).status_code == 200  # the app made its indexes
    now = utc_now()

    def invitation(number: int, status: str, reminder: timedelta | None) -> dict[str, Any]:
        return {
            "_id": f"inv-{number:04d}",
            "program_id": "prog-reminders",
            "employee_id": f"e-{number:04d}",
            "status": status,
            "next_reminder_at": None if reminder is None else now + reminder,
        }

    await database["invitations"].insert_many(
        [
            *(invitation(n, "sent", timedelta(days=2)) for n in range(100)),
            *(invitation(n, "sent", None) for n in range(100, 200)),
            *(invitation(n, "registered", None) for n in range(200, 300)),
            *(invitation(n, "sent", -timedelta(minutes=n - 299)) for n in range(300, 302)),
        ]
    )

    explained = await (
        database["invitations"]
        .find(reminders_due_by(now))
        .sort("next_reminder_at", 1)
        .limit(500)
        .explain()
    )

    assert "sent_by_reminder" in str(explained["queryPlanner"]["winningPlan"])
    assert explained["executionStats"]["totalDocsExamined"] == 2
    assert explained["executionStats"]["nReturned"] == 2


async def test_invitations_are_sent_once_and_remind_only_who_has_not_registered(
    client: httpx.AsyncClient, database: Database
) -> None:
    program = await _program(client)
    path = f"/v1/programs/{program['program_id']}"
    plan = {"remind_after_days": 0.00002, "max_reminders": 1}  # about 1.7 s
    invited = await client.post(f"{path}/invitations", json=plan, headers=ADMIN)
    assert invited.status_code == 201, invited.text
    assert (invited.json()["invited"], invited.json()["sent"]) == (5, 5)
    again = await client.post(f"{path}/invitations", json=plan, headers=ADMIN)
    assert again.json()["invited"] == 0
    assert len(again.json()["already_invited"]) == 5
    for employee in ("eng-1", "sales-1"):
        await _register(client, program["program_id"], employee)

    async def reminders() -> list[InvitationReminderSent]:
        return [
            e.data for e in await _events(database) if isinstance(e.data, InvitationReminderSent)
        ]

    reminded = await eventually(reminders, lambda found: len(found) == 3, timeout_s=20)
    await asyncio.sleep(1.0)
    assert len(await reminders()) == 3, "one reminder each, no more"
    sent = [e.data for e in await _events(database) if isinstance(e.data, InvitationSent)]
    registered = {
        invitation["employee_id"]: invitation
        for invitation in (await client.get(f"{path}/invitations", headers=ADMIN)).json()[
            "invitations"
        ]
    }
    assert {registered[e]["status"] for e in ("eng-1", "sales-1")} == {"registered"}
    by_invitation = {invitation.invitation_id: invitation.person_id for invitation in sent}
    reminded_people = {by_invitation[reminder.invitation_id] for reminder in reminded}
    registered_people = {
        by_invitation[registered[e]["invitation_id"]] for e in ("eng-1", "sales-1")
    }
    assert not reminded_people & registered_people
    contact = await client.get(
        f"/v1/invitations/{registered['eng-2']['invitation_id']}/contact", headers=ADMIN
    )
    assert contact.json()["email"] == "joan@example.com"
    text = repr(await _events(database))
    assert "joan" not in text.lower()


async def test_people_registered_by_csv_import_count_as_registered_invitations(
    client: httpx.AsyncClient,
) -> None:
    program = await _program(client)
    path = f"/v1/programs/{program['program_id']}"
    invited = await client.post(f"{path}/invitations", json={}, headers=ADMIN)
    assert invited.json()["sent"] == 5, invited.text
    header = "Employee ID,Full Name,Work Email,Department,Manager ID," + ",".join(MENTEE_ANSWERS)
    rows = [
        ",".join(
            [employee, employee, f"{employee}@example.com", "Engineering", "eng-lead"]
            + [
                ";".join(value) if isinstance(value, list) else str(value)
                for value in MENTEE_ANSWERS.values()
            ]
        )
        for employee in ("eng-1", "eng-2")
    ]
    imported = await client.post(
        f"{path}/registrations/import",
        content="\n".join([header, *rows]) + "\n",
        headers=ADMIN | CSV,
    )
    assert imported.json()["registered"] == 2, imported.text

    listed = (await client.get(f"{path}/invitations", headers=ADMIN)).json()["invitations"]
    status = {invitation["employee_id"]: invitation["status"] for invitation in listed}
    assert (status["eng-1"], status["eng-2"], status["sales-1"]) == (
        "registered",
        "registered",
        "sent",
    )


async def test_invitations_to_a_draft_wait_for_registration_to_open(
    client: httpx.AsyncClient, database: Database
) -> None:
    draft = await _program(client, lifecycle="draft")
    path = f"/v1/programs/{draft['program_id']}"
    invited = await client.post(
        f"{path}/invitations", json={"employee_ids": ["eng-1", "stranger"]}, headers=ADMIN
    )
    body = invited.json()
    assert (body["invited"], body["pending"]) == (1, 1)
    assert body["not_eligible"][0]["employee_id"] == "stranger"
    await asyncio.sleep(0.5)
    assert not [e for e in await _events(database) if e.event_type == "InvitationSent"]
    await client.post(f"{path}/lifecycle", json={"to": "registration_open"}, headers=ADMIN)

    async def sent() -> list[Any]:
        return [e for e in await _events(database) if e.event_type == "InvitationSent"]

    await eventually(sent, lambda found: len(found) == 1)


# ---------------------------------------------------------------- cohorts and reuse


async def test_a_next_cohort_keeps_the_questionnaire_rules_access_and_agenda(
    client: httpx.AsyncClient,
) -> None:
    program = await _program(client)
    path = f"/v1/programs/{program['program_id']}"
    await client.patch(
        path,
        json={"matching": {"weights": {"skills": 9}, "rules": {"reporting_line_depth": 4}}},
        headers=ADMIN,
    )
    await client.put(
        f"{path}/access", json={"anyone": False, "everyone_active": True}, headers=ADMIN
    )
    await client.put(f"{path}/agenda", json={"agenda": [{"title": "Kick-off"}]}, headers=ADMIN)
    await client.post(f"{path}/questionnaire/template", json={"template": "minimal"}, headers=ADMIN)
    cohort = await client.post(
        f"{path}/cohorts",
        json={
            "name": "Pilot, cohort 2",
            "starts_on": "2027-09-06",
            "ends_on": "2028-03-03",
            "registration_opens_at": "2027-06-01T00:00:00Z",
            "registration_closes_at": "2027-08-31T00:00:00Z",
        },
        headers=ADMIN,
    )
    assert cohort.status_code == 201, cohort.text
    body = cohort.json()
    assert (body["lifecycle"], body["name"], body["cloned_from"]) == (
        "draft",
        "Pilot, cohort 2",
        program["program_id"],
    )
    assert body["matching"]["weights"]["skills"] == 9
    assert body["matching"]["rules"]["reporting_line_depth"] == 4
    assert body["agenda"] == [{"title": "Kick-off", "notes": "", "session": None}]
    cohort_path = f"/v1/programs/{body['program_id']}"
    access = (await client.get(f"{cohort_path}/access", headers=ADMIN)).json()
    assert access["everyone_active"] is True
    questions = (await client.get(f"{cohort_path}/questionnaire", headers=ADMIN)).json()
    assert [q["key"] for q in questions["questions"]] == ["role"]
    bad = await client.post(
        f"{path}/cohorts",
        json={
            "name": "x",
            "starts_on": "2027-09-06",
            "ends_on": "2029-03-03",
            "registration_opens_at": "2027-06-01T00:00:00Z",
            "registration_closes_at": "2027-08-31T00:00:00Z",
        },
        headers=ADMIN,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.ends_on"


async def test_questionnaires_come_from_other_programs_and_the_pool(
    client: httpx.AsyncClient,
) -> None:
    source = await _program(client, questionnaire_template="minimal")
    target = await _program(client, questionnaire_template="minimal")
    custom = {
        "key": "team_size",
        "prompt": "How many people are on your team?",
        "kind": "number",
        "minimum": 0,
        "maximum": 500,
    }
    saved = await client.put("/v1/question-pool/team_size", json=custom, headers=ADMIN)
    assert saved.status_code == 200, saved.text
    clash = await client.put(
        "/v1/question-pool/seniority", json=custom | {"key": "seniority"}, headers=ADMIN
    )
    assert clash.status_code == 422
    pool = (await client.get("/v1/question-pool", headers=ADMIN)).json()
    assert {item["source"] for item in pool} == {"standard", "custom"}
    source_path = f"/v1/programs/{source['program_id']}/questionnaire"
    added = await client.post(
        f"{source_path}/questions", json={"keys": ["seniority", "team_size"]}, headers=ADMIN
    )
    assert [q["key"] for q in added.json()["questions"]] == ["role", "seniority", "team_size"]
    twice = await client.post(
        f"{source_path}/questions", json={"keys": ["team_size"]}, headers=ADMIN
    )
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["field"] == "body.keys[0]"

    imported = await client.post(
        f"/v1/programs/{target['program_id']}/questionnaire/import",
        json={"program_id": source["program_id"]},
        headers=ADMIN,
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["version"] == 2
    assert [q["key"] for q in imported.json()["questions"]] == ["role", "seniority", "team_size"]


async def test_an_organisation_sets_its_offices_once_for_every_new_program(
    client: httpx.AsyncClient,
) -> None:
    offices = [
        {"key": "san_diego", "label": "San Diego"},
        {"key": "vancouver", "label": "Vancouver"},
        {"key": "toronto", "label": "Toronto"},
        {"key": "copenhagen", "label": "Copenhagen"},
    ]
    edited = await client.put(
        "/v1/organisation/choices/locations", json={"choices": offices}, headers=ADMIN
    )
    assert edited.status_code == 200, edited.text
    program = await _program(client)
    questionnaire = (
        await client.get(f"/v1/programs/{program['program_id']}/questionnaire", headers=ADMIN)
    ).json()
    [locations] = [q for q in questionnaire["questions"] if q["key"] == "locations"]
    assert [c["key"] for c in locations["choices"]] == [
        "remote",
        "san_diego",
        "vancouver",
        "toronto",
        "copenhagen",
    ]
    bad_zone = await client.put(
        "/v1/organisation/choices/time_zones",
        json={"choices": [{"key": "Mars/Olympus", "label": "Mars"}]},
        headers=ADMIN,
    )
    assert bad_zone.status_code == 422
    assert bad_zone.json()["errors"][0]["field"] == "body.choices.0.key"
    languages = await client.put(
        "/v1/organisation/choices/languages",
        json={"choices": [{"key": "en", "label": "English"}, {"key": "da", "label": "Danish"}]},
        headers=ADMIN,
    )
    assert [c["key"] for c in languages.json()["languages"]] == ["en", "da"]


async def test_listing_by_registration_status_follows_the_lifecycle(
    client: httpx.AsyncClient,
) -> None:
    opened = (await _program(client))["program_id"]
    draft = (await _program(client, lifecycle="draft"))["program_id"]
    matching = (await _program(client))["program_id"]
    await client.post(f"/v1/programs/{matching}/lifecycle", json={"to": "matching"}, headers=ADMIN)

    async def listed(status: str) -> set[str]:
        response = await client.get(
            "/v1/programs", params={"registration_status": status}, headers=ADMIN
        )
        return {program["program_id"] for program in response.json()["programs"]}

    assert await listed("open") == {opened}
    assert await listed("scheduled") == {draft}
    assert await listed("closed") == {matching}
