"""Sessions stored by a version with the per-member, per-reminder and per-series indexes keep
working.

The sessions collection keeps no index but ``_id``; a start-up migration first gives every
series what the dropped indexes answered (who its sessions were ever for, when its next
reminder falls due, the last number its sessions were given). A member who left a group
keeps their past sessions through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events import PairEnded, ParticipantErased
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.mongo import ensure_indexes
from scheduling.adapters.migrations import LACKING_LOOKUPS, backfill_series_lookups
from scheduling.usecases.storing import sessions_of

from .direct import Replica, replica
from .scenario import (
    BERLIN,
    MENTEE,
    MENTEE_EMPLOYEE,
    MENTOR,
    MENTOR_EMPLOYEE,
    NEW_YORK,
    PROGRAM,
    pair,
    participant,
    program,
)

pytestmark = pytest.mark.integration

GROUP = "group-1"
MENTEE_2, MENTEE_2_EMPLOYEE = "part-mentee-2", "e-mentee-2"
OLD_SESSION_INDEXES = (
    IndexModel([("participant_ids", ASCENDING)], name="by_member"),
    IndexModel([("next_reminder_at", ASCENDING)], name="by_next_reminder"),
    IndexModel([("series_id", ASCENDING), ("starts_at", ASCENDING)], name="by_series"),
)
OLD_SERIES_INDEXES = (
    IndexModel([("members.participant_id", ASCENDING)], name="by_participant"),
    IndexModel([("members.pair_id", ASCENDING)], name="by_pair"),
)


async def a_group_one_mentee_left(scheduling: Replica) -> None:
    """A group of a mentor and two mentees, planned; the first mentee left it a moment ago."""
    now = utc_now()
    await scheduling.deliver(
        program(now.date(), format="group", max_group_size=4),
        participant(MENTOR, MENTOR_EMPLOYEE, BERLIN, "mentor"),
        participant(MENTEE, MENTEE_EMPLOYEE, NEW_YORK, "mentee"),
        participant(MENTEE_2, MENTEE_2_EMPLOYEE, NEW_YORK, "mentee"),
        pair(now - timedelta(days=40), "pair-g1", group_id=GROUP),
        pair(
            now - timedelta(days=40),
            "pair-g2",
            group_id=GROUP,
            mentee_participant_id=MENTEE_2,
            mentee_person_id=dev_person_id(MENTEE_2_EMPLOYEE),
        ),
    )
    assert (await scheduling.scheduling.planner.plan_pending()).planned == 2
    await scheduling.deliver(
        example(PairEnded, pair_id="pair-g1", program_id=PROGRAM, ended_at=utc_now())
    )


async def test_old_data_is_migrated_before_the_old_indexes_go(
    make_settings: SettingsFactory,
) -> None:
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        stored = [d async for d in database["sessions"].find().sort("starts_at", ASCENDING)]
        past = {d["_id"] for d in stored if MENTEE in d["participant_ids"]}
        assert past
        assert {d["_id"] for d in stored} - past  # later sessions no longer name them
        series = await parts.series.get(GROUP)
        assert series is not None
        assert MENTEE not in series.participant_ids

        # As the earlier version left it: no lookups on the series, the sessions' own indexes.
        lookups = ("ever_participant_ids", "next_reminder_at", "last_sequence")
        await database["series"].update_many({}, {"$unset": dict.fromkeys(lookups, "")})
        await database["sessions"].create_indexes(list(OLD_SESSION_INDEXES))
        assert await sessions_of(parts.series, parts.sessions, [MENTEE]) == []

        await ensure_indexes(database, parts.indexes)

        names = set(await database["sessions"].index_information())
        assert names == {"_id_"}
        found = await sessions_of(parts.series, parts.sessions, [MENTEE])
        assert {s.session_id for s in found} == past
        everything = await parts.sessions.of_series(GROUP)
        assert {s.session_id for s in everything} == {d["_id"] for d in stored}
        assert [s.starts_at for s in found] == sorted(s.starts_at for s in found)
        document = await database["series"].find_one({"_id": GROUP})
        assert document is not None
        assert set(document["ever_participant_ids"]) == {MENTOR, MENTEE, MENTEE_2}
        assert document["last_sequence"] == max(d["sequence"] for d in stored) == len(stored)
        pending = [
            d["next_reminder_at"]
            for d in stored
            if d["status"] == "scheduled" and d["next_reminder_at"] is not None
        ]
        assert document["next_reminder_at"] == min(pending)
        assert await parts.series.due_for_reminders(min(pending), 10) == [GROUP]
        assert await parts.series.due_for_reminders(min(pending) - timedelta(seconds=1), 10) == []

        # Idempotent: a start that crashed before the drop runs it again, to the same result.
        assert await backfill_series_lookups(database) == 1
        again = await database["series"].find_one({"_id": GROUP})
        assert again == document


async def test_a_member_who_left_keeps_their_past_sessions_and_an_erasure_takes_them_off(
    make_settings: SettingsFactory,
) -> None:
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        theirs = {d["_id"] async for d in database["sessions"].find({"participant_ids": MENTEE})}
        assert theirs

        found = await parts.session_service.of_person(dev_person_id(MENTEE_EMPLOYEE))
        assert {s.session_id for s in found} == theirs

        await scheduling.deliver(
            example(
                ParticipantErased,
                participant_id=MENTEE,
                person_id=dev_person_id(MENTEE_EMPLOYEE),
                program_id=PROGRAM,
            )
        )

        assert await database["sessions"].count_documents({"participant_ids": MENTEE}) == 0
        assert await database["series"].count_documents({"ever_participant_ids": MENTEE}) == 0
        assert await sessions_of(parts.series, parts.sessions, [MENTEE]) == []
        assert await sessions_of(parts.series, parts.sessions, [MENTEE_2])


async def test_a_series_an_old_pod_stores_after_the_migration_gets_its_lookups(
    make_settings: SettingsFactory,
) -> None:
    """During a rolling upgrade an old pod replaces a series without the lookups: the next
    reminder round (and any start) gives them back, so its reminder fires and a former
    member finds their past sessions."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        past = {d["_id"] async for d in database["sessions"].find({"participant_ids": MENTEE})}
        now = utc_now()
        upcoming = await database["sessions"].find_one(
            {"series_id": GROUP, "status": "scheduled", "starts_at": {"$gt": now}},
            sort=[("starts_at", ASCENDING)],
        )
        assert upcoming is not None
        due_at = (now - timedelta(minutes=1)).replace(microsecond=0)  # stored to the ms
        await database["sessions"].update_one(
            {"_id": upcoming["_id"]},
            {
                "$set": {
                    "reminders": [{"due_at": due_at, "lead_minutes": 60}],
                    "next_reminder_at": due_at,
                }
            },
        )

        async def an_old_pod_stores_the_series() -> None:
            """The earlier version replaced a series with a document without the lookups."""
            document = await database["series"].find_one({"_id": GROUP})
            assert document is not None
            del document["ever_participant_ids"]
            document.pop("next_reminder_at", None)
            await database["series"].replace_one({"_id": GROUP}, document)

        await an_old_pod_stores_the_series()
        assert await sessions_of(parts.series, parts.sessions, [MENTEE]) == []
        assert await parts.series.due_for_reminders(utc_now(), 10) == []

        outcome = await parts.reminders.send_due()

        assert outcome.backfilled == 1
        assert [(r.due_at, r.lead_minutes) for r in outcome.sent] == [(due_at, 60)]
        sent = await database["sessions"].find_one({"_id": upcoming["_id"]})
        assert sent is not None
        assert sent["reminders"] == []
        found = await sessions_of(parts.series, parts.sessions, [MENTEE])
        assert {s.session_id for s in found} == past
        assert (await parts.reminders.send_due()).backfilled == 0

        # A start gives every such series its lookups, once: running again changes nothing.
        await an_old_pod_stores_the_series()
        assert await parts.reminders.backfill_lookups() == 1
        assert await parts.reminders.backfill_lookups() == 0
        document = await database["series"].find_one({"_id": GROUP})
        assert document is not None
        assert set(document["ever_participant_ids"]) == {MENTOR, MENTEE, MENTEE_2}
        assert document["next_reminder_at"] > utc_now()


async def test_a_series_stored_without_its_last_number_still_finds_its_sessions(
    make_settings: SettingsFactory,
) -> None:
    """During a rolling upgrade an earlier pod stores a series without ``last_sequence``, or
    adds sessions to one without raising it: its sessions are found by a query on their
    series instead."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        stored = {d["_id"] async for d in database["sessions"].find({"series_id": GROUP})}
        document = await database["series"].find_one({"_id": GROUP})
        assert document is not None
        assert document["last_sequence"] == len(stored)

        await database["series"].update_one({"_id": GROUP}, {"$unset": {"last_sequence": ""}})

        assert {s.session_id for s in await parts.sessions.of_series(GROUP)} == stored
        grouped = await parts.sessions.of_many_series([GROUP, "no-such-series"])
        assert set(grouped) == {GROUP}
        assert {s.session_id for s in grouped[GROUP]} == stored

        # Sessions beyond the number, as an earlier pod extending the series leaves them.
        await database["series"].update_one(
            {"_id": GROUP}, {"$set": {"last_sequence": len(stored) - 1}}
        )
        assert {s.session_id for s in await parts.sessions.of_series(GROUP)} == stored


async def test_the_series_indexes_by_member_go_after_every_series_has_its_lookups(
    make_settings: SettingsFactory,
) -> None:
    """The series' ``by_participant`` and ``by_pair`` of earlier versions are dropped at
    start, after series stored without lookups got them: a member's series are then found
    through ``by_participant_ever``, a pair's by the series id its state names."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        retired = {index.document["name"] for index in OLD_SERIES_INDEXES}
        assert not retired & set(await database["series"].index_information())
        await database["series"].create_indexes(list(OLD_SERIES_INDEXES))
        await database["series"].update_many({}, {"$unset": {"ever_participant_ids": ""}})

        await ensure_indexes(database, parts.indexes)

        assert not retired & set(await database["series"].index_information())
        document = await database["series"].find_one({"_id": GROUP})
        assert document is not None
        assert set(document["ever_participant_ids"]) == {MENTOR, MENTEE, MENTEE_2}
        assert [s.series_id for s in await parts.series.of_participant(MENTEE_2)] == [GROUP]
        assert await parts.series.of_participant(MENTEE) == []  # left the group


async def test_an_erasure_finds_a_series_an_old_pod_stored_without_lookups(
    make_settings: SettingsFactory,
) -> None:
    """While an upgrade rolls, a pod of a version before the lookups stores a series without
    ``ever_participant_ids``: an erasure before the backfill still takes its member off."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        await database["series"].update_one(
            {"_id": GROUP}, {"$unset": {"ever_participant_ids": ""}}
        )
        assert [s.series_id for s in await parts.series.of_participant(MENTEE_2)] == [GROUP]

        await scheduling.deliver(
            example(
                ParticipantErased,
                participant_id=MENTEE_2,
                person_id=dev_person_id(MENTEE_2_EMPLOYEE),
                program_id=PROGRAM,
            )
        )

        series = await parts.series.get(GROUP)
        assert series is not None
        assert MENTEE_2 not in series.participant_ids
        assert await database["sessions"].count_documents({"participant_ids": MENTEE_2}) == 0


async def test_a_pair_scheduling_no_longer_keeps_still_leaves_its_series_when_it_ends(
    make_settings: SettingsFactory,
) -> None:
    """A pair's series is found by the id its recorded state names; a pair no longer
    recorded (forgotten with an erased member) is looked for among the series' members."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        await database["pairs"].delete_one({"_id": "pair-g2"})

        await scheduling.deliver(
            example(PairEnded, pair_id="pair-g2", program_id=PROGRAM, ended_at=utc_now())
        )

        series = await parts.series.get(GROUP)
        assert series is not None
        assert series.ended  # its last mentee left
        later = {"series_id": GROUP, "status": "scheduled", "starts_at": {"$gt": utc_now()}}
        assert await database["sessions"].count_documents(later) == 0


async def test_the_look_for_series_without_lookups_reads_the_index_not_every_series(
    make_settings: SettingsFactory,
) -> None:
    """Each reminder round looks for series an old pod stored without lookups: among many
    series it examines only those (through ``by_participant_ever``), never every series."""
    async with replica(make_settings) as scheduling:
        parts, database = scheduling.scheduling, scheduling.database
        await a_group_one_mentee_left(scheduling)
        await database["series"].insert_many(
            [
                {"_id": f"series-{n:03d}", "members": [], "ever_participant_ids": [f"p-{n}"]}
                for n in range(50)
            ]
        )
        await database["series"].update_one(
            {"_id": GROUP}, {"$unset": {"ever_participant_ids": ""}}
        )

        explained = await database["series"].find(LACKING_LOOKUPS).explain()

        stages = _stages(explained["queryPlanner"]["winningPlan"])
        assert "COLLSCAN" not in stages
        assert "IXSCAN" in stages
        assert "by_participant_ever" in str(explained["queryPlanner"]["winningPlan"])
        assert explained["executionStats"]["totalDocsExamined"] == 1
        assert await parts.reminders.backfill_lookups() == 1
        assert [s.series_id for s in await parts.series.of_participant(MENTEE_2)] == [GROUP]


def _stages(plan: Mapping[str, Any]) -> list[str]:
    """The stages of a query plan, outermost first."""
    found = [str(plan["stage"])]
    for child in ("inputStage", "inputStages"):
        inputs = plan.get(child, [])
        for item in inputs if isinstance(inputs, list) else [inputs]:
            found += _stages(item)
    return found
