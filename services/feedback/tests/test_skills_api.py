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
from mentorship_devstack.tokens import dev_person_id

from .scenario import (
    EMPLOYEES,
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


async def test_a_groups_mentor_rates_each_mentee_named_by_the_query(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    skills = MatchingProfile(skills_wanted=SKILLS)
    group = [
        pair("pair-g1", group_id="grp-1"),
        pair(
            "pair-g2",
            group_id="grp-1",
            mentee_participant_id=LONER,
            mentee_person_id=dev_person_id(EMPLOYEES[LONER]),
        ),
    ]
    levels = {"levels": {"public_speaking": 4, "delegation": 2}}
    rate_url = "/v1/pairs/grp-1/skills/mentor/midpoint"
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            # The registrations after the pairs: a pair names its members, and a
            # registration older than that is not applied (the first test does the same).
            [
                *history(),
                *group,
                registration(MENTEE, "mentee").model_copy(update={"profile": skills}),
                registration(LONER, "mentee").model_copy(update={"profile": skills}),
            ],
            prefix=settings.kafka_topic_prefix,
        )
        for one in (MENTEE, LONER):  # each once feedback holds the skills they chose
            rated = await eventually(
                lambda one=one: client.put(  # type: ignore[misc]
                    rate_url, headers=mentor, params={"mentee": one}, json=levels
                ),
                lambda r: r.status_code not in {404, 409},
            )
            assert rated.status_code == 200, (one, rated.text)
            assert rated.json()["participant_id"] == one

        # A group's id needs its mentee; one from elsewhere (or malformed) is named.
        for params in ({}, {"mentee": "part-outsider"}, {"mentee": "not an id"}):
            refused = await client.put(rate_url, headers=mentor, params=params, json=levels)
            assert problems(refused) == ["query.mentee"], (params, refused.text)
        # A pair's own id takes its mentee or none; another one is named too.
        assert (
            await client.put(
                "/v1/pairs/pair-1/skills/mentor/end",
                headers=mentor,
                params={"mentee": LONER},
                json=levels,
            )
        ).json()["errors"][0]["field"] == "query.mentee"
        own = await client.put(
            "/v1/pairs/pair-1/skills/mentor/end",
            headers=mentor,
            params={"mentee": MENTEE},
            json=levels,
        )
        assert own.status_code == 200, own.text
        # Only the group's mentor rates; strangers are refused before the mentee is checked.
        as_mentee = await client.put(
            rate_url, headers=mentee, params={"mentee": LONER}, json=levels
        )
        assert as_mentee.status_code == 403
        stranger = as_person(OUTSIDER_EMPLOYEE)
        assert (
            await client.put(rate_url, headers=stranger, params={"mentee": "x"}, json=levels)
        ).status_code == 403
        unknown = await client.put(
            "/v1/pairs/grp-9/skills/mentor/midpoint",
            headers=mentor,
            params={"mentee": MENTEE},
            json=levels,
        )
        assert unknown.status_code == 404
        calibration = await client.get(
            f"/v1/programs/{PROGRAM}/participants/{LONER}/skills/calibration", headers=mentor
        )
        assert calibration.status_code == 200, calibration.text
        assert calibration.json()["moments"]["midpoint"][0]["mentor"] == 4
