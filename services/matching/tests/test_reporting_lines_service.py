"""Issue #13's example through the service: registered bottom-up, the mentee is still
never paired with her skip-level manager, why-not says why, and erasure forgets the edges."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest

from matching.adapters.reporting import ManagerEdges
from matching.app import build_app
from matching.domain.reporting import ManagerStatement
from matching.settings import MatchingServiceSettings
from mentorship_contracts import seal
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    ParticipantErased,
)
from mentorship_contracts.events.program import MatchingRules
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually, stored_traces
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_kit.mongo import create_client
from mentorship_kit.outbox import OUTBOX_COLLECTION, Transaction

from .harness import matching_parts
from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
PROGRAM = "prog-lines"


async def test_a_bottom_up_registration_keeps_the_skip_level_manager_apart(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(MatchingServiceSettings, matching_worker_poll_s=0.1)
    now = utc_now()
    registered = [  # as registration sends them, the mentee first
        person("mentee", MENTEE, reporting_line=("person-manager",), program_id=PROGRAM),
        person(
            "manager", MENTOR, capacity=2, reporting_line=("person-director",), program_id=PROGRAM
        ),
        person("director", MENTOR, capacity=2, program_id=PROGRAM),
    ]
    events = [
        seal(program(program_id=PROGRAM, rules=MatchingRules(reporting_line_depth=2)), source="t"),
        *(
            seal(event, source="t").model_copy(update={"occurred_at": now + timedelta(seconds=k)})
            for k, event in enumerate(registered)
        ),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def pool() -> dict[str, Any]:
            body: dict[str, Any] = (
                await client.get(f"/v1/programs/{PROGRAM}/pool", headers=ADMIN)
            ).json()
            return body

        await eventually(pool, lambda body: (body.get("mentors"), body.get("mentees")) == (2, 1))
        started = await client.post(f"/v1/programs/{PROGRAM}/matching-runs", json={}, headers=ADMIN)
        run_url = f"/v1/matching-runs/{started.json()['run_id']}"

        async def run() -> dict[str, Any]:
            body: dict[str, Any] = (await client.get(run_url, headers=ADMIN)).json()
            return body

        proposed = await eventually(run, lambda body: body["status"] == "proposed", timeout_s=30)
        assert proposed["summary"]["mentees_matched"] == 0
        why = (
            await client.get(
                f"{run_url}/why-not",
                params={"mentee_participant_id": "mentee", "mentor_participant_id": "director"},
                headers=ADMIN,
            )
        ).json()
        assert why["can_be_paired"] is False
        assert why["reasons"] == [
            (
                "hard rule: in each other's reporting line: the mentor is the mentee's manager "
                "2 levels up (person-mentee -> person-manager -> person-director)"
            )
        ]

        erased = example(
            ParticipantErased,
            participant_id="manager",
            program_id=PROGRAM,
            person_id="person-manager",
        )
        await publish_events(settings.kafka_bootstrap, [erased], prefix=settings.kafka_topic_prefix)
        await eventually(pool, lambda body: body.get("mentors") == 1)

    mongo = create_client(settings.mongodb_url, app_name="test")
    try:
        database = mongo[settings.mongodb_database]
        traces = await stored_traces(database, {"person-manager"}, skip={OUTBOX_COLLECTION})
        assert traces == []
    finally:
        await mongo.close()


async def test_managers_are_walked_to_the_depth_asked(make_settings: SettingsFactory) -> None:
    settings = make_settings(MatchingServiceSettings)
    async with matching_parts(settings) as matching:
        edges = ManagerEdges(matching.runtime.database)
        chain = [f"p{k:03d}" for k in range(120)]  # p000 reports to p001, who reports to p002 ...
        said = [
            ManagerStatement(person, manager, utc_now(), direct=True)
            for person, manager in zip(chain, [*chain[1:], None], strict=True)
        ]

        async def save(tx: Transaction) -> None:
            await edges.append(said, tx)

        await matching.transactor.run(save)
        few = await edges.managers_above({"p000"}, 3)
        assert few == {"p000": "p001", "p001": "p002", "p002": "p003"}
        many = await edges.managers_above(set(chain[:60]), 2)
        assert {person: many[person] for person in chain[:61]} == dict(pairwise(chain[:62]))
        assert "p119" not in many


async def test_the_directory_s_edges_apply_to_the_next_run_and_erasure_forgets_them(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    """The manager in between never registers; the directory alone links the mentee up."""
    settings = make_settings(MatchingServiceSettings, matching_worker_poll_s=0.1)
    program_id = "prog-directory"
    registered = [
        person("mentee", MENTEE, reporting_line=("person-manager",), program_id=program_id),
        person("director", MENTOR, capacity=2, program_id=program_id),
    ]
    directory = [
        example(DirectoryPersonChanged, person_id=who, manager_person_id=boss, version=1)
        for who, boss in (
            ("person-mentee", "person-manager"),
            ("person-manager", "person-director"),
            ("person-director", None),
        )
    ]
    events = [
        seal(
            program(program_id=program_id, rules=MatchingRules(reporting_line_depth=2)), source="t"
        ),
        *(seal(event, source="registration") for event in [*registered, *directory]),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await eventually(
            lambda: client.get(f"/v1/programs/{program_id}/pool", headers=ADMIN),
            lambda r: (r.json().get("mentors"), r.json().get("mentees")) == (1, 1),
        )

        async def matched() -> int:
            started = await client.post(
                f"/v1/programs/{program_id}/matching-runs", json={}, headers=ADMIN
            )
            run_url = f"/v1/matching-runs/{started.json()['run_id']}"
            done = await eventually(
                lambda: client.get(run_url, headers=ADMIN),
                lambda r: r.json()["status"] == "proposed",
                timeout_s=30,
            )
            count: int = done.json()["summary"]["mentees_matched"]
            return count

        assert await matched() == 0, "the director is two levels up"
        moved = example(
            DirectoryPersonChanged,
            person_id="person-mentee",
            manager_person_id="person-elsewhere",
            version=2,
        )
        await publish_events(settings.kafka_bootstrap, [moved], prefix=settings.kafka_topic_prefix)
        await asyncio.sleep(1.0)
        assert await matched() == 1, "moved elsewhere, the next run may pair them"
        erased = example(DirectoryPersonErased, person_id="person-manager")
        await publish_events(settings.kafka_bootstrap, [erased], prefix=settings.kafka_topic_prefix)
        mongo = create_client(settings.mongodb_url, app_name="test")
        try:
            database = mongo[settings.mongodb_database]
            await eventually(
                lambda: stored_traces(database, {"person-manager"}, skip={OUTBOX_COLLECTION}),
                lambda traces: traces == [],
            )
        finally:
            await mongo.close()
