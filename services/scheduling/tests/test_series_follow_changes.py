"""Series follow what happens around them: groups that start again, program dates, erasures."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import AsyncMongoClient

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import PairEnded, ParticipantErased, ParticipantUpdated
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually, stored_traces
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.consumer import PROCESSED_COLLECTION
from mentorship_kit.markers import stored_markers
from mentorship_kit.outbox import OUTBOX_COLLECTION
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings

from .scenario import (
    ADMIN,
    BERLIN,
    MENTEE,
    MENTEE_EMPLOYEE,
    MENTOR,
    MENTOR_EMPLOYEE,
    NEW_YORK,
    PROGRAM,
    as_person,
    history,
    pair,
    participant,
    program,
    program_updated,
    series_of,
)

pytestmark = pytest.mark.integration

MENTEE_2, MENTEE_2_EMPLOYEE = "part-mentee-2", "e-mentee-2"
GROUP = "group-1"


def start(session: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(session["starts_at"])


def berlin(session: dict[str, Any]) -> datetime:
    return start(session).astimezone(ZoneInfo(BERLIN))


def scheduled(series: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in series["sessions"] if s["status"] == "scheduled"]


async def test_a_group_whose_last_mentee_left_starts_again_with_a_new_one(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    now = utc_now()
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap,
            [
                program(now.date(), format="group", max_group_size=4),
                participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
                participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
                participant(MENTEE_2, MENTEE_2_EMPLOYEE, NEW_YORK, "mentee"),
                pair(now - timedelta(days=30), "pair-g1", group_id=GROUP),
            ],
            prefix=settings.kafka_topic_prefix,
        )
        before = await series_of(client, GROUP)
        await publish_events(
            settings.kafka_bootstrap,
            [example(PairEnded, pair_id="pair-g1", program_id=PROGRAM, ended_at=utc_now())],
            prefix=settings.kafka_topic_prefix,
        )
        ended = await eventually(lambda: series_of(client, GROUP), lambda s: s["ended"])
        assert all(start(s) < utc_now() for s in scheduled(ended))

        # The mentor's group gets a new mentee: same group id, a new pair.
        rematched_at = utc_now()
        await publish_events(
            settings.kafka_bootstrap,
            [
                pair(
                    rematched_at,
                    "pair-g2",
                    group_id=GROUP,
                    mentee_participant_id=MENTEE_2,
                    mentee_person_id=dev_person_id(MENTEE_2_EMPLOYEE),
                )
            ],
            prefix=settings.kafka_topic_prefix,
        )
        after = await eventually(lambda: series_of(client, GROUP), lambda s: not s["ended"])
        assert {m["participant_id"] for m in after["members"]} == {MENTOR, MENTEE_2}
        old_ids = {s["session_id"] for s in before["sessions"]}
        new = [s for s in after["sessions"] if s["session_id"] not in old_ids]
        assert len(new) >= 10
        assert all(s["participant_ids"] == [MENTOR, MENTEE_2] for s in new)
        assert all(s["status"] == "scheduled" for s in new)
        assert min(s["sequence"] for s in new) == len(before["sessions"]) + 1
        # At the series' slot, weekly, from the re-match (plus the lead) to the program's end.
        slot = {(berlin(s).weekday(), berlin(s).time()) for s in before["sessions"]}
        assert {(berlin(s).weekday(), berlin(s).time()) for s in new} == slot
        assert all(
            (berlin(b).date() - berlin(a).date()).days == 7 for a, b in itertools.pairwise(new)
        )
        assert start(new[0]) >= rematched_at + timedelta(days=2)
        assert start(new[0]) < rematched_at + timedelta(days=9)
        assert berlin(new[-1]).date() <= now.date() + timedelta(days=120)

        mine = await client.get("/v1/me/sessions", headers=as_person(MENTEE_2_EMPLOYEE))
        assert {s["session_id"] for s in mine.json()["sessions"]} == {s["session_id"] for s in new}
        # The first mentee is no member any more, yet still sees the sessions that were theirs.
        former = await client.get("/v1/me/sessions", headers=as_person(MENTEE_EMPLOYEE))
        assert {s["session_id"] for s in former.json()["sessions"]} == old_ids
        admin_view = await client.get(f"/v1/participants/{MENTEE}/sessions", headers=ADMIN)
        assert {s["session_id"] for s in admin_view.json()["sessions"]} == old_ids


async def test_sessions_follow_the_program_end_date(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    today = utc_now().date()
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        planned = await series_of(client)
        last_sequence = max(s["sequence"] for s in planned["sessions"])

        # Sixty days earlier: what lies beyond the new last day is cancelled.
        shorter = today + timedelta(days=60)
        await publish_events(
            settings.kafka_bootstrap,
            [program_updated(today, ends_on=shorter)],
            prefix=settings.kafka_topic_prefix,
        )
        cut = await eventually(
            lambda: series_of(client),
            lambda s: any(x["cancel_reason"] == "program_ended" for x in s["sessions"]),
        )
        beyond = [s for s in cut["sessions"] if berlin(s).date() > shorter]
        assert len(beyond) >= 7
        assert all(s["status"] == "cancelled" for s in beyond)
        assert {s["cancel_reason"] for s in beyond} == {"program_ended"}
        assert scheduled(cut)
        assert all(berlin(s).date() <= shorter for s in scheduled(cut))

        # Then later than ever, every other week: the series goes on to the new end, in its
        # slot, at the new cadence.
        longer = today + timedelta(days=150)
        await publish_events(
            settings.kafka_bootstrap,
            [program_updated(today, ends_on=longer, cadence="biweekly")],
            prefix=settings.kafka_topic_prefix,
        )
        extended = await eventually(
            lambda: series_of(client), lambda s: berlin(scheduled(s)[-1]).date() > shorter
        )
        new = [s for s in extended["sessions"] if s["sequence"] > last_sequence]
        assert [s["sequence"] for s in new] == list(
            range(last_sequence + 1, last_sequence + 1 + len(new))
        )
        assert all(s["status"] == "scheduled" for s in new)
        assert all(berlin(s).date() > shorter for s in new)
        assert berlin(new[-1]).date() <= longer
        assert berlin(new[-1]).date() > longer - timedelta(days=14)
        days = [berlin(s).date() for s in [scheduled(cut)[-1], *new]]
        assert all((b - a).days == 14 for a, b in itertools.pairwise(days))
        assert {berlin(s).time() for s in new} == {berlin(planned["sessions"][0]).time()}
        # What was planned before keeps its dates.
        kept = {s["session_id"]: s["starts_at"] for s in cut["sessions"]}
        assert len(extended["sessions"]) == len(kept) + len(new)
        assert all(
            kept[s["session_id"]] == s["starts_at"]
            for s in extended["sessions"]
            if s["session_id"] in kept
        )


async def test_a_pair_arriving_after_an_erasure_stores_nothing_of_the_erased(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(SchedulingSettings)
    now = utc_now()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    database = mongo[settings.mongodb_database]

    async def processed(envelopes: list[Envelope[IntegrationEvent]]) -> None:
        async def marked() -> set[str]:
            return {marker["_id"].rsplit(":", 1)[-1] for marker in await stored_markers(database)}

        wanted = {str(envelope.event_id) for envelope in envelopes}
        await eventually(marked, lambda seen: wanted <= seen)

    async def publish(events: list[IntegrationEvent]) -> None:
        await processed(
            await publish_events(
                settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix
            )
        )

    person = dev_person_id(MENTEE_EMPLOYEE)
    try:
        async with serve_app(build_app(settings)) as client:
            registered = participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee")
            await publish(
                [
                    program(now.date()),
                    participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
                    registered,
                ]
            )
            await publish(
                [
                    example(
                        ParticipantErased,
                        participant_id=MENTEE,
                        program_id=PROGRAM,
                        person_id=person,
                    )
                ]
            )
            # Late, from other topics (or replays): the pair, and the participant again.
            updated = example(
                ParticipantUpdated,
                **registered.model_dump(exclude={"registered_at"}),
                updated_at=utc_now(),
            )
            await publish([pair(now, "pair-late"), updated])

            assert (await client.get("/v1/pairs/pair-late", headers=ADMIN)).status_code == 404
            assert (
                await client.get("/v1/pairs/pair-late/sessions", headers=ADMIN)
            ).status_code == 404
            erased = as_person(MENTEE_EMPLOYEE)
            assert (
                await client.get("/v1/pairs/pair-late/sessions", headers=erased)
            ).status_code == 404
            assert (await client.get("/v1/me/sessions", headers=erased)).json()["sessions"] == []

        tombstones = await database["erased_participants"].find({"erased": True}).to_list()
        assert [sorted(t) for t in tombstones] == [["_id", "erased", "erased_at", "writes"]]
        assert tombstones[0]["_id"] == MENTEE
        async for guard in database["erased_participants"].find():
            assert set(guard) <= {"_id", "erased", "erased_at", "writes"}
        kept_aside = {OUTBOX_COLLECTION, PROCESSED_COLLECTION, "erased_participants"}
        assert await stored_traces(database, {MENTEE, person}, skip=kept_aside) == []
        async for record in database[OUTBOX_COLLECTION].find():
            assert MENTEE not in repr(record)
    finally:
        await mongo.close()
