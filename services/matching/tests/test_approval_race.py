"""Approval racing a withdrawal or an erasure: no pair outlives the person who left.

The approval creates a part's pairs in one transaction, the withdrawal (or erasure) deletes
the person from the pool and ends their pairs in another. The test commits the withdrawal
in the middle of the approval's transaction (between reading the pool and inserting the
pairs), driving the worker and the event handler directly.
"""

from __future__ import annotations

from functools import partial
from typing import Any

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


async def test_a_withdrawal_after_the_approval_read_the_pool_is_seen_by_the_part(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval reads the pool once; a change after that makes its parts read again."""
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        service = matching.service
        await matching.deliver(
            program(program_id=PROGRAM, auto_approve_matches=False),
            person("m", MENTOR, capacity=2, program_id=PROGRAM),
            person("a", MENTEE, program_id=PROGRAM),
            person("e", MENTEE, program_id=PROGRAM),
        )
        run = await service.request(PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None)
        assert await matching.worker.work_once()
        await service.approve(run.run_id, None)
        read_pool = matching.processing._view

        async def then_withdraw(program_id: str) -> Any:
            view = await read_pool(program_id)
            await matching.deliver(WITHDREW)
            return view

        monkeypatch.setattr(matching.processing, "_view", then_withdraw)
        assert await matching.worker.work_once()

        approval = (await service.get(run.run_id)).approval
        assert approval is not None
        assert (approval.pairs_created, approval.pairs_skipped) == (1, 1)
        made = await matching.pairs.page(PROGRAM, status=None, after=None, limit=10)
        assert [pair.mentee_participant_id for pair in made] == ["a"]
