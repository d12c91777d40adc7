"""Every feedback rule over the real broker and database: who may write, what is valid, erasure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts import decode
from mentorship_contracts.events import (
    GoalProgressUpdated,
    PairingFitReported,
    ParticipantErased,
    SessionFeedbackSubmitted,
    SurveyResponseSubmitted,
)
from mentorship_contracts.examples import example
from mentorship_contracts.topics import DEVELOPMENT, FEEDBACK, SURVEYS
from mentorship_devstack.kafka_tools import RawRecord, publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually, stored_traces
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.erasure_guards import GUARDS as ERASED
from mentorship_kit.outbox import OUTBOX_COLLECTION

from .scenario import (
    ADMIN,
    EMPLOYEES,
    GOALS,
    MENTEE,
    MENTOR,
    OUTSIDER_EMPLOYEE,
    PROGRAM,
    SESSION,
    SESSION_NOT_HELD,
    SKILLS,
    as_person,
    history,
    pair,
    problems,
)

pytestmark = pytest.mark.integration

SECRET_NOTE = "my private worry about the reorg"
SECRET_REASON = "we never agree on anything"

mentee = as_person(EMPLOYEES[MENTEE])
mentor = as_person(EMPLOYEES[MENTOR])
loner = as_person(EMPLOYEES["part-loner"])
outsider = as_person(OUTSIDER_EMPLOYEE)


async def ready(client: httpx.AsyncClient) -> None:
    """Wait until the history has been consumed."""
    await eventually(
        lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
        lambda r: r.status_code == 200,
    )
    await eventually(
        lambda: client.get("/v1/pairs/pair-2/goals", headers=loner),
        lambda r: r.status_code == 200,
    )


async def test_feedback_rules_access_and_erasure(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    url = f"/v1/sessions/{SESSION}/feedback"
    good = {
        "rating": 4,
        "topics": [SKILLS[0], GOALS[0]],
        "action_items": ["Draft the talk outline"],
        "private_notes": SECRET_NOTE,
        "progress": [{"topic": SKILLS[0], "level": 2}],
    }
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [
                *history(),
                pair(
                    "pair-2",
                    mentee_participant_id="part-loner",
                    mentee_person_id=dev_person_id(EMPLOYEES["part-loner"]),
                ),
            ],
            prefix=settings.kafka_topic_prefix,
        )
        await ready(client)

        # Session feedback: members only, valid values only, held sessions only.
        refused = await client.post(url, headers=outsider, json=good)
        assert refused.status_code == 403
        assert (await client.post(url, headers=loner, json=good)).status_code == 403
        assert (await client.get(url, headers=ADMIN)).json()["feedback"] == []
        assert (await client.post(url, headers=ADMIN, json=good)).status_code == 403
        bad = await client.post(
            url, headers=mentee, json=good | {"rating": 6, "topics": [SKILLS[0], "knitting"]}
        )
        assert bad.status_code == 422
        assert "body.rating" in problems(bad)
        unknown = await client.post(
            url, headers=mentee, json=good | {"topics": [SKILLS[0], "knitting"]}
        )
        assert unknown.status_code == 422
        assert problems(unknown) == ["body.topics[1]"]
        not_held = await client.post(
            f"/v1/sessions/{SESSION_NOT_HELD}/feedback", headers=mentee, json=good
        )
        assert not_held.status_code == 409
        assert not_held.json()["error"] == "session_not_held"
        assert (await client.get(url, headers=ADMIN)).json()["feedback"] == []

        first = await client.post(url, headers=mentee, json=good)
        assert first.status_code == 200, first.text
        assert first.json()["revision"] == 1
        assert first.json()["private_notes"] == SECRET_NOTE
        assert first.json()["author_role"] == "mentee"
        revised = await client.post(url, headers=mentee, json=good | {"rating": 5})
        assert revised.json()["revision"] == 2
        assert revised.json()["feedback_id"] == first.json()["feedback_id"]
        from_mentor = await client.post(url, headers=mentor, json=good | {"private_notes": "mine"})
        assert from_mentor.json()["author_role"] == "mentor"
        seen_by_mentee = (await client.get(url, headers=mentee)).json()["feedback"]
        assert len(seen_by_mentee) == 2
        notes = {item["participant_id"]: item["private_notes"] for item in seen_by_mentee}
        assert notes == {MENTEE: SECRET_NOTE, MENTOR: None}
        seen_by_admin = (await client.get(url, headers=ADMIN)).json()["feedback"]
        assert all(item["private_notes"] is None for item in seen_by_admin)
        assert (await client.get(url, headers=outsider)).status_code == 403

        # Pairing fit: after the first held session, members only.
        early = await client.post("/v1/pairs/pair-2/fit", headers=loner, json={"good_fit": True})
        assert early.json()["error"] == "no_session_held"
        assert (
            await client.post("/v1/pairs/pair-1/fit", headers=outsider, json={"good_fit": True})
        ).status_code == 403
        contradiction = await client.post(
            "/v1/pairs/pair-1/fit", headers=mentor, json={"good_fit": True, "concern": "other"}
        )
        assert contradiction.status_code == 422
        fit = await client.post(
            "/v1/pairs/pair-1/fit",
            headers=mentee,
            json={"good_fit": False, "concern": "goals_mismatch", "reason": SECRET_REASON},
        )
        assert fit.status_code == 200, fit.text
        answers = (await client.get("/v1/pairs/pair-1/fit", headers=mentor)).json()["answers"]
        assert answers[0]["good_fit"] is False
        assert answers[0]["reason"] is None

        # The agreement: both acknowledge; a change needs both again.
        terms = {
            "expectations": "Grow as a first-time lead",
            "meeting_frequency": "Every two weeks, 45 minutes",
            "confidentiality": "What we discuss stays between us",
        }
        assert (
            await client.put("/v1/pairs/pair-1/agreement", headers=outsider, json=terms)
        ).status_code == 403
        drafted = await client.put("/v1/pairs/pair-1/agreement", headers=mentor, json=terms)
        assert drafted.json()["acknowledged_by"] == [MENTOR]
        assert drafted.json()["acknowledged_by_both"] is False
        both = await client.post(
            "/v1/pairs/pair-1/agreement/acknowledge", headers=mentee, json={"version": 1}
        )
        assert both.json()["acknowledged_by_both"] is True
        changed = await client.put(
            "/v1/pairs/pair-1/agreement", headers=mentor, json=terms | {"boundaries": "No weekends"}
        )
        assert changed.json()["version"] == 2
        assert changed.json()["acknowledged_by_both"] is False
        stale = await client.post(
            "/v1/pairs/pair-1/agreement/acknowledge", headers=mentee, json={"version": 1}
        )
        assert stale.json()["error"] == "agreement_changed"
        missing = await client.put("/v1/pairs/pair-1/agreement", headers=mentee, json={})
        assert {"body.expectations", "body.meeting_frequency", "body.confidentiality"} <= set(
            problems(missing)
        )

        # Agendas: goal setting after the first session, check-ins once there is a goal.
        agenda = await client.get("/v1/pairs/pair-1/next-agenda", headers=mentee)
        assert agenda.json()["kind"] == "goal_setting"
        assert len((await client.get("/v1/agenda-templates")).json()["templates"]) == 4
        first_agenda = await client.get("/v1/pairs/pair-2/next-agenda", headers=loner)
        assert first_agenda.json()["kind"] == "first_session"

        # The development plan.
        wrong_topic = await client.post(
            "/v1/pairs/pair-1/goals", headers=mentee, json={"topic": "knitting", "title": "Knit"}
        )
        assert problems(wrong_topic) == ["body.topic"]
        goal = await client.post(
            "/v1/pairs/pair-1/goals",
            headers=mentee,
            json={
                "topic": GOALS[0],
                "title": "Lead the team's planning",
                "milestones": ["Shadow a planning", "Run one"],
            },
        )
        assert goal.status_code == 201, goal.text
        goal_id = goal.json()["goal_id"]
        half = await client.patch(
            f"/v1/goals/{goal_id}", headers=mentor, json={"milestones_reached": [0]}
        )
        assert half.json()["progress_percent"] == 50
        assert half.json()["completed"] is False
        out_of_range = await client.patch(
            f"/v1/goals/{goal_id}", headers=mentee, json={"milestones_reached": [5]}
        )
        assert problems(out_of_range) == ["body.milestones_reached[0]"]
        assert (
            await client.patch(
                f"/v1/goals/{goal_id}", headers=outsider, json={"progress_percent": 1}
            )
        ).status_code == 403
        done = await client.patch(
            f"/v1/goals/{goal_id}", headers=mentee, json={"milestones_reached": [0, 1]}
        )
        assert done.json()["completed"] is True
        agenda = await client.get("/v1/pairs/pair-1/next-agenda", headers=mentee)
        assert agenda.json()["kind"] == "check_in"

        # Surveys: the program's participants only.
        answers_ok = {
            "growth_rating": 4,
            "relationship_rating": 5,
            "skills_developing": [SKILLS[1]],
            "recommend_score": 9,
            "would_join_again": True,
            "comments": "Loved it",
        }
        survey_url = f"/v1/programs/{PROGRAM}/surveys/mid_program"
        surveys_url = f"/v1/programs/{PROGRAM}/surveys"
        assert (await client.get(surveys_url, headers=outsider)).status_code == 403
        unknown_program = await client.get("/v1/programs/nope/surveys", headers=mentee)
        assert unknown_program.json()["error"] == "program_not_known"
        before = (await client.get(surveys_url, headers=mentee)).json()["surveys"]
        assert [(s["kind"], s["status"], s["answered"], s["my_answers"]) for s in before] == [
            ("mid_program", "upcoming", False, None),
            ("closing", "upcoming", False, None),
        ]
        assert (await client.post(survey_url, headers=outsider, json=answers_ok)).status_code == 403
        too_high = await client.post(
            survey_url, headers=mentee, json=answers_ok | {"recommend_score": 11}
        )
        assert problems(too_high) == ["body.recommend_score"]
        surveyed = await client.post(survey_url, headers=mentee, json=answers_ok)
        assert surveyed.status_code == 200, surveyed.text
        loners = answers_ok | {"comments": "Quiet so far"}
        assert (await client.post(survey_url, headers=loner, json=loners)).status_code == 200
        after = {
            s["kind"]: s for s in (await client.get(surveys_url, headers=mentee)).json()["surveys"]
        }
        assert after["mid_program"]["answered"] is True
        answered_at = datetime.fromisoformat(after["mid_program"]["answered_at"])
        submitted_at = datetime.fromisoformat(surveyed.json()["submitted_at"])
        assert abs(answered_at - submitted_at) < timedelta(milliseconds=1)  # stored in ms
        assert after["mid_program"]["my_answers"] == answers_ok  # shown again, to her alone
        assert after["closing"]["answered"] is False
        assert after["closing"]["my_answers"] is None
        as_admin = (await client.get(surveys_url, headers=ADMIN)).json()["surveys"]
        assert [(s["answered"], s["my_answers"]) for s in as_admin] == [(None, None), (None, None)]
        of_loner = (await client.get(surveys_url, headers=loner)).json()["surveys"]
        assert of_loner[0]["my_answers"] == loners  # each reads her own answers
        assert (
            await client.post(
                f"/v1/programs/{PROGRAM}/surveys/sometime", headers=mentee, json=answers_ok
            )
        ).status_code == 422

        # Erasure: personal content goes, ratings stay anonymous.
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
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback", headers=ADMIN),
            lambda r: r.status_code == 409,
        )

    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    try:
        database = mongo[settings.mongodb_database]
        # The outbox keeps published events (pseudonymous ids, as on the broker) until its TTL;
        # the tombstone keeps the erased participant's id alone, so late events stay ignored.
        tombstones = await database[ERASED].find({"erased": True}, {"_id": 1}).to_list()
        assert tombstones == [{"_id": MENTEE}]
        async for guard in database[ERASED].find():
            assert set(guard) <= {"_id", "erased", "writes"}
        traces = {MENTEE, SECRET_NOTE, SECRET_REASON}
        assert await stored_traces(database, traces, skip={OUTBOX_COLLECTION, ERASED}) == []
        ratings = await database["session_feedback"].find().to_list()
        assert sorted(r["rating"] for r in ratings) == [4, 5]
        assert {r["participant_id"] for r in ratings} == {"erased", MENTOR}
    finally:
        await mongo.close()

    published = await _records(settings, FEEDBACK.name, 4)
    published += await _records(settings, DEVELOPMENT.name, 3)
    published += await _records(settings, SURVEYS.name, 2)
    for record in published:
        assert SECRET_NOTE.encode() not in record.value
        assert SECRET_REASON.encode() not in record.value
        assert b"Loved it" not in record.value
    events = [decode(record.value).data for record in published]
    submitted = [e for e in events if isinstance(e, SessionFeedbackSubmitted)]
    assert sorted((e.participant_id, e.revision, e.rating) for e in submitted) == [
        (MENTEE, 1, 4),
        (MENTEE, 2, 5),
        (MENTOR, 1, 4),
    ]
    assert all(e.action_item_count == 1 for e in submitted)
    fits = [e for e in events if isinstance(e, PairingFitReported)]
    assert [(e.good_fit, e.concern) for e in fits] == [(False, "goals_mismatch")]
    progress = [e for e in events if isinstance(e, GoalProgressUpdated)]
    assert [(e.progress_percent, e.completed) for e in progress] == [
        (0, False),
        (50, False),
        (100, True),
    ]
    surveys = [e for e in events if isinstance(e, SurveyResponseSubmitted)]
    assert sorted(e.recommend_score for e in surveys) == [9, 9]


async def _records(settings: FeedbackSettings, topic: str, at_least: int) -> list[RawRecord]:
    return await read_topic(
        settings.kafka_bootstrap,
        f"{settings.kafka_topic_prefix}{topic}",
        until=lambda found: len(found) >= at_least,
    )
