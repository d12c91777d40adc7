"""The mentor impact view reads only some fields of each document, and tallies the held
sessions as it reads them: it shows what the whole documents show."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from analytics.adapters.read_models import RM_PREFIX, ReadModels
from analytics.domain.documents import (
    GoalFact,
    PairFact,
    ParticipantFact,
    ProgramFacts,
    SessionFact,
    SessionStatus,
    SkillsFact,
)
from analytics.domain.mentor_impact import mentor_impact, tally_meetings
from analytics.settings import AnalyticsSettings
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.mongo import Database, create_client, ensure_indexes

from .histories import PROGRAM, history
from .memory import project

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(make_settings: SettingsFactory) -> AsyncIterator[Database]:
    settings = make_settings(AnalyticsSettings)
    mongo = create_client(settings.mongodb_url, app_name="test")
    yield mongo[settings.mongodb_database]
    await mongo.close()


async def test_the_impact_view_from_projected_fields_equals_the_view_from_whole_documents(
    database: Database,
) -> None:
    store = project(history(11).envelopes, [50])
    models = ReadModels(database)
    await ensure_indexes(database, list(models.indexes()))
    for target, document in store.documents.items():
        await database[f"{RM_PREFIX}{target.kind.collection}"].insert_one(
            document.model_dump(by_alias=True)
        )
    sessions = [
        s
        for s in store.of_kind(SessionFact)
        if s.program_id == PROGRAM and s.status is SessionStatus.HELD
    ]
    whole = ProgramFacts(
        program_id=PROGRAM,
        participants=[p for p in store.of_kind(ParticipantFact) if p.program_id == PROGRAM],
        pairs=[p for p in store.of_kind(PairFact) if p.program_id == PROGRAM and p.created],
        sessions=sessions,
        feedback=[fact for s in sessions for fact in s.feedback_facts()],
        goals=[g for g in store.of_kind(GoalFact) if g.program_id == PROGRAM],
        skills=[s for s in store.of_kind(SkillsFact) if s.program_id == PROGRAM],
    )
    expected = mentor_impact(whole)
    assert expected.mentors
    assert any(m.sessions_held and m.ratings and m.goals for m in expected.mentors)

    read = await models.impact_facts(PROGRAM)
    assert read.meetings == tally_meetings(whole.sessions, whole.feedback)
    assert mentor_impact(read) == expected
