"""360 over the real broker and database: links without accounts, peers only as an average."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from feedback.adapters.records import Records
from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts import decode
from mentorship_contracts.events import (
    DirectoryPersonErased,
    MatchingProfile,
    RaterInvited,
    SkillsAssessed,
)
from mentorship_contracts.topics import DEVELOPMENT
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.outbox import Transaction

from .scenario import (
    ADMIN,
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
    problems,
    registration,
)

pytestmark = pytest.mark.integration

mentee = as_person(EMPLOYEES[MENTEE])
mentor = as_person(EMPLOYEES[MENTOR])
loner = as_person(EMPLOYEES[LONER])
outsider = as_person(OUTSIDER_EMPLOYEE)
CALIBRATION = f"/v1/programs/{PROGRAM}/participants/{MENTEE}/skills/calibration"


def _levels(public_speaking: int) -> dict[str, dict[str, int]]:
    return {"levels": {"public_speaking": public_speaking, "delegation": 3}}


async def test_manager_and_peers_answer_by_link_and_calibrate(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    chosen = registration(MENTEE, "mentee").model_copy(
        update={
            "profile": MatchingProfile(skills_wanted=SKILLS),
            "reporting_line": (dev_person_id("e-boss"),),
        }
    )
    managerless = registration(LONER, "mentee").model_copy(update={"reporting_line": ()})
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [*history(), chosen, managerless],
            prefix=settings.kafka_topic_prefix,
        )
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
            lambda r: r.status_code == 200,
        )
        ask_url = f"/v1/programs/{PROGRAM}/skills/raters"
        no_manager = await eventually(
            lambda: client.post(ask_url, headers=loner, json={"moment": "end", "manager": True}),
            lambda r: r.status_code == 409,
        )
        assert no_manager.json()["error"] == "no_manager_known"
        asked = await eventually(
            lambda: client.post(
                ask_url, headers=mentee, json={"moment": "end", "manager": True, "peers": 3}
            ),
            lambda r: r.status_code != 409,
        )
        assert asked.status_code == 200, asked.text
        # The manager is mailed by the platform: the mentee gets no token to answer as them.
        (invited,) = asked.json()["invited"]
        assert invited["rater_kind"] == "manager"
        assert set(invited) == {"request_id", "rater_kind", "moment", "expires_at"}
        forwarded = asked.json()["links"]
        assert [link["rater_kind"] for link in forwarded] == ["peer", "peer", "peer"]
        delivered = await client.get(
            f"/v1/skills/rater-requests/{invited['request_id']}/delivery", headers=ADMIN
        )
        assert delivered.status_code == 200, delivered.text
        manager_path = delivered.json()["path"]
        assert manager_path.removeprefix("/v1/skills/rater-links/") not in asked.text
        links = [{"path": manager_path, "token": manager_path.rsplit("/", 1)[-1]}, *forwarded]
        too_many = await client.post(ask_url, headers=mentee, json={"moment": "end", "peers": 3})
        assert problems(too_many) == ["body.peers"]
        assert (
            await client.post(ask_url, headers=mentor, json={"moment": "end", "peers": 1})
        ).status_code == 403

        # Raters answer without any account; a bad or altered token is not found.
        public = client
        assert "authorization" not in public.headers  # no account, no token: only the link
        form = await public.get(links[0]["path"])
        assert form.status_code == 200, form.text
        assert form.json()["skills"] == list(SKILLS)
        assert form.json()["rater_kind"] == "manager"
        forged = links[1]["token"].split(".")[0] + "." + links[0]["token"].split(".")[1]
        assert (
            await public.put(f"/v1/skills/rater-links/{forged}", json=_levels(3))
        ).status_code == 404
        assert (await public.put(links[0]["path"], json=_levels(2))).status_code == 200
        # Her manager answered for the end: a fresh link would only say "already answered".
        again = await client.post(ask_url, headers=mentee, json={"moment": "end", "manager": True})
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "manager_already_answered"
        bad = await public.put(links[1]["path"], json={"levels": {"public_speaking": 0}})
        assert problems(bad) == ["body.levels.public_speaking"]
        for link, level in zip(links[1:3], (2, 3), strict=True):
            assert (await public.put(link["path"], json=_levels(level))).status_code == 200

        # Two peers: no average, nobody individually.
        view = await client.get(CALIBRATION, headers=mentee)
        assert view.status_code == 200, view.text
        (row, _) = view.json()["moments"]["end"]
        assert row == {
            "skill": "public_speaking",
            "self": None,
            "mentor": None,
            "manager": 2,
            "peers_average": None,
            "peers_answered": 2,
        }
        assert (await public.put(links[3]["path"], json=_levels(5))).status_code == 200
        for reader in (mentee, mentor, ADMIN):
            view = await client.get(CALIBRATION, headers=reader)
            assert view.status_code == 200, view.text
            assert view.json()["moments"]["end"][0]["peers_average"] == pytest.approx(10 / 3, 0.01)
        for stranger in (loner, outsider):
            assert (await client.get(CALIBRATION, headers=stranger)).status_code == 403

        # The mentee's right of access: the manager's answer, the peers only as their average.
        export = await client.get("/v1/me/export", headers=mentee)
        assert export.status_code == 200, export.text
        received = export.json()["sections"]["skills_assessments_received"]["items"]
        assert sorted(
            (a["rater_kind"], a["raters"], a["levels"]["public_speaking"]) for a in received
        ) == [("manager", 1, 2.0), ("peer", 3, pytest.approx(3.33, abs=0.01))]
        requests = export.json()["sections"]["rater_requests"]["items"]
        assert sorted(r["rater_kind"] for r in requests) == ["manager", "peer", "peer", "peer"]
        assert all(link["token"] not in export.text for link in links)
        # the mentor rates the mentee: given in the mentor's export, received in the mentee's
        rated = await client.put(
            "/v1/pairs/pair-1/skills/mentor/end", headers=mentor, json=_levels(4)
        )
        assert rated.status_code == 200, rated.text
        given = (await client.get("/v1/me/export", headers=mentor)).json()["sections"]
        assert [
            (a["participant_id"], a["rater_kind"], a["levels"]["public_speaking"])
            for a in given["skills_assessments_given"]["items"]
        ] == [(MENTEE, "mentor", 4.0)]
        assert given["skills_assessments_received"]["items"] == []

        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: len(found) >= 3,
        )
    assessed = [decode(r.value).data for r in records]
    announced = sorted(
        (e.rater_kind.value, e.raters) for e in assessed if isinstance(e, SkillsAssessed)
    )
    assert announced == [("manager", 1), ("mentor", 1), ("peer", 3)]


async def test_the_manager_and_named_peers_are_invited_for_notifications_to_mail(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    boss = dev_person_id("e-boss")
    chosen = registration(MENTEE, "mentee").model_copy(
        update={"profile": MatchingProfile(skills_wanted=SKILLS), "reporting_line": (boss,)}
    )
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, [*history(), chosen], prefix=settings.kafka_topic_prefix
        )
        ask_url = f"/v1/programs/{PROGRAM}/skills/raters"
        bad = await client.post(
            ask_url,
            headers=mentee,
            json={"moment": "baseline", "invite_peers": [{"email": "not an address"}, {}]},
        )
        assert problems(bad) == ["body.invite_peers.0.email", "body.invite_peers.1"]
        asked = await eventually(
            lambda: client.post(
                ask_url,
                headers=mentee,
                json={
                    "moment": "baseline",
                    "manager": True,
                    "invite_peers": [{"employee_id": "e-pal"}, {"email": "kim@example.com"}],
                },
            ),
            lambda r: r.status_code != 409,
        )
        assert asked.status_code == 200, asked.text
        # Everyone here is mailed by the platform: the mentee holds none of their tokens.
        assert asked.json()["links"] == []
        assert [i["rater_kind"] for i in asked.json()["invited"]] == ["manager", "peer", "peer"]
        assert "token" not in asked.text
        assert "rater-links" not in asked.text
        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: len(found) >= 3,
        )
        invited = [
            e for e in (decode(r.value).data for r in records) if isinstance(e, RaterInvited)
        ]
        assert [(e.rater_kind.value, e.rater_person_id) for e in invited] == [
            ("manager", boss),
            ("peer", dev_person_id("e-pal")),
            ("peer", None),
        ]
        assert all(b"kim@example.com" not in r.value and b"e-pal" not in r.value for r in records)

        # Only the sending service (an admin token) reads whom to mail and the link.
        delivery_url = f"/v1/skills/rater-requests/{invited[2].request_id}/delivery"
        assert (await client.get(delivery_url, headers=mentee)).status_code == 403
        delivery = await client.get(delivery_url, headers=ADMIN)
        assert delivery.status_code == 200, delivery.text
        assert (delivery.json()["email"], delivery.json()["rater_person_id"]) == (
            "kim@example.com",
            None,
        )
        assert delivery.json()["request_id"] == asked.json()["invited"][2]["request_id"]
        form = await client.get(delivery.json()["path"])
        assert (form.status_code, form.json()["rater_kind"]) == (200, "peer")
        missing = await client.get("/v1/skills/rater-requests/rr-nope/delivery", headers=ADMIN)
        assert missing.status_code == 404

        pal_url = f"/v1/skills/rater-requests/{invited[1].request_id}/delivery"
        pal_path = (await client.get(pal_url, headers=ADMIN)).json()["path"]
        # The directory erases the peer: the request naming them goes, its link stops working.
        await publish_events(
            settings.kafka_bootstrap,
            [DirectoryPersonErased(person_id=dev_person_id("e-pal"), erased_at=utc_now())],
            prefix=settings.kafka_topic_prefix,
        )
        await eventually(lambda: client.get(pal_url, headers=ADMIN), lambda r: r.status_code == 404)
        assert (await client.get(pal_path)).status_code == 404
        assert (await client.get(delivery_url, headers=ADMIN)).status_code == 200


async def _peer_links(settings: FeedbackSettings, client: httpx.AsyncClient) -> list[str]:
    """The mentee (with skills to grow) asks three peers by link: their paths."""
    chosen = registration(MENTEE, "mentee").model_copy(
        update={"profile": MatchingProfile(skills_wanted=SKILLS)}
    )
    await publish_events(
        settings.kafka_bootstrap, [*history(), chosen], prefix=settings.kafka_topic_prefix
    )
    asked = await eventually(
        lambda: client.post(
            f"/v1/programs/{PROGRAM}/skills/raters",
            headers=mentee,
            json={"moment": "end", "peers": 3},
        ),
        lambda r: r.status_code != 409,
    )
    assert asked.status_code == 200, asked.text
    return [link["path"] for link in asked.json()["links"]]


async def test_an_answered_link_is_refused_and_the_answer_stays(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        path, *_ = await _peer_links(settings, client)
        assert (await client.put(path, json=_levels(2))).status_code == 200
        again = await client.put(path, json=_levels(5))
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "link_already_answered"
        assert "already answered" in again.json()["message"]
        # Opening the link again says so too, before anyone fills the form in.
        reopened = await client.get(path)
        assert (reopened.status_code, reopened.json()["error"]) == (409, "link_already_answered")
    # The stored answer is the first one.
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    try:
        answers = await mongo[settings.mongodb_database]["skills_assessments"].find().to_list()
    finally:
        await mongo.close()
    assert [a["levels"]["public_speaking"] for a in answers] == [2]


async def test_two_simultaneous_answers_through_one_link_count_once(
    make_settings: SettingsFactory, serve_app: AppServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        path, *_ = await _peer_links(settings, client)
        rival: list[httpx.Response] = []
        started: list[bool] = []
        find = Records.find

        async def interleaved(
            self: Records[Any], query: Mapping[str, Any], tx: Transaction | None = None
        ) -> list[Any]:
            # The first answer's transaction reads the other peers' answers; the second
            # answer through the same link runs to its end right then, before the first
            # one stores anything.
            if self.name == "skills_assessments" and tx is not None and not started:
                started.append(True)
                rival.append(await client.put(path, json=_levels(5)))
            return await find(self, query, tx)

        monkeypatch.setattr(Records, "find", interleaved)
        first = await client.put(path, json=_levels(2))
        assert sorted((first.status_code, rival[0].status_code)) == [200, 409], (
            first.text,
            rival[0].text,
        )
        refused = first if first.status_code == 409 else rival[0]
        assert refused.json()["error"] == "link_already_answered"
        calibration = (await client.get(CALIBRATION, headers=mentee)).json()
        assert calibration["moments"]["end"][0]["peers_answered"] == 1


async def test_the_mentee_reads_the_requests_she_sent_peers_staying_anonymous(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    chosen = registration(MENTEE, "mentee").model_copy(
        update={
            "profile": MatchingProfile(skills_wanted=SKILLS),
            "reporting_line": (dev_person_id("e-boss"),),
        }
    )
    sent_url = f"/v1/programs/{PROGRAM}/skills/raters"
    async with serve_app(build_app(settings)) as client:
        unknown = await client.get(sent_url, headers=mentee)
        assert (unknown.status_code, unknown.json()["error"]) == (409, "program_not_known")
        await publish_events(
            settings.kafka_bootstrap, [*history(), chosen], prefix=settings.kafka_topic_prefix
        )
        nothing = await eventually(
            lambda: client.get(sent_url, headers=mentee), lambda r: r.status_code == 200
        )
        assert nothing.json() == {"requests": [], "peers_answered": {"baseline": 0, "end": 0}}
        for nobody in (mentor, ADMIN):  # her mentor, and the admin token that names nobody
            assert (await client.get(sent_url, headers=nobody)).status_code == 403
        bad = await client.get(sent_url, headers=mentee, params={"moment": "someday"})
        assert problems(bad) == ["query.moment"]

        end = await client.post(
            sent_url,
            headers=mentee,
            json={
                "moment": "end",
                "manager": True,
                "peers": 3,
                "invite_peers": [{"email": "kim@example.com"}],
            },
        )
        assert end.status_code == 200, end.text
        baseline = await client.post(
            sent_url, headers=mentee, json={"moment": "baseline", "peers": 1}
        )
        assert baseline.status_code == 200, baseline.text
        manager_request = end.json()["invited"][0]["request_id"]
        manager_path = (
            await client.get(f"/v1/skills/rater-requests/{manager_request}/delivery", headers=ADMIN)
        ).json()["path"]
        assert (await client.put(manager_path, json=_levels(2))).status_code == 200
        first_link = end.json()["links"][0]["path"]
        assert (await client.put(first_link, json=_levels(4))).status_code == 200

        listed = await client.get(sent_url, headers=mentee)
        assert listed.status_code == 200, listed.text
        requests = listed.json()["requests"]
        assert [(r["moment"], r["rater_kind"]) for r in requests] == [
            ("end", "manager"),
            *[("end", "peer")] * 4,
            ("baseline", "peer"),
        ]
        assert set(requests[0]) == {
            "rater_kind",
            "moment",
            "reached_by",
            "email",
            "requested_at",
            "expires_at",
            "answered",
        }
        # The manager's answer shows; a peer's never does, only how many peers answered.
        assert [r["answered"] for r in requests] == [True, None, None, None, None, None]
        assert listed.json()["peers_answered"] == {"baseline": 0, "end": 1}
        assert sorted((r["reached_by"], r["email"]) for r in requests[1:5]) == [
            ("email", "kim@example.com"),
            ("link", None),
            ("link", None),
            ("link", None),
        ]
        assert requests[0]["reached_by"] == "directory"
        assert "token" not in listed.text
        assert all(link["token"] not in listed.text for link in end.json()["links"])
        assert manager_request not in listed.text

        only = await client.get(sent_url, headers=mentee, params={"moment": "baseline"})
        assert [r["moment"] for r in only.json()["requests"]] == ["baseline"]
        assert only.json()["peers_answered"] == {"baseline": 0}
