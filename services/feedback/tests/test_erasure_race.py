"""An erasure racing a pair's creation on another replica: no pair outlives the erased.

PairCreated and ParticipantErased travel on different topics, so two replicas may handle
them at the same time, in two transactions. The test commits the erasure in the middle of
the PairCreated transaction (after its erasure check, before it stores the pair), driving
the event handlers directly. Both write the participant's guard document, so one of them
conflicts and is retried: either the pair is stored first and the erasure deletes it, or the
pair's retry sees the erasure.
"""

from __future__ import annotations

from functools import partial

import pytest

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.entrypoints.subscriptions import register_event_handlers
from feedback.settings import FeedbackSettings
from feedback.usecases.erasure import Erasure
from feedback.usecases.facts import Facts
from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.examples import example
from mentorship_devstack.pytest_plugin import (
    Interleaving,
    SettingsFactory,
    deliver_directly,
    stored_traces,
)
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.erasure_guards import GUARDS as ERASED
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import OUTBOX_COLLECTION
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime

from .scenario import EMPLOYEES, MENTEE, MENTOR, PROGRAM, pair, registration

pytestmark = pytest.mark.integration


async def test_an_erasure_during_a_pairs_creation_leaves_nothing_of_the_erased(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = ServiceRuntime(make_settings(FeedbackSettings))
    database = runtime.database
    transactor = runtime.transactor
    directory = Directory(database)
    held = HeldSessions(database)
    erasure = Erasure(
        directory,
        held,
        feedback=Records(
            database, "session_feedback", SessionFeedback, "feedback_id", "session_id"
        ),
        fits=Records(database, "fit_reports", FitReport, "report_id", "pair_id"),
        agreements=Records(database, "agreements", Agreement, "pair_id"),
        goals=Records(database, "goals", Goal, "goal_id", "pair_id"),
        surveys=Records(database, "survey_responses", SurveyResponse, "response_id"),
    )
    await ensure_indexes(database, [runtime.outbox.indexes(), *directory.indexes()])
    register_event_handlers(
        runtime.handlers, Facts(directory, held), erasure, ProgramManagers(database)
    )
    mentee_person = dev_person_id(EMPLOYEES[MENTEE])

    handle = deliver_directly(runtime.handlers)

    try:
        for event in (registration(MENTOR, "mentor"), registration(MENTEE, "mentee")):
            await transactor.run(partial(handle, event))
        erased = example(
            ParticipantErased, participant_id=MENTEE, program_id=PROGRAM, person_id=mentee_person
        )
        rival = Interleaving(transactor, partial(handle, erased))
        monkeypatch.setattr(directory.pairs, "put_many", rival.before(directory.pairs.put_many))
        await transactor.run(partial(handle, pair()))
        await rival.finished()

        assert await directory.pairs.get("pair-1") is None
        assert await directory.persons([MENTOR, MENTEE]) == {
            MENTOR: dev_person_id(EMPLOYEES[MENTOR])
        }
        assert (
            await stored_traces(database, {MENTEE, mentee_person}, skip={OUTBOX_COLLECTION, ERASED})
            == []
        )
    finally:
        await runtime.mongo.close()
