"""Approval racing a withdrawal or an erasure: no pair outlives the person who left.

The approval creates a part's pairs in one transaction, the withdrawal (or erasure) deletes
the person from the pool and ends their pairs in another. The test commits the withdrawal
in the middle of the approval's transaction (between reading the pool and inserting the
pairs), driving the worker and the event handler directly.
"""

from __future__ import annotations

from functools import partial

import pytest

from matching.domain.pairs import PairStatus
from matching.domain.runs import RunKind, RunOptions, RunStatus
from matching.settings import MatchingServiceSettings
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import ParticipantErased, ParticipantWithdrew
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason
from mentorship_devstack.pytest_plugin import Interleaving, SettingsFactory

from .harness import matching_parts
from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

PROGRAM = "prog-race"
WITHDREW = example(ParticipantWithdrew, participant_id="e", program_id=PROGRAM)
ERASED = example(ParticipantErased, participant_id="e", program_id=PROGRAM, person_id="person-e")


@pytest.mark.parametrize(
    ("leaving", "reason"),
    [(WITHDREW, PairEndReason.PARTICIPANT_WITHDREW), (ERASED, PairEndReason.PARTICIPANT_ERASED)],
    ids=["withdrawal", "erasure"],
)
async def test_leaving_during_approval_leaves_no_active_pair(
    make_settings: SettingsFactory,
    monkeypatch: pytest.MonkeyPatch,
    leaving: IntegrationEvent,
    reason: PairEndReason,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        service, pairs, worker = matching.service, matching.pairs, matching.worker
        await matching.deliver(
            program(program_id=PROGRAM, auto_approve_matches=False),
            person("m", MENTOR, capacity=1, program_id=PROGRAM),
            person("e", MENTEE, program_id=PROGRAM),
        )
        run = await service.request(PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None)
        assert await worker.work_once()
        assert (await service.get(run.run_id)).status is RunStatus.PROPOSED
        await service.approve(run.run_id, None)

        rival = Interleaving(matching.transactor, partial(matching.handle, leaving))
        monkeypatch.setattr(pairs, "insert", rival.before(pairs.insert))
        assert await worker.work_once()
        await rival.finished()

        approval = (await service.get(run.run_id)).approval
        assert approval is not None
        made = await pairs.page(PROGRAM, status=None, after=None, limit=10)
        if approval.pairs_created:  # the withdrawal came second and ended the pair
            assert [(pair.status, pair.end_reason) for pair in made] == [(PairStatus.ENDED, reason)]
        else:  # the approval came second and saw the withdrawal
            assert (approval.pairs_skipped, made) == (1, [])
