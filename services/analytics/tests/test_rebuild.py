"""Rebuilding aggregates from the documents: on demand, and once for a database from before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from analytics.adapters.read_models import AGGREGATES, RM_PREFIX, ReadModels
from analytics.app import build_app
from analytics.domain.aggregates import Counts
from analytics.domain.documents import (
    FeedbackFact,
    GoalFact,
    MentorFact,
    MilestoneDueFact,
    OutcomeFact,
    ParticipantFact,
    PersonFact,
    RhythmFact,
    SchedulingFact,
    SessionFact,
    SessionStatus,
)
from analytics.domain.facts import Target
from analytics.domain.mentor_impact import MAX_PAGE, mentor_page
from analytics.settings import AnalyticsSettings
from analytics.usecases.projection import Projection
from analytics.usecases.rebuild import AGGREGATES_VERSION, Rebuilder
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_contracts.types import OutcomeKind, ParticipantRole
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Database, create_client, ensure_indexes
from mentorship_kit.outbox import Outbox, Transactor

from .histories import PROGRAM, history
from .memory import project
from .stored import transactor_on
from .test_projection_properties import all_reports

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
REPORTS = ("registration", "pairing", "sessions", "scores", "skills", "mentors")


async def test_a_rebuild_finds_nothing_to_correct_then_repairs_lost_counters_and_links(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings)
    events = history(5).envelopes
    expected = {
        name: report.model_dump(mode="json")
        for name, report in all_reports(project(events, [len(events)])).items()
        if name in REPORTS
    }
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

        async def reports() -> dict[str, Any]:
            return {
                name: (
                    await client.get(f"/v1/programs/{PROGRAM}/reports/{name}", headers=ADMIN)
                ).json()
                for name in REPORTS
            }

        await eventually(reports, lambda found: found == expected, timeout_s=60)
        rebuild = f"/v1/programs/{PROGRAM}/aggregates/rebuild"
        clean = (await client.post(rebuild, headers=ADMIN)).json()
        assert clean["documents"] > 0
        assert (
            clean["documents_corrected"],
            clean["counters_corrected"],
            clean["entries_corrected"],
        ) == (0, 0, 0)

        mongo = create_client(settings.mongodb_url, app_name="test")
        database = mongo[settings.mongodb_database]
        await database[AGGREGATES].delete_many({"program_id": PROGRAM})
        await database[f"{RM_PREFIX}participants"].update_many({}, {"$set": {"mentee_of": {}}})
        await database[f"{RM_PREFIX}mentors"].delete_many({})
        lost = await reports()
        assert lost["registration"]["participants"] == 0
        assert lost["mentors"]["mentors"] == [] != expected["mentors"]["mentors"]

        repaired = (await client.post(rebuild, headers=ADMIN)).json()
        assert repaired["counters_corrected"] > 0
        assert repaired["documents_corrected"] > 0
        assert await reports() == expected
        assert (await client.post(rebuild, headers=ADMIN)).status_code == 200
        await mongo.close()


@pytest.fixture
async def database(make_settings: SettingsFactory) -> AsyncIterator[Database]:
    settings = make_settings(AnalyticsSettings)
    mongo = create_client(settings.mongodb_url, app_name="test")
    yield mongo[settings.mongodb_database]
    await mongo.close()


async def test_a_database_from_before_gets_its_feedback_moved_and_its_aggregates_built(
    database: Database,
) -> None:
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    held = datetime(2027, 3, 1, 10, tzinfo=UTC)
    session = SessionFact(
        id="pair1.s001",
        program_id=PROGRAM,
        pair_id="pair1",
        starts_at=held,
        time_version="1",
        status=SessionStatus.HELD,
        held_at=held,
    )
    await database[f"{RM_PREFIX}sessions"].insert_one(session.model_dump(by_alias=True))
    for author, rating in ((ParticipantRole.MENTOR, 5), (ParticipantRole.MENTEE, 2)):
        legacy = FeedbackFact(
            id=f"pair1.s001-{author.value}",
            program_id=PROGRAM,
            session_id="pair1.s001",
            pair_id="pair1",
            author_key=author.value,
            author_role=author,
            first_submitted_at=held + timedelta(hours=1),
            version="000001|x",
            rating=rating,
            topics=["delegation"],
        )
        await database[f"{RM_PREFIX}feedback"].insert_one(legacy.model_dump(by_alias=True))
    client = database.client
    transactor = Transactor(
        client,
        Outbox(database, retention=timedelta(hours=1)),
        source="test",
        metrics=Metrics("test", "0"),
    )

    await Rebuilder(models, transactor).migrate()

    assert await database[f"{RM_PREFIX}feedback"].count_documents({}) == 0
    stored = await database[f"{RM_PREFIX}sessions"].find_one({"_id": "pair1.s001"})
    assert stored is not None
    assert sorted(stored["feedback"]) == ["pair1.s001-mentee", "pair1.s001-mentor"]
    aggregates = await models.aggregates(PROGRAM)
    assert aggregates.counts.value("totals", "rated_by_both") == 1
    assert aggregates.counts.value("totals", "ratings") == 2
    assert aggregates.counts.value("weeks", "2027-W09") == 1
    assert await models.schema_version() == AGGREGATES_VERSION


async def test_goals_stored_before_open_due_are_flagged_then_marked_once(
    database: Database,
) -> None:
    """A goal from before `GoalFact.open_due` has no such field: the health report still reads
    it, and the migration to version 2 stores the field (and nothing else) in every goal."""
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    due = [MilestoneDueFact(index=0, due_on=date(2027, 3, 1), reached=False)]
    goals = [
        GoalFact(
            id=goal_id,
            program_id=PROGRAM,
            owner_key=f"owner-{goal_id}",
            version="000001|x",
            topic="delegation",
            progress=progress,
            completed=progress == 100,
            milestones_due=due,
        )
        for goal_id, progress in (("open", 20), ("done", 100))
    ]
    for goal in goals:
        legacy = goal.model_dump(by_alias=True)
        del legacy["open_due"]
        await database[f"{RM_PREFIX}goals"].insert_one(legacy)
    await models.set_schema_version(1)
    assert [goal.id for goal in await models.milestone_goals(PROGRAM)] == ["open"]

    await Rebuilder(models, transactor_on(database)).migrate()

    stored = {d["_id"]: d async for d in database[f"{RM_PREFIX}goals"].find({})}
    assert {key: d["open_due"] for key, d in stored.items()} == {"open": True, "done": False}
    assert [goal.id for goal in await models.milestone_goals(PROGRAM)] == ["open"]
    assert await models.schema_version() == AGGREGATES_VERSION
    assert await models.mark_open_due() == 0, "every goal has the field now"


async def test_outcomes_kept_from_erasures_before_are_deleted_once(database: Database) -> None:
    """Outcomes of people erased before the erasure deleted them go at the migration to 3."""
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    people = [
        PersonFact(id="key-erased", program_id="", erased=True),
        PersonFact(id="key-kept", program_id=""),
    ]
    for person in people:
        await database[f"{RM_PREFIX}people"].insert_one(person.model_dump(by_alias=True))
    for outcome_id, key in (
        ("out-1", "key-erased"),
        ("out-2", "key-erased"),
        ("out-3", "key-kept"),
    ):
        outcome = OutcomeFact(
            id=outcome_id,
            program_id="",
            person_key=key,
            version="x",
            kind=OutcomeKind.PROMOTION,
            occurred_on=date(2026, 5, 1),
        )
        await database[f"{RM_PREFIX}outcomes"].insert_one(outcome.model_dump(by_alias=True))
    await models.set_schema_version(2)

    await Rebuilder(models, transactor_on(database)).migrate()

    kept = [d["_id"] async for d in database[f"{RM_PREFIX}outcomes"].find({})]
    assert kept == ["out-3"]
    assert await models.schema_version() == AGGREGATES_VERSION
    assert await models.forget_erased() == {}


async def test_mentors_impact_is_built_for_a_database_from_before_it(database: Database) -> None:
    """A database of version 3 has no mentor documents, nor the links that make them: the
    migration to 4 rebuilds every program, and the view reads what the projection keeps."""
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    events = history(11).envelopes
    store = project(events, [len(events)])
    expected = store.mentors(PROGRAM)
    assert expected.mentors
    for document in store.documents.values():
        if isinstance(document, MentorFact):
            continue
        legacy = document.model_dump(by_alias=True)
        if isinstance(document, ParticipantFact):
            legacy |= {"mentored_by": {}, "self_ratings": {}}
        if isinstance(document, RhythmFact):
            legacy["tallies"] = {}
            for member in legacy["members"].values():
                del member["mentor_key"]
        await database[f"{RM_PREFIX}{document.collection}"].insert_one(legacy)
    await models.set_schema_version(3)
    assert await models.mentors(PROGRAM, None, MAX_PAGE) == []

    await Rebuilder(models, transactor_on(database)).migrate()

    found = await models.mentors(PROGRAM, None, MAX_PAGE + 1)
    assert mentor_page(PROGRAM, found, MAX_PAGE) == expected
    assert await models.schema_version() == AGGREGATES_VERSION
    # Small pages, read from where the counters say they end (and on, if short), list the same.
    paged, after = [], None
    while page := await models.mentors(PROGRAM, after, 2):
        paged += page
        after = page[-1].rank
    assert mentor_page(PROGRAM, paged, MAX_PAGE) == expected


async def test_sessions_scheduled_move_to_their_schedulings_without_counting_twice(
    database: Database,
) -> None:
    """A database of version 7 kept each session scheduled as its own document (and had no
    schedulings): the migration to 8 links them to their rhythms as closed, so the counts
    stay, and the schedulings published again (now kept by `SchedulingFact`) count no session
    twice."""
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    events = history(13).envelopes
    store = project(events, [len(events)])
    expected = Counts(store.counts[PROGRAM])
    assert expected.value("totals", "status", SessionStatus.SCHEDULED.value) > 0
    legacy: dict[tuple[str, str], dict[str, Any]] = {}
    for document in store.documents.values():
        if not isinstance(document, SchedulingFact):
            continue
        for session_id in document.scheduled:
            stored_session = store.documents.get(Target(SessionFact, session_id))
            if not isinstance(stored_session, SessionFact) or stored_session.status is None:
                scheduled = (stored_session or SessionFact.stub(session_id, "")).model_copy(
                    update={
                        "program_id": document.program_id,
                        "pair_id": document.id,
                        "status": SessionStatus.SCHEDULED,
                    }
                )
                legacy[(SessionFact.collection, session_id)] = scheduled.model_dump(by_alias=True)
    for document in store.documents.values():
        if not isinstance(document, SchedulingFact):
            body = document.model_dump(by_alias=True)
            legacy.setdefault((document.collection, document.id), body)
    for (collection, _), body in legacy.items():
        await database[f"{RM_PREFIX}{collection}"].insert_one(body)
    await models.set_schema_version(7)

    await Rebuilder(models, transactor_on(database)).migrate()

    assert (await models.aggregates(PROGRAM)).counts == expected
    scheduling = [e for e in events if isinstance(e.data, SessionScheduled | SessionRescheduled)]
    projection = Projection(models)
    await transactor_on(database).run(lambda tx: projection.project(scheduling, tx))
    assert (await models.aggregates(PROGRAM)).counts == expected
    assert await models.schema_version() == AGGREGATES_VERSION


LAYOUT_7_RHYTHM = frozenset(
    {"_id", "program_id", "folded", "held", "members", "tallies", "stalest_day", "stalest_pair"}
)
"""The fields a `RhythmFact` of layout 7 stores: a pod of that version writes no other."""


def _first_outcome_of_a_session_scheduled_before(events: Sequence[Envelope[Any]]) -> int:
    """The index of the first outcome (held, missed, cancelled) of a session scheduled before."""
    scheduled: set[str] = set()
    for index, envelope in enumerate(events):
        event = envelope.data
        if isinstance(event, SessionScheduled | SessionRescheduled):
            scheduled.add(event.session_id)
        elif (
            isinstance(event, SessionCancelled | SessionCompleted | SessionMissed)
            and event.session_id in scheduled
        ):
            return index
    raise AssertionError("no session of the history was scheduled then closed")


async def test_a_layout_7_pod_rewriting_rhythms_loses_no_scheduling(database: Database) -> None:
    """During a rolling update a pod of layout 7 replaces rhythms whole with the fields its
    model knows, dropping their links ``scheduled`` and ``closed`` (b50591d kept the
    schedulings themselves there, folded, and lost them so). The schedulings are kept apart,
    so nothing is lost: until a rebuild the sessions are counted too high (never too low), and
    the rebuild the README asks for after the rollout makes the counters equal a recount."""
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    await models.set_schema_version(AGGREGATES_VERSION)
    events = history(13).envelopes
    split = _first_outcome_of_a_session_scheduled_before(events)
    first, rest = events[:split], events[split:]
    projection = Projection(models)
    await transactor_on(database).run(lambda tx: projection.project(first, tx))
    assert (await models.aggregates(PROGRAM)).counts == Counts(
        project(first, [len(first)]).counts[PROGRAM]
    )
    assert await database[f"{RM_PREFIX}{SchedulingFact.collection}"].count_documents({}) > 0

    rhythms = database[f"{RM_PREFIX}{RhythmFact.collection}"]
    replaced = 0
    async for document in rhythms.find({}):
        old = {key: value for key, value in document.items() if key in LAYOUT_7_RHYTHM}
        await rhythms.replace_one({"_id": document["_id"]}, old)
        replaced += 1
    assert replaced > 0

    await transactor_on(database).run(lambda tx: projection.project(rest, tx))
    recount = project(events, [len(events)])
    expected = Counts(recount.counts[PROGRAM])
    scheduled = ("totals", "status", SessionStatus.SCHEDULED.value)
    assert expected.value(*scheduled) > 0
    before = (await models.aggregates(PROGRAM)).counts
    over = before.value(*scheduled) - expected.value(*scheduled)
    assert over > 0
    assert before.value("totals", "sessions") - expected.value("totals", "sessions") == over

    summary = await Rebuilder(models, transactor_on(database)).rebuild(PROGRAM)
    assert summary.counters_corrected > 0
    assert (await models.aggregates(PROGRAM)).counts == expected
    kept = {
        document["_id"]: set(document["scheduled"])
        async for document in database[f"{RM_PREFIX}{SchedulingFact.collection}"].find({})
    }
    assert kept == {
        document.id: set(document.scheduled)
        for document in recount.documents.values()
        if isinstance(document, SchedulingFact)
    }
    summary = await Rebuilder(models, transactor_on(database)).rebuild(PROGRAM)
    assert (summary.counters_corrected, summary.entries_corrected) == (0, 0)
