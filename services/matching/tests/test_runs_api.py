"""The matching service end to end in-process: runs, proposals, approval, pairs, re-matching."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from matching.app import build_app
from matching.settings import MatchingServiceSettings
from mentorship_contracts import decode
from mentorship_contracts.events import (
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    PairingFitReported,
    ParticipantWithdrew,
    ProgramUpdated,
)
from mentorship_contracts.examples import example
from mentorship_contracts.topics import MATCHING_RUNS, PAIRS
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
Json = dict[str, Any]


def settings_for(make_settings: SettingsFactory) -> MatchingServiceSettings:
    return make_settings(
        MatchingServiceSettings, matching_worker_poll_s=0.1, matching_time_limit_s=20
    )


async def pool_filled(
    client: httpx.AsyncClient, program_id: str, mentors: int, mentees: int
) -> None:
    async def pool() -> Json:
        response = await client.get(f"/v1/programs/{program_id}/pool", headers=ADMIN)
        body: Json = response.json()
        return body

    await eventually(pool, lambda b: (b.get("mentors"), b.get("mentees")) == (mentors, mentees))


async def run_reaches(client: httpx.AsyncClient, run_id: str, status: str) -> Json:
    async def read() -> Json:
        body: Json = (await client.get(f"/v1/matching-runs/{run_id}", headers=ADMIN)).json()
        return body

    return await eventually(read, lambda body: body["status"] == status, timeout_s=30)


async def test_a_run_is_proposed_explained_approved_and_rematched(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = settings_for(make_settings)
    program_id = "prog-runs"
    events = [
        program(program_id=program_id, auto_approve_matches=False),
        person("m1", MENTOR, capacity=1, skills_offered=("python",), program_id=program_id),
        person("m2", MENTOR, capacity=1, program_id=program_id),
        person("e1", MENTEE, skills_wanted=("python",), program_id=program_id),
        person("e2", MENTEE, program_id=program_id),
        person("e3", MENTEE, languages=("fr",), program_id=program_id),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await pool_filled(client, program_id, mentors=2, mentees=3)

        runs = f"/v1/programs/{program_id}/matching-runs"
        unknown = {"pins": [{"mentor_participant_id": "nobody", "mentee_participant_id": "e1"}]}
        refused = await client.post(runs, json=unknown, headers=ADMIN)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "body.pins[0].mentor_participant_id"
        no_bound = await client.post(runs, json={"kind": "what_if"}, headers=ADMIN)
        assert no_bound.status_code == 422
        missing = await client.post("/v1/programs/nope/matching-runs", json={}, headers=ADMIN)
        assert missing.status_code == 404
        assert (await client.post(runs, json={})).status_code == 401

        started = await client.post(runs, json={}, headers=ADMIN)
        assert started.status_code == 202
        run_id = started.json()["run_id"]
        run = await run_reaches(client, run_id, "proposed")
        assert run["requested_by"] == "admin-token"
        assert run["summary"]["solver_status"] == "optimal"
        assert run["summary"]["gap"] == 0
        assert run["summary"]["mentees_matched"] == 2
        seconds = run["summary"]["seconds"]
        assert {"load", "solve", "prepare", "total"} <= seconds.keys(), "each stage is timed"
        assert seconds["solve"] >= seconds["total"] >= 0, "the wall clock holds the solver's"

        proposal = (await client.get(f"/v1/matching-runs/{run_id}/proposal", headers=ADMIN)).json()
        pairs = {
            (p["mentor_participant_id"], p["mentee_participant_id"]) for p in proposal["pairs"]
        }
        assert pairs == {("m1", "e1"), ("m2", "e2")}
        for pair in proposal["pairs"]:
            assert sum(pair["contributions"].values()) == pytest.approx(pair["score"])
        unmatched = {p["participant_id"]: p for p in proposal["unmatched"]}
        assert unmatched["e3"]["reason"] == "no_compatible_partner"

        why = f"/v1/matching-runs/{run_id}/why-not"
        rule = (
            await client.get(
                why,
                params={"mentee_participant_id": "e3", "mentor_participant_id": "m1"},
                headers=ADMIN,
            )
        ).json()
        assert rule["can_be_paired"] is False
        assert "hard rule: no shared language" in rule["reasons"]
        price = (
            await client.get(
                why,
                params={"mentee_participant_id": "e2", "mentor_participant_id": "m1"},
                headers=ADMIN,
            )
        ).json()
        assert price["can_be_paired"] is True
        assert price["objective"] - price["objective_with_pair"] == pytest.approx(3.0)

        approving = await client.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        assert approving.status_code == 202
        approved = await run_reaches(client, run_id, "approved")
        assert approved["approval"]["pairs_created"] == 2
        assert approved["approval"]["automatic"] is False
        assert approved["approval"]["approved_by"] == "admin-token"
        waiting = (await client.get(f"/v1/programs/{program_id}/pool", headers=ADMIN)).json()
        members = {entry["participant_id"]: entry for entry in waiting["participants"]}
        assert (members["e1"]["pairs_as_mentee"], members["e1"]["waiting"]) == (1, False)
        assert (members["e3"]["pairs_as_mentee"], members["e3"]["waiting"]) == (0, True)
        assert (members["m1"]["pairs_as_mentor"], members["m1"]["room"]) == (1, 0)
        again = await client.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        assert again.json()["status"] == "approved"

        listed = (
            await client.get(f"/v1/programs/{program_id}/pairs?status=active", headers=ADMIN)
        ).json()["pairs"]
        assert len(listed) == 2
        first = next(p for p in listed if p["mentee_participant_id"] == "e1")
        ended = await client.post(
            f"/v1/pairs/{first['pair_id']}/end", json={"reason": "not_a_good_fit"}, headers=ADMIN
        )
        assert ended.json()["status"] == "ended"
        twice = await client.post(f"/v1/pairs/{first['pair_id']}/end", json={}, headers=ADMIN)
        assert twice.status_code == 409

        async def rematch() -> Json | None:
            body: Json = (await client.get(runs, headers=ADMIN)).json()
            return next((r for r in body["runs"] if r["kind"] == "rematch" and r["summary"]), None)

        rerun = await eventually(rematch, lambda run: run is not None, timeout_s=30)
        assert rerun is not None
        redo = (
            await client.get(f"/v1/matching-runs/{rerun['run_id']}/proposal", headers=ADMIN)
        ).json()
        assert ("m1", "e1") not in {
            (p["mentor_participant_id"], p["mentee_participant_id"]) for p in redo["pairs"]
        }

    records = await read_topic(
        settings.kafka_bootstrap,
        f"{settings.kafka_topic_prefix}{PAIRS.name}",
        until=lambda records: len(records) >= 3,
    )
    kinds = [type(decode(r.value).data) for r in records]
    assert kinds.count(PairCreated) == 2
    assert kinds.count(PairEnded) == 1
    announced = await read_topic(
        settings.kafka_bootstrap,
        f"{settings.kafka_topic_prefix}{MATCHING_RUNS.name}",
        until=lambda records: len(records) >= 3,
    )
    run_events = [decode(r.value).data for r in announced]
    assert any(isinstance(e, MatchingRunProposed) and e.run_id == run_id for e in run_events)
    assert any(isinstance(e, MatchingRunApproved) and e.pair_count == 2 for e in run_events)


async def test_auto_approved_pairs_end_when_someone_leaves_or_the_fit_is_wrong(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = settings_for(make_settings)
    program_id = "prog-auto"
    events = [
        program(program_id=program_id, auto_approve_matches=True),
        person("boss", MENTOR, capacity=2, program_id=program_id),
        person("a", MENTEE, program_id=program_id),
        person("b", MENTEE, program_id=program_id),
    ]
    pairs_url = f"/v1/programs/{program_id}/pairs"
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await pool_filled(client, program_id, mentors=1, mentees=2)
        started = await client.post(
            f"/v1/programs/{program_id}/matching-runs", json={}, headers=ADMIN
        )
        run = await run_reaches(client, started.json()["run_id"], "approved")
        assert run["approval"]["automatic"] is True
        active = (await client.get(f"{pairs_url}?status=active", headers=ADMIN)).json()["pairs"]
        by_mentee = {p["mentee_participant_id"]: p for p in active}
        assert set(by_mentee) == {"a", "b"}

        left = example(ParticipantWithdrew, participant_id="a", program_id=program_id)
        unfit = example(
            PairingFitReported,
            pair_id=by_mentee["b"]["pair_id"],
            program_id=program_id,
            participant_id="b",
            author_role="mentee",
            good_fit=False,
        )
        await publish_events(
            settings.kafka_bootstrap, [left, unfit], prefix=settings.kafka_topic_prefix
        )

        async def ended() -> dict[str, str | None]:
            body: Json = (await client.get(f"{pairs_url}?status=ended", headers=ADMIN)).json()
            return {p["mentee_participant_id"]: p["end_reason"] for p in body["pairs"]}

        reasons = await eventually(ended, lambda reasons: len(reasons) == 2)
    assert reasons == {"a": "participant_withdrew", "b": "not_a_good_fit"}


async def test_why_not_answers_for_pinned_runs_after_a_withdrawal_and_approval(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = settings_for(make_settings)
    program_id = "prog-pins"
    events = [
        program(program_id=program_id, auto_approve_matches=False),
        person("m1", MENTOR, capacity=2, skills_offered=("python",), program_id=program_id),
        person("m2", MENTOR, capacity=1, program_id=program_id),
        person("e1", MENTEE, skills_wanted=("python",), program_id=program_id),
        *(person(f"e{k}", MENTEE, program_id=program_id) for k in range(2, 6)),
    ]
    runs = f"/v1/programs/{program_id}/matching-runs"

    def pins(*pairs: tuple[str, str]) -> Json:
        return {
            "pins": [
                {"mentor_participant_id": mentor, "mentee_participant_id": mentee}
                for mentor, mentee in pairs
            ]
        }

    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await pool_filled(client, program_id, mentors=2, mentees=5)
        started = await client.post(runs, json=pins(("m2", "e2"), ("m1", "e3")), headers=ADMIN)
        run_id = started.json()["run_id"]
        await run_reaches(client, run_id, "proposed")

        async def why_not(run: str, mentee: str, mentor: str) -> httpx.Response:
            query = {"mentee_participant_id": mentee, "mentor_participant_id": mentor}
            return await client.get(f"/v1/matching-runs/{run}/why-not", params=query, headers=ADMIN)

        assert (await why_not(run_id, "e4", "m1")).json()["can_be_paired"] is True
        withdrawn = example(ParticipantWithdrew, participant_id="e3", program_id=program_id)
        await publish_events(
            settings.kafka_bootstrap, [withdrawn], prefix=settings.kafka_topic_prefix
        )
        await pool_filled(client, program_id, mentors=2, mentees=4)
        after_withdrawal = await why_not(run_id, "e4", "m1")
        assert after_withdrawal.status_code == 200, after_withdrawal.text
        assert after_withdrawal.json()["can_be_paired"] is True

        await client.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        approved = await run_reaches(client, run_id, "approved")
        assert approved["approval"]["pairs_created"] == 2  # (m2, e2) and (m1, e1); e3 left
        after_approval = await why_not(run_id, "e4", "m1")
        assert after_approval.status_code == 200, after_approval.text
        assert after_approval.json()["can_be_paired"] is True

        # Both pinned to m1, who has room for one more: the run (and so why-not) has no answer.
        impossible = await client.post(runs, json=pins(("m1", "e4"), ("m1", "e5")), headers=ADMIN)
        failed_run = impossible.json()["run_id"]
        await run_reaches(client, failed_run, "failed")
        refused = await why_not(failed_run, "e4", "m1")
        assert refused.status_code == 409
        assert refused.json()["error"] == "run_unsolvable"


async def test_no_pairs_are_created_once_the_program_closed(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = settings_for(make_settings)
    program_id = "prog-closing"
    created = program(program_id=program_id, auto_approve_matches=False)
    events = [
        created,
        person("m1", MENTOR, capacity=1, program_id=program_id),
        person("e1", MENTEE, program_id=program_id),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await pool_filled(client, program_id, mentors=1, mentees=1)
        started = await client.post(
            f"/v1/programs/{program_id}/matching-runs", json={}, headers=ADMIN
        )
        run_id = started.json()["run_id"]
        await run_reaches(client, run_id, "proposed")
        closed = example(
            ProgramUpdated,
            **created.model_dump(exclude={"created_at", "lifecycle"}),
            lifecycle="closed",
            updated_at=created.created_at,
            changed_fields=("lifecycle",),
        )
        await publish_events(settings.kafka_bootstrap, [closed], prefix=settings.kafka_topic_prefix)

        async def another() -> httpx.Response:
            return await client.post(
                f"/v1/programs/{program_id}/matching-runs", json={}, headers=ADMIN
            )

        await eventually(another, lambda r: "closed" in r.json().get("message", ""))
        refused = await client.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        assert refused.status_code == 409
        assert "closed" in refused.json()["message"]
