"""Skills assessments over the real broker and database: the mentee and their mentor rate."""

from __future__ import annotations

import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts import decode
from mentorship_contracts.events import MatchingProfile, SkillsAssessed
from mentorship_contracts.topics import DEVELOPMENT
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually

from .scenario import (
    EMPLOYEES,
    LONER,
    MENTEE,
    MENTOR,
    PROGRAM,
    SESSION,
    SKILLS,
    as_person,
    history,
    problems,
    registration,
)

pytestmark = pytest.mark.integration

mentee = as_person(EMPLOYEES[MENTEE])
mentor = as_person(EMPLOYEES[MENTOR])
loner = as_person(EMPLOYEES[LONER])


async def test_mentee_and_mentor_rate_the_chosen_skills(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    chosen = registration(MENTEE, "mentee").model_copy(
        update={"profile": MatchingProfile(skills_wanted=SKILLS)}
    )
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [*history(), chosen],
            prefix=settings.kafka_topic_prefix,
        )
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
            lambda r: r.status_code == 200,
        )
        self_url = f"/v1/programs/{PROGRAM}/skills/self/baseline"
        levels = {"public_speaking": 2, "delegation": 3}
        baseline = await eventually(
            lambda: client.put(self_url, headers=mentee, json={"levels": levels}),
            lambda r: r.status_code != 409,
        )
        assert baseline.status_code == 200, baseline.text
        assert baseline.json()["rater_kind"] == "self"
        assert "rater_key" not in baseline.json()

        # Validation names the field; a mentee without chosen skills has nothing to rate.
        bad = await client.put(
            self_url, headers=mentee, json={"levels": {"public_speaking": 9, "juggling": 1}}
        )
        assert sorted(problems(bad)) == ["body.levels.public_speaking"]
        unchosen = await client.put(
            self_url, headers=mentee, json={"levels": {"public_speaking": 2, "juggling": 1}}
        )
        assert sorted(problems(unchosen)) == ["body.levels.delegation", "body.levels.juggling"]
        nothing = await client.put(self_url, headers=loner, json={"levels": levels})
        assert nothing.status_code == 409
        assert nothing.json()["error"] == "no_skills_chosen"
        midpoint = await client.put(
            f"/v1/programs/{PROGRAM}/skills/self/midpoint", headers=mentee, json={"levels": levels}
        )
        assert midpoint.status_code == 409

        # The mentor rates the mentee; the mentee does not rate as a mentor.
        mentor_url = "/v1/pairs/pair-1/skills/mentor/end"
        rated = await client.put(mentor_url, headers=mentor, json={"levels": levels})
        assert rated.status_code == 200, rated.text
        refused = await client.put(mentor_url, headers=mentee, json={"levels": levels})
        assert refused.status_code == 403

        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: len(found) >= 2,
        )
    events = [decode(record.value).data for record in records]
    assessed = [e for e in events if isinstance(e, SkillsAssessed)]
    assert sorted((e.rater_kind.value, e.moment.value) for e in assessed) == [
        ("mentor", "end"),
        ("self", "baseline"),
    ]
    for event in assessed:
        assert event.participant_id == MENTEE
        assert {level.skill: level.level for level in event.levels} == levels
