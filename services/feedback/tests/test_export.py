"""The right of access: `GET /v1/me/export` gives a person everything feedback holds about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts.events import PairEnded, ParticipantErased
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id

from .scenario import (
    ADMIN,
    EMPLOYEES,
    GOALS,
    LONER,
    MENTEE,
    MENTOR,
    OUTSIDER_EMPLOYEE,
    PROGRAM,
    SESSION,
    SKILLS,
    as_person,
    history,
    pair,
)

pytestmark = pytest.mark.integration

SECTIONS = {
    "participations",
    "pairs",
    "held_sessions",
    "session_feedback",
    "fit_answers",
    "agreements",
    "development_plan",
    "survey_answers",
    "skills_assessments_received",
    "skills_assessments_given",
    "rater_requests",
    "outcomes",
    "impact_stories",
    "recognitions",
}
MENTEE_NOTE, MENTOR_NOTE = "worried about the reorg", "she should present more"
MENTEE_REASON, MENTOR_REASON = "we never agree", "too junior for me"

mentee = as_person(EMPLOYEES[MENTEE])
mentor = as_person(EMPLOYEES[MENTOR])
loner = as_person(EMPLOYEES[LONER])


def items(export: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The items of one section (after checking it describes itself)."""
    assert export["sections"][section]["description"]
    found: list[dict[str, Any]] = export["sections"][section]["items"]
    return found


async def exported(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/v1/me/export", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["service"] == "feedback"
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    assert set(body["sections"]) == SECTIONS
    return body


async def test_a_participant_exports_everything_feedback_holds_about_them_and_nothing_else(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    loner_pair = pair(
        "pair-2", mentee_participant_id=LONER, mentee_person_id=dev_person_id(EMPLOYEES[LONER])
    )
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, [*history(), loner_pair], prefix=settings.kafka_topic_prefix
        )
        await eventually(
            lambda: client.get("/v1/pairs/pair-2/goals", headers=loner),
            lambda r: r.status_code == 200,
        )
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
            lambda r: r.status_code == 200,
        )

        # Both members write; the export must separate what is whose.
        feedback_url = f"/v1/sessions/{SESSION}/feedback"
        for who, note in ((mentee, MENTEE_NOTE), (mentor, MENTOR_NOTE)):
            given = {
                "rating": 4,
                "topics": [SKILLS[0]],
                "action_items": ["Draft the outline"],
                "private_notes": note,
                "progress": [{"topic": SKILLS[0], "level": 2}],
            }
            assert (await client.post(feedback_url, headers=who, json=given)).status_code == 200
        for who, reason in ((mentee, MENTEE_REASON), (mentor, MENTOR_REASON)):
            fit = {"good_fit": False, "concern": "goals_mismatch", "reason": reason}
            assert (await client.post("/v1/pairs/pair-1/fit", headers=who, json=fit)).is_success
        terms = {"expectations": "Grow", "meeting_frequency": "Biweekly", "confidentiality": "Ours"}
        assert (
            await client.put("/v1/pairs/pair-1/agreement", headers=mentor, json=terms)
        ).is_success
        assert (
            await client.put("/v1/pairs/pair-2/agreement", headers=mentor, json=terms)
        ).is_success
        acknowledged = await client.post(
            "/v1/pairs/pair-1/agreement/acknowledge", headers=mentee, json={"version": 1}
        )
        assert acknowledged.is_success
        goal = {"topic": GOALS[0], "title": "Lead planning", "milestones": ["Shadow", "Run"]}
        added = await client.post("/v1/pairs/pair-1/goals", headers=mentor, json=goal)
        assert added.status_code == 201
        survey = {
            "growth_rating": 4,
            "relationship_rating": 2,
            "recommend_score": 7,
            "would_join_again": False,
            "comments": "Too few sessions",
        }
        survey_url = f"/v1/programs/{PROGRAM}/surveys/mid_program"
        assert (await client.post(survey_url, headers=mentee, json=survey)).is_success
        await publish_events(
            settings.kafka_bootstrap,
            [example(PairEnded, pair_id="pair-2", program_id=PROGRAM)],
            prefix=settings.kafka_topic_prefix,
        )

        async def mentor_export() -> dict[str, Any]:
            return await exported(client, mentor)

        mine = await exported(client, mentee)
        assert mine["subject"] == {
            "person_id": dev_person_id(EMPLOYEES[MENTEE]),
            "participant_ids": [MENTEE],
        }
        assert items(mine, "participations") == [
            {"participant_id": MENTEE, "program_id": PROGRAM, "role": "mentee"}
        ]
        assert [(p["pair_id"], p["role"], p["ended"]) for p in items(mine, "pairs")] == [
            ("pair-1", "mentee", False)
        ]
        assert [s["session_id"] for s in items(mine, "held_sessions")] == [SESSION]
        (feedback,) = items(mine, "session_feedback")
        assert (feedback["participant_id"], feedback["private_notes"]) == (MENTEE, MENTEE_NOTE)
        assert feedback["action_items"] == ["Draft the outline"]
        assert feedback["progress"] == [{"topic": SKILLS[0], "level": 2}]
        (fit,) = items(mine, "fit_answers")
        assert (fit["reason"], fit["concern"]) == (MENTEE_REASON, "goals_mismatch")
        (agreement,) = items(mine, "agreements")
        assert (agreement["pair_id"], agreement["version"], agreement["acknowledged"]) == (
            "pair-1",
            1,
            True,
        )
        (planned,) = items(mine, "development_plan")
        assert (planned["title"], planned["participant_id"]) == ("Lead planning", MENTEE)
        assert [m["title"] for m in planned["milestones"]] == ["Shadow", "Run"]
        (answers,) = items(mine, "survey_answers")
        assert (answers["comments"], answers["recommend_score"]) == ("Too few sessions", 7)
        mine_text = (await client.get("/v1/me/export", headers=mentee)).text
        for not_mine in (MENTOR_NOTE, MENTOR_REASON, "pair-2", LONER):
            assert not_mine not in mine_text

        # The mentor: two pairs (one ended), no development plan of their own.
        theirs = await eventually(
            mentor_export, lambda body: any(p["ended"] for p in body["sections"]["pairs"]["items"])
        )
        assert [(p["pair_id"], p["role"], p["ended"]) for p in items(theirs, "pairs")] == [
            ("pair-1", "mentor", False),
            ("pair-2", "mentor", True),
        ]
        assert [f["private_notes"] for f in items(theirs, "session_feedback")] == [MENTOR_NOTE]
        assert [f["reason"] for f in items(theirs, "fit_answers")] == [MENTOR_REASON]
        assert [(a["pair_id"], a["acknowledged"]) for a in items(theirs, "agreements")] == [
            ("pair-1", True),
            ("pair-2", True),
        ]
        assert items(theirs, "development_plan") == []
        assert items(theirs, "survey_answers") == []
        assert MENTEE_NOTE not in (await client.get("/v1/me/export", headers=mentor)).text

        # Someone feedback never heard of gets an empty document; the admin token names nobody.
        nobody = await exported(client, as_person(OUTSIDER_EMPLOYEE))
        assert nobody["subject"]["participant_ids"] == []
        assert all(section["items"] == [] for section in nobody["sections"].values())
        refused = await client.get("/v1/me/export", headers=ADMIN)
        assert refused.status_code == 403
        assert refused.json()["error"] == "forbidden"
        assert (await client.get("/v1/me/export")).status_code == 401

        # After an erasure nothing personal is left to export.
        await publish_events(
            settings.kafka_bootstrap,
            [
                example(
                    ParticipantErased,
                    participant_id=MENTEE,
                    program_id=PROGRAM,
                    person_id=dev_person_id(EMPLOYEES[MENTEE]),
                )
            ],
            prefix=settings.kafka_topic_prefix,
        )
        erased = await eventually(
            lambda: exported(client, mentee),
            lambda body: body["subject"]["participant_ids"] == [],
        )
        assert all(section["items"] == [] for section in erased["sections"].values())
