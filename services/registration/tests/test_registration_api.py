"""The registration service over HTTP, against a real MongoDB (events read from its outbox)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mentorship_contracts import Envelope, IntegrationEvent, decode
from mentorship_contracts.topics import DIRECTORY
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, stored_traces
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token
from mentorship_kit.mongo import Database, MongoClient, create_client
from mentorship_kit.outbox import Outbox, OutboxRecord
from mentorship_kit.pseudonyms import Pseudonyms
from registration.app import build_app
from registration.settings import RegistrationSettings

from .factories import MENTEE_ANSWERS, MENTOR_ANSWERS, program_settings

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)


@pytest.fixture
def settings(make_settings: SettingsFactory) -> RegistrationSettings:
    return make_settings(RegistrationSettings, import_chunk_rows=7)


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


async def _records(database: Database) -> list[OutboxRecord]:
    batches = await Outbox(database, retention=timedelta(hours=1)).batches()
    return [record for batch in batches for record in batch.records]


async def _events(database: Database) -> list[Envelope[IntegrationEvent]]:
    """Program and participant events (the directory's are `_directory_events`)."""
    return [
        decode(record.value)
        for record in await _records(database)
        if not record.topic.endswith(DIRECTORY.name)
    ]


async def _directory_events(database: Database) -> list[Envelope[IntegrationEvent]]:
    return [
        decode(record.value)
        for record in await _records(database)
        if record.topic.endswith(DIRECTORY.name)
    ]


async def _event_types(database: Database) -> list[str]:
    return [event.event_type for event in await _events(database)]


async def _program(client: httpx.AsyncClient, **changes: Any) -> str:
    response = await client.post("/v1/programs", json=program_settings(**changes), headers=ADMIN)
    assert response.status_code == 201, response.text
    program_id: str = response.json()["program_id"]
    return program_id


def _person(employee_id: str, answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "employee_id": employee_id,
        "name": f"Person {employee_id}",
        "email": f"{employee_id}@example.com",
        "department": "Engineering",
        "answers": answers,
    } | extra


# ---------------------------------------------------------------- access


async def test_admin_operations_need_an_admin(client: httpx.AsyncClient) -> None:
    body = program_settings()
    anonymous = await client.post("/v1/programs", json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthenticated"

    participant = await client.post(
        "/v1/programs", json=body, headers=bearer(participant_token("emp-1"))
    )
    assert participant.status_code == 403

    expired = await client.post(
        "/v1/programs", json=body, headers=bearer(participant_token("emp-1", ttl_s=-120))
    )
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]

    forged = await client.post(
        "/v1/programs", json=body, headers=bearer(participant_token("emp-1", secret="x" * 40))
    )
    assert forged.status_code == 401

    jwt_admin = bearer(participant_token("hr-1", roles=("mentorship-admin",)))
    assert (await client.post("/v1/programs", json=body, headers=jwt_admin)).status_code == 201


async def test_participants_act_on_their_own_registration_only(
    client: httpx.AsyncClient,
) -> None:
    program_id = await _program(client)
    ada = bearer(participant_token("emp-ada"))
    own = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json=_person("emp-ada", MENTEE_ANSWERS) | {"employee_id": None},
        headers=ada,
    )
    assert own.status_code == 201, own.text
    assert own.json()["employee_id"] == "emp-ada"
    me = await client.get(f"/v1/programs/{program_id}/registrations/me", headers=ada)
    assert me.json()["participant_id"] == own.json()["participant_id"]

    someone_else = _person("emp-bob", MENTEE_ANSWERS)
    posted = await client.post(
        f"/v1/programs/{program_id}/registrations", json=someone_else, headers=ada
    )
    assert posted.status_code == 403
    read = await client.get(f"/v1/programs/{program_id}/registrations/emp-bob", headers=ada)
    assert read.status_code == 403
    listing = await client.get(f"/v1/programs/{program_id}/registrations", headers=ada)
    assert listing.status_code == 403


# ---------------------------------------------------------------- programs


async def test_program_lifecycle_is_announced_with_full_state(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    read = (await client.get(f"/v1/programs/{program_id}", headers=ADMIN)).json()
    assert read["registration_status"] == "open"
    assert read["questionnaire_version"] == 1
    assert "public_speaking" in read["topics"]["skills"]

    opened = await client.get("/v1/programs?registration_status=open", headers=ADMIN)
    assert program_id in [program["program_id"] for program in opened.json()["programs"]]
    scheduled = await client.get("/v1/programs?registration_status=scheduled", headers=ADMIN)
    assert program_id not in [program["program_id"] for program in scheduled.json()["programs"]]

    renamed = await client.patch(
        f"/v1/programs/{program_id}", json={"name": "Leaders 2027"}, headers=ADMIN
    )
    assert renamed.json()["name"] == "Leaders 2027"
    unchanged = await client.patch(
        f"/v1/programs/{program_id}", json={"name": "Leaders 2027"}, headers=ADMIN
    )
    assert unchanged.status_code == 200
    closed = await client.post(f"/v1/programs/{program_id}/registration/close", headers=ADMIN)
    assert closed.json()["registration_status"] == "closed"

    events = await _events(database)
    assert [event.event_type for event in events] == [
        "ProgramCreated",
        "ProgramUpdated",
        "ProgramUpdated",
    ]
    assert events[1].data.changed_fields == ("name",)  # type: ignore[attr-defined]
    assert events[2].data.registration_status == "closed"  # type: ignore[attr-defined]


async def test_invalid_program_changes_name_the_field(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    starts = (await client.get(f"/v1/programs/{program_id}", headers=ADMIN)).json()["starts_on"]
    too_long = await client.patch(
        f"/v1/programs/{program_id}",
        json={"ends_on": f"{int(starts[:4]) + 2}-01-01"},
        headers=ADMIN,
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "body.ends_on"
    assert "at most 12 months" in too_long.json()["errors"][0]["message"]

    unknown = await client.patch(
        f"/v1/programs/{program_id}", json={"colour": "red"}, headers=ADMIN
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.colour"

    missing = await client.get("/v1/programs/prog-nope", headers=ADMIN)
    assert missing.status_code == 404
    assert missing.json()["error"] == "program_not_found"


async def test_a_patch_null_is_what_the_document_says(client: httpx.AsyncClient) -> None:
    """A setting left out stays; null clears a setting that may be empty, and only such one."""
    document = (await client.get("/openapi.json")).json()
    patch = document["components"]["schemas"]["ProgramPatch"]["properties"]

    def nullable(schema: dict[str, Any]) -> bool:
        return {"type": "null"} in schema.get("anyOf", [])

    assert not nullable(patch["format"])
    assert nullable(patch["max_group_size"])
    assert [name for name, schema in patch.items() if nullable(schema)] == ["max_group_size"]
    assert all("default" not in schema for schema in patch.values())
    size = next(s for s in patch["max_group_size"]["anyOf"] if s.get("type") == "integer")
    assert (size["minimum"], size["maximum"]) == (2, 50), "the document keeps the constraints"

    group = await _program(client, format="group", max_group_size=6)
    refused = await client.patch(f"/v1/programs/{group}", json={"format": None}, headers=ADMIN)
    assert refused.status_code == 422
    [problem] = refused.json()["errors"]
    assert problem["field"] == "body.format"
    assert "null" in problem["message"]
    assert "leave format out" in problem["message"]

    one_on_one = await client.patch(
        f"/v1/programs/{group}",
        json={"format": "one_on_one", "max_group_size": None},
        headers=ADMIN,
    )
    assert one_on_one.status_code == 200, one_on_one.text
    assert (one_on_one.json()["format"], one_on_one.json()["max_group_size"]) == (
        "one_on_one",
        None,
    )


# ---------------------------------------------------------------- registering


async def test_registration_outside_the_window_is_refused_with_the_reason(
    client: httpx.AsyncClient,
) -> None:
    later = utc_now() + timedelta(days=3)
    scheduled = await _program(client, registration_opens_at=later.isoformat())
    early = await client.post(
        f"/v1/programs/{scheduled}/registrations",
        json=_person("emp-1", MENTEE_ANSWERS),
        headers=ADMIN,
    )
    assert early.status_code == 409
    assert early.json()["error"] == "registration_not_open"
    assert later.isoformat()[:16] in early.json()["message"]

    open_program = await _program(client)
    await client.post(f"/v1/programs/{open_program}/registration/close", headers=ADMIN)
    late = await client.post(
        f"/v1/programs/{open_program}/registrations",
        json=_person("emp-1", MENTEE_ANSWERS),
        headers=ADMIN,
    )
    assert late.status_code == 409
    assert late.json()["error"] == "registration_closed"


async def test_registering_again_updates_and_never_duplicates(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations"
    first = await client.post(path, json=_person("emp-1", MENTEE_ANSWERS), headers=ADMIN)
    same = await client.post(path, json=_person("emp-1", MENTEE_ANSWERS), headers=ADMIN)
    changed = await client.post(path, json=_person("emp-1", MENTOR_ANSWERS), headers=ADMIN)
    put = await client.put(
        f"{path}/emp-1", json=_person("emp-1", MENTOR_ANSWERS, name="Ada L."), headers=ADMIN
    )

    assert (first.status_code, first.json()["change"]) == (201, "registered")
    assert (same.status_code, same.json()["change"]) == (200, "unchanged")
    assert (changed.status_code, changed.json()["change"]) == (200, "updated")
    assert (put.status_code, put.json()["change"]) == (200, "updated")
    assert put.json()["participant_id"] == first.json()["participant_id"]
    assert put.json()["role"] == "mentor"
    assert put.json()["capacity"] == 3
    assert await database["participants"].count_documents({}) == 1
    assert await _event_types(database) == [
        "ProgramCreated",
        "ParticipantRegistered",
        "ParticipantUpdated",
        "ParticipantUpdated",
    ]
    missing = await client.put(
        f"{path}/emp-404", json=_person("emp-404", MENTEE_ANSWERS), headers=ADMIN
    )
    assert missing.status_code == 404


async def test_concurrent_registrations_never_fail_or_duplicate(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations"
    bodies = [
        _person(f"emp-{i}", MENTEE_ANSWERS, manager_employee_id="emp-new-boss") for i in range(6)
    ]
    bodies += [_person("emp-0", MENTEE_ANSWERS, manager_employee_id="emp-new-boss")]

    responses = await asyncio.gather(
        *(client.post(path, json=body, headers=ADMIN) for body in bodies)
    )

    assert sorted(response.status_code for response in responses) == [200] + [201] * 6
    assert await database["participants"].count_documents({}) == 6
    assert await database["people"].count_documents({"_id": "emp-new-boss"}) == 1
    assert (await _event_types(database)).count("ParticipantRegistered") == 6


async def test_events_carry_normalised_answers_and_no_personal_data(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations"
    await client.post(path, json=_person("emp-boss", MENTOR_ANSWERS), headers=ADMIN)
    await client.post(
        path,
        json=_person("emp-1", MENTEE_ANSWERS, manager_employee_id="emp-boss"),
        headers=ADMIN,
    )
    registered = (await _events(database))[-1].data
    assert registered.event_type == "ParticipantRegistered"
    assert registered.profile.skills_wanted == ("public_speaking",)  # type: ignore[attr-defined]
    assert registered.department == "engineering"  # type: ignore[attr-defined]
    assert len(registered.reporting_line) == 1  # type: ignore[attr-defined]
    raw = [record.value for record in await _records(database)]
    for secret in (b"emp-1", b"emp-boss", b"Person emp-1", b"@example.com"):
        assert not any(secret in value for value in raw)


async def test_invalid_answers_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    response = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json=_person(
            "emp-1",
            MENTEE_ANSWERS | {"capacity": 2, "seniority": "wizard", "favourite_colour": "teal"},
            manager_employee_id="emp-boss",
        ),
        headers=ADMIN,
    )
    assert response.status_code == 422
    errors = {item["field"]: item["message"] for item in response.json()["errors"]}
    assert (
        errors["body.answers.capacity"] == "this question is only asked when role is mentor or both"
    )
    assert errors["body.answers.favourite_colour"] == "there is no such question"
    assert "'wizard' is not one of the choices" in errors["body.answers.seniority"]
    for collection in ("participants", "people"):
        assert await database[collection].count_documents({}) == 0
    assert await _event_types(database) == ["ProgramCreated"]


async def test_preferred_mentors_must_be_registered_mentors(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations"
    mentor = (await client.post(path, json=_person("emp-m", MENTOR_ANSWERS), headers=ADMIN)).json()
    picked = await client.post(
        path,
        json=_person("emp-1", MENTEE_ANSWERS, preferred_mentors=[mentor["participant_id"]]),
        headers=ADMIN,
    )
    assert picked.json()["preferred_mentors"] == [mentor["participant_id"]]
    unknown = await client.post(
        path, json=_person("emp-2", MENTEE_ANSWERS, preferred_mentors=["nobody"]), headers=ADMIN
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.preferred_mentors"


# ---------------------------------------------------------------- reporting lines

# Who manages whom: a mentee, her manager, his manager (a director), and the director's boss.
MANAGERS = {"mentee": "manager", "manager": "director", "director": "ceo", "ceo": None}


async def _lines_after_registering(
    client: httpx.AsyncClient,
    database: Database,
    program_id: str,
    order: tuple[str, ...],
    suffix: str,
) -> dict[str, tuple[str, ...]]:
    """Register ``order`` one by one; each person's reporting line as their last event says."""
    seen = len(await _events(database))
    for who in order:
        manager = MANAGERS[who]
        body = _person(
            f"{who}-{suffix}",
            MENTOR_ANSWERS if who != "mentee" else MENTEE_ANSWERS,
            manager_employee_id=f"{manager}-{suffix}" if manager else None,
        )
        response = await client.post(
            f"/v1/programs/{program_id}/registrations", json=body, headers=ADMIN
        )
        assert response.status_code == 201, response.text
    events = [event.data for event in (await _events(database))[seen:]]
    assert [event.event_type for event in events] == ["ParticipantRegistered"] * len(order)
    return {
        who: event.reporting_line  # type: ignore[attr-defined]
        for who, event in zip(order, events, strict=True)
    }


@pytest.mark.slow
async def test_the_direct_manager_is_always_in_the_line_whatever_the_order(
    client: httpx.AsyncClient, database: Database, settings: RegistrationSettings
) -> None:
    """Each event names the direct manager first, registered or not, in any arrival order.

    Above the direct manager a line holds the chain registration knew at that moment (the
    managers named by earlier registrations), so the edge person -> line[0] of every
    participant's latest event rebuilds the true hierarchy whatever the order.
    """
    pseudonyms = Pseudonyms(settings.auth_pseudonym_key)
    program_id = await _program(client)
    for number, order in enumerate(itertools.permutations(MANAGERS)):
        suffix = f"p{number}"

        def person(who: str | None, suffix: str = suffix) -> str:
            assert who is not None
            person_id = pseudonyms.person_id(f"{who}-{suffix}")
            assert person_id is not None
            return person_id

        def true_line(who: str) -> tuple[str, ...]:
            line, manager = [], MANAGERS[who]
            while manager is not None:
                line.append(person(manager))
                manager = MANAGERS[manager]
            return tuple(line)

        lines = await _lines_after_registering(client, database, program_id, order, suffix)

        for who, line in lines.items():
            if MANAGERS[who] is None:
                assert line == ()
                continue
            assert line[:1] == (person(MANAGERS[who]),), f"{order}: {who}'s direct manager"
            assert line == true_line(who)[: len(line)], f"{order}: {who}'s line is a prefix"
            registered_before = set(order[: order.index(who)])
            known = 1
            while known < len(true_line(who)) and _nth_manager(who, known) in registered_before:
                known += 1
            assert len(line) == known, f"{order}: {who} carries the chain known then"

        again = await client.post(
            f"/v1/programs/{program_id}/registrations",
            json=_person(
                f"mentee-{suffix}", MENTEE_ANSWERS, manager_employee_id=f"manager-{suffix}"
            ),
            headers=ADMIN,
        )
        if lines["mentee"] == true_line("mentee"):
            assert again.json()["change"] == "unchanged"
        else:
            assert again.json()["change"] == "updated", "registering again refreshes the line"
            updated = (await _events(database))[-1].data
            assert updated.event_type == "ParticipantUpdated"
            assert updated.reporting_line == true_line("mentee")  # type: ignore[attr-defined]


def _nth_manager(who: str, n: int) -> str | None:
    """The ``n``-th manager above ``who`` (1: the direct manager)."""
    current: str | None = who
    for _ in range(n):
        assert current is not None
        current = MANAGERS[current]
    return current


# ---------------------------------------------------------------- questionnaire versions


async def test_changing_the_questionnaire_keeps_earlier_answers_intact(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    base = f"/v1/programs/{program_id}"
    await client.post(
        f"{base}/registrations",
        json=_person("emp-1", MENTEE_ANSWERS | {"interests": ["music"]}),
        headers=ADMIN,
    )
    version_1 = (await client.get(f"{base}/questionnaire", headers=ADMIN)).json()
    questions = [q for q in version_1["questions"] if q["key"] != "interests"]
    questions.append({"key": "favourite_tool", "prompt": "Favourite tool?", "kind": "free_text"})

    replaced = await client.put(
        f"{base}/questionnaire", json={"questions": questions}, headers=ADMIN
    )

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["version"] == 2
    earlier = (await client.get(f"{base}/registrations/emp-1", headers=ADMIN)).json()
    assert earlier["questionnaire_version"] == 1
    assert earlier["answers"]["interests"] == ["music"]
    old = (await client.get(f"{base}/questionnaire?version=1", headers=ADMIN)).json()
    assert "interests" in [question["key"] for question in old["questions"]]
    stale = await client.post(
        f"{base}/registrations",
        json=_person("emp-2", MENTEE_ANSWERS | {"interests": ["music"]}),
        headers=ADMIN,
    )
    assert stale.status_code == 422
    fresh = await client.post(
        f"{base}/registrations",
        json=_person("emp-2", MENTEE_ANSWERS | {"favourite_tool": "pencil"}),
        headers=ADMIN,
    )
    assert fresh.json()["questionnaire_version"] == 2
    assert (await client.get(f"{base}/questionnaire?version=3", headers=ADMIN)).status_code == 404
    # topics did not change, so subscribers were not bothered with a ProgramUpdated
    assert "ProgramUpdated" not in await _event_types(database)


async def test_the_versions_list_what_each_version_changed(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    base = f"/v1/programs/{program_id}/questionnaire"
    version_1 = (await client.get(base, headers=ADMIN)).json()
    questions = [q for q in version_1["questions"] if q["key"] != "interests"]
    questions[0] = questions[0] | {"help": "Choose one."}
    questions.append({"key": "favourite_tool", "prompt": "Favourite tool?", "kind": "free_text"})
    saved = await client.put(base, json={"questions": questions}, headers=ADMIN)
    assert saved.status_code == 200, saved.text

    listed = await client.get(f"{base}/versions", headers=ADMIN)

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["current_version"] == 2
    newest, first = body["versions"]
    assert (newest["version"], first["version"]) == (2, 1)
    assert newest["added"] == ["favourite_tool"]
    assert newest["removed"] == ["interests"]
    assert newest["changed"] == [{"key": questions[0]["key"], "fields": ["help"]}]
    assert newest["moved"] is False
    assert newest["questions"] == len(questions)
    assert first["added"] == [q["key"] for q in version_1["questions"]]
    assert first["removed"] == first["changed"] == []
    participant = bearer(participant_token("someone"))
    refused = await client.get(f"{base}/versions", headers=participant)
    assert refused.status_code == 403, refused.text
    missing = await client.get("/v1/programs/no-such/questionnaire/versions", headers=ADMIN)
    assert missing.status_code == 404


async def test_a_template_is_applied_in_one_call_and_announced(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    applied = await client.post(
        f"/v1/programs/{program_id}/questionnaire/template",
        json={"template": "minimal"},
        headers=ADMIN,
    )
    assert applied.json()["version"] == 2
    assert [q["key"] for q in applied.json()["questions"]] == ["role"]
    updated = (await _events(database))[-1]
    assert updated.event_type == "ProgramUpdated"
    assert updated.data.topics.skills == ()  # type: ignore[attr-defined]
    invalid = await client.put(
        f"/v1/programs/{program_id}/questionnaire",
        json={"questions": [{"key": "x", "prompt": "X?", "kind": "free_text"}]},
        headers=ADMIN,
    )
    assert invalid.status_code == 422
    assert "needs a question with meaning 'role'" in invalid.json()["message"]


async def test_a_questionnaire_read_can_be_saved_back(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/questionnaire"
    read: dict[str, Any] = (await client.get(path, headers=ADMIN)).json()
    assert {"program_id", "version", "created_at"} <= set(read)

    def edited(**changes: Any) -> dict[str, Any]:
        return read | {"questions": read["questions"][:-1]} | changes

    wrong_program = await client.put(path, json=edited(program_id="prog-other"), headers=ADMIN)
    assert wrong_program.status_code == 422
    assert [e["field"] for e in wrong_program.json()["errors"]] == ["body.program_id"]
    assert "read-only" in wrong_program.json()["errors"][0]["message"]
    wrong_time = await client.put(
        path, json=edited(created_at="2001-01-01T00:00:00Z"), headers=ADMIN
    )
    assert wrong_time.status_code == 422
    assert [e["field"] for e in wrong_time.json()["errors"]] == ["body.created_at"]

    saved = await client.put(path, json=edited(), headers=ADMIN)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    assert len(saved.json()["questions"]) == len(read["questions"]) - 1

    stale = await client.put(path, json=edited(), headers=ADMIN)
    assert stale.status_code == 409
    assert stale.json()["error"] == "questionnaire_changed"
    assert [e["field"] for e in stale.json()["errors"]] == ["body.version"]
    assert "the current version is 2" in stale.json()["errors"][0]["message"]

    again = (await client.get(path, headers=ADMIN)).json()
    assert (await client.put(path, json=again, headers=ADMIN)).json()["version"] == 3
    questions_only = {"questions": read["questions"][:-1]}
    response_of_a_put = (await client.put(path, json=questions_only, headers=ADMIN)).json()
    assert response_of_a_put["version"] == 4, "without read-only fields: no check"
    resent = await client.put(path, json=response_of_a_put, headers=ADMIN)
    assert resent.json()["version"] == 5, "a PUT's own answer can be sent back too"


# ---------------------------------------------------------------- withdrawal and erasure


async def test_withdrawing_and_coming_back(client: httpx.AsyncClient, database: Database) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations"
    ada = bearer(participant_token("emp-ada"))
    await client.post(path, json=_person("emp-ada", MENTEE_ANSWERS), headers=ada)

    withdrawn = await client.post(f"{path}/me/withdraw", headers=ada)
    again = await client.post(f"{path}/me/withdraw", headers=ada)
    back = await client.post(path, json=_person("emp-ada", MENTEE_ANSWERS), headers=ada)

    assert withdrawn.json()["status"] == "withdrawn"
    assert again.json()["status"] == "withdrawn"
    assert back.status_code == 201
    assert back.json()["status"] == "active"
    assert await _event_types(database) == [
        "ProgramCreated",
        "ParticipantRegistered",
        "ParticipantWithdrew",
        "ParticipantRegistered",
    ]


async def test_erasure_leaves_no_personal_data_behind(
    client: httpx.AsyncClient, database: Database
) -> None:
    first, second = await _program(client), await _program(client)
    await client.post(
        f"/v1/programs/{first}/registrations",
        json=_person(
            "emp-erase", MENTOR_ANSWERS, name="Erin Erasable", manager_employee_id="emp-ceo"
        ),
        headers=ADMIN,
    )
    await client.post(
        f"/v1/programs/{second}/registrations",
        json=_person("emp-erase", MENTOR_ANSWERS, name="Erin Erasable"),
        headers=ADMIN,
    )
    report = await client.post(
        f"/v1/programs/{first}/registrations",
        json=_person("emp-report", MENTEE_ANSWERS, manager_employee_id="emp-erase"),
        headers=ADMIN,
    )
    erased_person = (await database["people"].find_one({"_id": "emp-erase"}) or {})["person_id"]

    response = await client.delete("/v1/people/emp-erase", headers=ADMIN)

    assert response.json() == {"employee_id": "emp-erase", "registrations_erased": 2}
    erasures = [e for e in await _events(database) if e.event_type == "ParticipantErased"]
    assert {e.data.program_id for e in erasures} == {first, second}  # type: ignore[attr-defined]
    traces = {"emp-erase", "Erin Erasable", "emp-erase@example.com", erased_person}
    assert await stored_traces(database, traces, skip={"outbox"}) == []
    remaining = (
        await client.get(f"/v1/programs/{first}/registrations/emp-report", headers=ADMIN)
    ).json()
    assert remaining["manager_employee_id"] is None
    assert remaining["participant_id"] == report.json()["participant_id"]
    again = await client.delete("/v1/people/emp-erase", headers=ADMIN)
    assert again.json()["registrations_erased"] == 0
    participant = bearer(participant_token("emp-report"))
    assert (await client.delete("/v1/people/emp-report", headers=participant)).status_code == 403


async def test_contact_details_are_for_admins_only(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    created = await client.post(
        f"/v1/programs/{program_id}/registrations",
        json=_person("emp-1", MENTEE_ANSWERS),
        headers=ADMIN,
    )
    path = f"/v1/participants/{created.json()['participant_id']}/contact"
    contact = await client.get(path, headers=ADMIN)
    assert contact.json() == {
        "participant_id": created.json()["participant_id"],
        "name": "Person emp-1",
        "email": "emp-1@example.com",
        "time_zone": "Europe/London",
    }
    assert (await client.get(path, headers=bearer(participant_token("emp-1")))).status_code == 403


# ---------------------------------------------------------------- CSV import

CSV_HEADER = (
    "Employee ID,Full Name,Work Email,Department,Manager ID,role,capacity,seniority,discipline,"
    "locations,time_zone,languages,skills_to_grow,skills_to_mentor"
)


def _csv_row(employee: str, role: str, capacity: str = "", **overrides: str) -> str:
    cells = {
        "employee": employee,
        "name": f"Person {employee}",
        "email": f"{employee}@example.com",
        "department": "Engineering",
        "manager": "",
        "role": role,
        "capacity": capacity,
        "seniority": "senior" if role == "mentor" else "associate",
        "discipline": "engineering",
        "locations": "remote",
        "time_zone": "UTC",
        "languages": "en;de",
        "grow": "leadership|delegation" if role == "mentee" else "",
        "mentor": "leadership" if role == "mentor" else "",
    } | overrides
    return ",".join(cells.values())


async def test_csv_import_registers_good_rows_and_reports_bad_ones(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    rows = [_csv_row(f"emp-{i}", "mentee", manager="emp-m0") for i in range(12)]
    rows += [_csv_row("emp-m0", "mentor", "2")]
    rows += [
        _csv_row("emp-bad-email", "mentee", email="nope"),
        _csv_row("emp-bad-role", "overlord"),
        _csv_row("emp-hidden", "mentee", capacity="3"),
        _csv_row("emp-1", "mentee"),  # the same person twice
    ]
    text = CSV_HEADER + "\n" + "\n".join(rows) + "\n"
    path = f"/v1/programs/{program_id}/registrations/import"

    report = await client.post(path, content=text, headers=ADMIN | {"content-type": "text/csv"})

    body = report.json()
    assert report.status_code == 200, report.text
    assert (body["rows"], body["registered"], body["failed"]) == (17, 13, 4)
    assert [(error["row"], error["field"]) for error in body["errors"]] == [
        (15, "body.email"),
        (16, "body.answers.role"),
        (17, "body.answers.capacity"),
        (18, "body.employee_id"),
    ]
    assert await database["participants"].count_documents({}) == 13
    assert (await _event_types(database)).count("ParticipantRegistered") == 13
    mentee = await database["participants"].find_one({"employee_id": "emp-3"})
    assert mentee is not None
    assert len(mentee["reporting_line"]) == 1, "a manager in the same file counts"

    again = (
        await client.post(path, content=text, headers=ADMIN | {"content-type": "text/csv"})
    ).json()
    assert (again["registered"], again["unchanged"], again["failed"]) == (0, 13, 4)
    assert (await _event_types(database)).count("ParticipantRegistered") == 13


async def test_csv_files_that_cannot_be_read(client: httpx.AsyncClient) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations/import"
    csv_headers = ADMIN | {"content-type": "text/csv"}
    missing = await client.post(path, content="name,email\n", headers=csv_headers)
    assert missing.status_code == 422
    assert "employee_id" in missing.json()["message"]
    latin = await client.post(
        path, content="employee_id,name,email\nä".encode("latin-1"), headers=csv_headers
    )
    assert latin.status_code == 422
    assert "UTF-8" in latin.json()["message"]
    participant = await client.post(
        path, content="employee_id,name,email\n", headers=bearer(participant_token("x"))
    )
    assert participant.status_code == 403


async def test_an_oversized_csv_cell_is_a_422_naming_line_and_column(
    client: httpx.AsyncClient, database: Database
) -> None:
    program_id = await _program(client)
    path = f"/v1/programs/{program_id}/registrations/import"
    huge = _csv_row("emp-2", "mentee", name="x" * 131_073)
    text = f"{CSV_HEADER}\n{_csv_row('emp-1', 'mentee')}\n{huge}\n"

    response = await client.post(path, content=text, headers=ADMIN | {"content-type": "text/csv"})

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "csv_invalid"
    assert "line 3, column 2 (Full Name)" in response.json()["message"]
    assert "IMPORT_MAX_CELL_CHARS" in response.json()["message"]
    assert await database["participants"].count_documents({}) == 0
