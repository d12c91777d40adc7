"""Impact stories: written with consent, approved by a manager, only approved ones listed."""

from __future__ import annotations

import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually

from .scenario import (
    ADMIN,
    EMPLOYEES,
    MENTEE,
    MENTOR,
    OUTSIDER_EMPLOYEE,
    PROGRAM,
    SESSION,
    as_person,
    history,
    problems,
)

pytestmark = pytest.mark.integration

STORY = {
    "title": "I gave my first talk",
    "text": "Six sessions later ...",
    "consent_to_publish": True,
}


async def test_a_story_is_listed_once_approved_and_until_consent_is_withdrawn(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    base = f"/v1/programs/{PROGRAM}/stories"
    mentee = as_person(EMPLOYEES[MENTEE])
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
            lambda r: r.status_code == 200,
        )
        outsider = await client.post(base, headers=as_person(OUTSIDER_EMPLOYEE), json=STORY)
        assert outsider.status_code == 403
        no_consent = await client.post(
            base, headers=mentee, json=STORY | {"consent_to_publish": False}
        )
        assert no_consent.status_code == 422
        assert problems(no_consent) == ["body.consent_to_publish"]
        written = await client.post(base, headers=mentee, json=STORY)
        assert written.status_code == 201, written.text
        story_id = written.json()["story_id"]
        assert (await client.get(base, headers=mentee)).json()["stories"] == []
        pending = await client.get(base, headers=ADMIN, params={"pending": "true"})
        assert [s["story_id"] for s in pending.json()["stories"]] == [story_id]

        assert (
            await client.post(f"/v1/stories/{story_id}/approve", headers=mentee)
        ).status_code == 403
        approved = await client.post(f"/v1/stories/{story_id}/approve", headers=ADMIN)
        assert approved.json()["approved"] is True
        listed = (await client.get(base, headers=mentee)).json()["stories"]
        assert [(s["story_id"], s["title"]) for s in listed] == [(story_id, STORY["title"])]

        withdrawn = await client.post(f"/v1/stories/{story_id}/withdraw-consent", headers=mentee)
        assert withdrawn.json()["consent_to_publish"] is False
        assert (await client.get(base, headers=mentee)).json()["stories"] == []
        again = await client.post(f"/v1/stories/{story_id}/approve", headers=ADMIN)
        assert (again.status_code, again.json()["error"]) == (409, "no_consent")

        # The right of access: the writer's export holds the story as it stands.
        export = (await client.get("/v1/me/export", headers=mentee)).json()
        (mine,) = export["sections"]["impact_stories"]["items"]
        assert (mine["story_id"], mine["text"], mine["consent_to_publish"]) == (
            story_id,
            STORY["text"],
            False,
        )
        outsider_export = await client.get("/v1/me/export", headers=as_person(OUTSIDER_EMPLOYEE))
        assert outsider_export.json()["sections"]["impact_stories"]["items"] == []


async def test_my_stories_are_the_callers_own_in_any_state(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    base = f"/v1/programs/{PROGRAM}/stories"
    mentee, mentor = as_person(EMPLOYEES[MENTEE]), as_person(EMPLOYEES[MENTOR])
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        first = await eventually(
            lambda: client.post(base, headers=mentee, json=STORY),
            lambda r: r.status_code == 201,
        )
        second = await client.post(base, headers=mentee, json=STORY | {"title": "Promoted"})
        theirs = await client.post(base, headers=mentor, json=STORY | {"title": "Proud"})
        assert (second.status_code, theirs.status_code) == (201, 201)
        approved = await client.post(
            f"/v1/stories/{first.json()['story_id']}/approve", headers=ADMIN
        )
        assert approved.status_code == 200, approved.text
        await client.post(
            f"/v1/stories/{second.json()['story_id']}/withdraw-consent", headers=mentee
        )

        mine = await client.get("/v1/me/stories", headers=mentee)
        assert mine.status_code == 200, mine.text
        assert [
            (s["title"], s["approved"], s["consent_to_publish"]) for s in mine.json()["stories"]
        ] == [("Promoted", False, False), (STORY["title"], True, True)]  # newest first
        assert [
            s["title"]
            for s in (await client.get("/v1/me/stories", headers=mentor)).json()["stories"]
        ] == ["Proud"]
        nobody = await client.get("/v1/me/stories", headers=as_person(OUTSIDER_EMPLOYEE))
        assert (nobody.status_code, nobody.json()["stories"]) == (200, [])
        assert (await client.get("/v1/me/stories", headers=ADMIN)).status_code == 403
        assert (await client.get("/v1/me/stories")).status_code == 401
