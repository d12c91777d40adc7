"""A worker's heartbeat never conflicts with its own approval transactions.

A large approval's part used to take longer than the heartbeat interval, and the heartbeat
rewrote the run document the part's transaction writes too: the transaction hit a write
conflict, was retried from the start, met the next heartbeat, and the approval failed.
The heartbeat now renews a lease document of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest

from matching.domain.pairs import Pair
from matching.domain.runs import RunKind, RunOptions, RunStatus
from matching.settings import MatchingServiceSettings
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.outbox import Transaction

from .harness import matching_parts
from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

PROGRAM = "prog-lease"


async def test_a_heartbeat_during_a_part_does_not_restart_it(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(
            program(program_id=PROGRAM, auto_approve_matches=False),
            person("m", MENTOR, capacity=2, program_id=PROGRAM),
            person("a", MENTEE, program_id=PROGRAM),
            person("b", MENTEE, program_id=PROGRAM),
        )
        run = await matching.service.request(
            PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None
        )
        assert await matching.worker.work_once()
        await matching.service.approve(run.run_id, None)

        worker = "worker-under-test"
        claimed = await matching.processing.claim(worker, utc_now() + timedelta(seconds=30))
        assert claimed is not None
        attempts = 0
        insert: Callable[[Sequence[Pair], Transaction], Awaitable[None]] = matching.pairs.insert

        async def heartbeat_then_insert(pairs: Sequence[Pair], tx: Transaction) -> Any:
            nonlocal attempts
            attempts += 1
            if attempts > 3:
                pytest.fail("the part's transaction keeps being restarted by the heartbeat")
            assert await matching.processing.renew(
                run.run_id, worker, utc_now() + timedelta(seconds=30)
            )
            return await insert(pairs, tx)

        monkeypatch.setattr(matching.pairs, "insert", heartbeat_then_insert)
        await matching.processing.process(claimed, worker)

        approved = await matching.service.get(run.run_id)
        assert approved.status is RunStatus.APPROVED
        assert approved.approval is not None
        assert approved.approval.pairs_created == 2
        assert attempts == 1


async def test_a_run_held_by_a_live_heartbeat_is_not_taken_over(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(program(program_id=PROGRAM))
        run = await matching.service.request(
            PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None
        )
        now = utc_now()
        first = await matching.processing.claim("first", now + timedelta(seconds=1))
        assert first is not None
        assert first.run_id == run.run_id
        assert await matching.processing.claim("second", now + timedelta(seconds=1)) is None
        # The claim's own lease ran out, but the heartbeat renewed it elsewhere.
        assert await matching.processing.renew(run.run_id, "first", now + timedelta(hours=1))

        async def claim_lease_runs_out(tx: Transaction) -> None:
            await matching.runs.update(run.run_id, tx, lease_until=now)

        await matching.transactor.run(claim_lease_runs_out)
        assert await matching.processing.claim("second", now + timedelta(seconds=1)) is None
        # Once the heartbeat's lease runs out too, another worker takes the run over.
        later = now + timedelta(hours=2)
        taken = await matching.runs.claim("second", later, later + timedelta(seconds=30))
        assert taken is not None
        assert taken.attempts == 2
        assert not await matching.processing.renew(run.run_id, "first", later)
