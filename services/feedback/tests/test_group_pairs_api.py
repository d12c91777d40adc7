"""A group (one mentor, several mentees) over the real broker and database: its id names it.

A group's id is the series its members share; each mentee has a pair of their own in it. The
pair routes (fit, agreement, development plan, next agenda) take the group's id with
``?mentee=`` naming whose pair is meant: without it, or with someone not in the group, a 422
on ``query.mentee``; another mentee of the group gets a 403, a stranger a 403 first. The
group's mentor, a member of each mentee's pair, acknowledges each one's agreement, named.
"""

from __future__ import annotations

import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts.events import MatchingProfile
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id

from .scenario import (
    ADMIN,
    EMPLOYEES,
    LONER,
    MENTEE,
    MENTOR,
    OUTSIDER_EMPLOYEE,
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
TERMS = {
    "expectations": "Grow together",
    "meeting_frequency": "Every two weeks",
    "confidentiality": "What we say stays here",
}


async def test_the_pair_routes_take_a_groups_id_with_the_mentee_named(
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
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [
                *history(),
                *group,
                registration(MENTEE, "mentee").model_copy(update={"profile": skills}),
            ],
            prefix=settings.kafka_topic_prefix,
        )
        mine = {"mentee": MENTEE}
        plan = await eventually(
            lambda: client.get("/v1/pairs/grp-1/goals", headers=mentor, params=mine),
            lambda r: r.status_code == 200,
        )
        assert plan.json() == {"goals": []}

        # Without the mentee, or with one not in the group (or malformed): named.
        reads = ("goals", "fit", "agreement", "next-agenda")
        for route in reads:
            for params in ({}, {"mentee": "part-outsider"}, {"mentee": "not an id"}):
                refused = await client.get(
                    f"/v1/pairs/grp-1/{route}", headers=mentor, params=params
                )
                assert problems(refused) == ["query.mentee"], (route, params, refused.text)

        # The mentor writes the agreement of one mentee's pair; it is that pair's.
        drafted = await client.put(
            "/v1/pairs/grp-1/agreement", headers=mentor, params=mine, json=TERMS
        )
        assert drafted.status_code == 200, drafted.text
        assert drafted.json()["pair_id"] == "pair-g1"
        acknowledged = await client.post(
            "/v1/pairs/grp-1/agreement/acknowledge",
            headers=mentee,
            params=mine,
            json={"version": 1},
        )
        assert acknowledged.json()["acknowledged_by_both"] is True
        same = await client.get("/v1/pairs/pair-g1/agreement", headers=mentee)
        assert same.json()["version"] == 1
        other = await client.get(
            "/v1/pairs/grp-1/agreement", headers=mentor, params={"mentee": LONER}
        )
        assert other.status_code == 404  # the other mentee's pair has none yet
        # The other mentee drafts hers; the group's mentor acknowledges it, named (the
        # portal's per-mentee view); the first mentee may not acknowledge another's.
        theirs = {"mentee": LONER}
        drafted = await client.put(
            "/v1/pairs/grp-1/agreement", headers=loner, params=theirs, json=TERMS
        )
        assert drafted.json()["acknowledged_by_both"] is False
        refused = await client.post(
            "/v1/pairs/grp-1/agreement/acknowledge",
            headers=mentee,
            params=theirs,
            json={"version": 1},
        )
        assert refused.status_code == 403
        acknowledged = await client.post(
            "/v1/pairs/grp-1/agreement/acknowledge",
            headers=mentor,
            params=theirs,
            json={"version": 1},
        )
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json()["pair_id"] == "pair-g2"
        assert acknowledged.json()["acknowledged_by_both"] is True
        goal = await client.post(
            "/v1/pairs/grp-1/goals",
            headers=mentee,
            params=mine,
            json={"topic": SKILLS[0], "title": "Speak at the all-hands"},
        )
        assert goal.status_code in {200, 201}, goal.text
        assert goal.json()["pair_id"] == "pair-g1"
        agenda = await client.get("/v1/pairs/grp-1/next-agenda", headers=mentor, params=mine)
        assert agenda.status_code == 200, agenda.text
        fit = await client.get("/v1/pairs/grp-1/fit", headers=mentee, params=mine)
        assert fit.json() == {"answers": []}
        # The group's mentor reads each mentee's pair, named (the portal's per-mentee view).
        for route in ("agreement", "fit", "goals"):
            read = await client.get(f"/v1/pairs/grp-1/{route}", headers=mentor, params=mine)
            assert read.status_code == 200, (route, read.text)
        assert (await client.get("/v1/pairs/grp-1/agreement", headers=mentor, params=mine)).json()[
            "expectations"
        ] == TERMS["expectations"]
        assert (await client.get("/v1/pairs/grp-1/goals", headers=mentor, params=mine)).json()[
            "goals"
        ][0]["title"] == "Speak at the all-hands"

        # Another mentee of the group does not read hers; a stranger is refused first.
        assert (
            await client.get("/v1/pairs/grp-1/goals", headers=loner, params=mine)
        ).status_code == 403
        stranger = as_person(OUTSIDER_EMPLOYEE)
        assert (
            await client.get("/v1/pairs/grp-1/goals", headers=stranger, params={"mentee": "x"})
        ).status_code == 403
        # An admin reads any pair of the group, named; an unknown id is not found.
        assert (await client.get("/v1/pairs/grp-1/goals", headers=ADMIN, params=mine)).json()[
            "goals"
        ][0]["title"] == "Speak at the all-hands"
        assert (
            await client.get("/v1/pairs/grp-9/goals", headers=mentor, params=mine)
        ).status_code == 404
        # A pair's own id still needs no mentee, and refuses another one.
        assert (await client.get("/v1/pairs/pair-g1/goals", headers=mentee)).status_code == 200
        assert problems(
            await client.get("/v1/pairs/pair-g1/goals", headers=mentee, params={"mentee": LONER})
        ) == ["query.mentee"]
