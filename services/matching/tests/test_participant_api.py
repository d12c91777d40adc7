"""What participants read of matching with their own token: pairs, candidates, their data."""

from __future__ import annotations

from typing import Any

import pytest

from matching.app import build_app
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.types import MatchingMode
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_devstack.tokens import bearer, dev_person_id, participant_token

from .programs import MENTEE, MENTOR, person, program
from .test_runs_api import ADMIN, pool_filled, run_reaches, settings_for

pytestmark = pytest.mark.integration

Json = dict[str, Any]
PROGRAM, ADMIN_LED = "prog-choice", "prog-admin-led"
EMPLOYEES = {"ada": "e-ada", "grace": "e-grace", "linus": "e-linus", "bob": "e-bob"}


def as_employee(participant_id: str) -> dict[str, str]:
    return bearer(participant_token(EMPLOYEES[participant_id]))


def registered(participant_id: str, *args: Any, **kwargs: Any) -> ParticipantRegistered:
    """A participant whose person id is the one their token derives."""
    event = person(participant_id, *args, **kwargs)
    person_id = dev_person_id(EMPLOYEES.get(participant_id, f"e-{participant_id}"))
    return event.model_copy(update={"person_id": person_id})


async def test_participants_read_their_pairs_the_mentors_they_may_pick_and_their_data(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = settings_for(make_settings)
    events = [
        program(
            program_id=PROGRAM,
            matching_mode=MatchingMode.MENTEE_CHOICE,
            auto_approve_matches=False,
        ),
        program(program_id=ADMIN_LED, auto_approve_matches=False),
        registered(
            "grace",
            MENTOR,
            capacity=1,
            skills_offered=("python",),
            interests=("chess",),
            program_id=PROGRAM,
        ),
        registered("linus", MENTOR, capacity=1, program_id=PROGRAM),
        registered("ken", MENTOR, capacity=1, languages=("ja",), program_id=PROGRAM),
        registered(
            "ada",
            MENTEE,
            skills_wanted=("python",),
            interests=("chess",),
            preferred_mentors=("grace",),
            program_id=PROGRAM,
        ),
        registered("bob", MENTEE, program_id=ADMIN_LED),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await pool_filled(client, PROGRAM, mentors=3, mentees=1)
        await pool_filled(client, ADMIN_LED, mentors=0, mentees=1)

        # The mentors Ada may pick: ken shares no language with her.
        url = f"/v1/programs/{PROGRAM}/candidates"
        listed = await client.get(url, headers=as_employee("ada"))
        assert listed.status_code == 200, listed.text
        body: Json = listed.json()
        assert body["mentee_participant_id"] == "ada"
        assert body["picks"] == ["grace"]
        assert (body["total"], body["excluded"]) == (2, 1)
        assert [c["mentor_participant_id"] for c in body["candidates"]] == ["grace", "linus"]
        grace = body["candidates"][0]
        assert grace["pick_rank"] == 1
        assert grace["room"] == 1
        assert sum(grace["contributions"].values()) == pytest.approx(grace["score"])
        assert grace["fit"] == pytest.approx(grace["score"] / body["max_score"])
        assert grace["in_common"]["skills"] == ["python"]
        assert grace["offer"]["skills_offered"] == ["python"]
        assert "person_id" not in grace["offer"]
        assert "name" not in grace["offer"]
        one = (await client.get(f"{url}?limit=1", headers=as_employee("linus"))).json()
        assert one["error"] == "forbidden"  # a mentor picks nobody
        assert (await client.get(url, headers=ADMIN)).status_code == 403
        assert (await client.get(url, headers=as_employee("bob"))).status_code == 403
        admin_led = await client.get(
            f"/v1/programs/{ADMIN_LED}/candidates", headers=as_employee("bob")
        )
        assert admin_led.status_code == 409
        assert admin_led.json()["error"] == "not_mentee_choice"
        missing = await client.get("/v1/programs/nope/candidates", headers=as_employee("ada"))
        assert missing.status_code == 404
        assert (await client.get(url)).status_code == 401

        # Matched: the run follows her pick; each side sees their pair and why.
        assert (await client.get("/v1/me/pairs", headers=as_employee("ada"))).json() == {
            "pairs": []
        }
        started = await client.post(f"/v1/programs/{PROGRAM}/matching-runs", json={}, headers=ADMIN)
        run_id = started.json()["run_id"]
        await run_reaches(client, run_id, "proposed")
        await client.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        await run_reaches(client, run_id, "approved")
        (mine,) = (await client.get("/v1/me/pairs", headers=as_employee("ada"))).json()["pairs"]
        assert (mine["participant_id"], mine["role"]) == ("ada", "mentee")
        assert mine["partner_participant_ids"] == ["grace"]
        assert (mine["mentor_participant_id"], mine["mentee_participant_id"]) == ("grace", "ada")
        assert mine["status"] == "active"
        assert sum(mine["contributions"].values()) == pytest.approx(mine["score"])
        assert mine["contributions"]["pick"] > 0
        assert mine["weights"]["skills"] == 3.0
        assert mine["in_common"]["skills"] == ["python"]
        (theirs,) = (await client.get("/v1/me/pairs", headers=as_employee("grace"))).json()["pairs"]
        assert (theirs["pair_id"], theirs["role"]) == (mine["pair_id"], "mentor")
        assert theirs["partner_participant_ids"] == ["ada"]
        assert theirs["mentee_participant_id"] == "ada"
        nobody = await client.get("/v1/me/pairs", headers=as_employee("linus"))
        assert nobody.json() == {"pairs": []}
        assert (await client.get("/v1/me/pairs", headers=ADMIN)).status_code == 403
        after = (await client.get(url, headers=as_employee("ada"))).json()
        assert [c["mentor_participant_id"] for c in after["candidates"]] == ["grace", "linus"]

        # Her data: pool entry, pair, the proposal that named her.
        exported = await client.get("/v1/me/export", headers=as_employee("ada"))
        assert exported.status_code == 200, exported.text
        export: Json = exported.json()
        assert export["service"] == "matching"
        assert export["subject"] == {
            "person_id": dev_person_id(EMPLOYEES["ada"]),
            "participant_ids": ["ada"],
        }
        sections = export["sections"]
        assert set(sections) == {
            "pool_entries",
            "manager",
            "pairs",
            "proposals",
            "admin_decisions",
        }
        assert all(section["description"] for section in sections.values())
        (entry,) = sections["pool_entries"]["items"]
        assert entry["profile"]["preferred_mentors"] == ["grace"]
        assert [p["pair_id"] for p in sections["pairs"]["items"]] == [mine["pair_id"]]
        (proposal,) = sections["proposals"]["items"]
        assert proposal["run_id"] == run_id
        assert proposal["proposed_pair"]["mentor_participant_id"] == "grace"
        linus = (await client.get("/v1/me/export", headers=as_employee("linus"))).json()
        (left_out,) = linus["sections"]["proposals"]["items"]
        assert left_out["unmatched"]["participant_id"] == "linus"
        assert linus["sections"]["pairs"]["items"] == []
        stranger = await client.get("/v1/me/export", headers=bearer(participant_token("x")))
        assert all(not s["items"] for s in stranger.json()["sections"].values())
        assert (await client.get("/v1/me/export", headers=ADMIN)).status_code == 403
