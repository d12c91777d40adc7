"""A run is recorded as running while its pool is read: what either side finds still counts.

The worker's first transaction (status running, stage loading) and the reads of the pool,
the reporting lines and the pairs go on at the same time; a run whose program is unknown
still fails with that reason, and a claim lost meanwhile still stops the run unsolved. Once
the proposal is stored, the pool read is freed a slice at a time.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from datetime import timedelta

import pytest

from matching.domain.approval import ProposalPart
from matching.domain.runs import RunKind, RunOptions, RunStatus, Stage
from matching.settings import MatchingServiceSettings
from matching.usecases import processing
from matching.usecases.errors import LostClaimError
from mentorship_contracts.types import utc_now
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.allocation import release_gradually
from mentorship_kit.outbox import Transaction

from .harness import matching_parts
from .programs import MENTEE, MENTOR, person, program

pytestmark = pytest.mark.integration

PROGRAM = "prog-loading"


async def test_a_run_of_a_program_matching_no_longer_knows_fails_saying_so(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(
            program(program_id=PROGRAM), person("m", MENTOR, capacity=1, program_id=PROGRAM)
        )
        run = await matching.service.request(
            PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None
        )
        await matching.runtime.database["programs"].delete_one({"_id": PROGRAM})

        assert await matching.worker.work_once()

        failed = await matching.service.get(run.run_id)
        assert failed.status is RunStatus.FAILED
        assert failed.error == f"program {PROGRAM} is unknown to matching"
        assert failed.started_at is not None  # recorded as running before it failed
        assert failed.summary is None


async def test_a_claim_lost_while_the_pool_is_read_stops_the_run_unsolved(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(
            program(program_id=PROGRAM, auto_approve_matches=False),
            person("m", MENTOR, capacity=1, program_id=PROGRAM),
            person("a", MENTEE, program_id=PROGRAM),
        )
        run = await matching.service.request(
            PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None
        )
        claimed = await matching.processing.claim("first", utc_now() + timedelta(seconds=30))
        assert claimed is not None

        async def taken_over(tx: Transaction) -> None:
            await matching.runs.update(run.run_id, tx, worker="second")

        await matching.transactor.run(taken_over)

        with pytest.raises(LostClaimError):
            await matching.processing.process(claimed, "first")

        left = await matching.service.get(run.run_id)
        assert left.status is RunStatus.QUEUED
        assert left.summary is None
        assert await matching.runs.parts(run.run_id) == []


async def test_parts_that_fail_to_build_leave_no_write_of_the_run_behind(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The storing stage's write goes on while the parts are built: it ends either way."""

    def broken(*_: object, **__: object) -> list[ProposalPart]:
        msg = "parts could not be built"
        raise RuntimeError(msg)

    monkeypatch.setattr(processing, "stored_parts", broken)
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(
            program(program_id=PROGRAM, auto_approve_matches=False),
            person("m", MENTOR, capacity=1, program_id=PROGRAM),
            person("a", MENTEE, program_id=PROGRAM),
        )
        run = await matching.service.request(
            PROGRAM, RunKind.MATCH, RunOptions(time_limit_s=10), None
        )
        claimed = await matching.processing.claim("first", utc_now() + timedelta(seconds=30))
        assert claimed is not None
        written: list[Stage] = []
        set_stage = matching.runs.set_stage

        async def recorded(run_id: str, worker: str, stage: Stage) -> None:
            await set_stage(run_id, worker, stage)
            written.append(stage)

        monkeypatch.setattr(matching.runs, "set_stage", recorded)

        with pytest.raises(RuntimeError, match="parts could not be built"):
            await matching.processing.process(claimed, "first")

        assert Stage.STORING in written  # its write had ended when the failure came out
        left = await matching.service.get(run.run_id)
        assert left.summary is None


async def test_the_pool_is_freed_a_slice_at_a_time_once_the_proposal_is_stored(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Freeing a large pool at once held the event loop (25 ms at 12,500 people)."""
    released: list[tuple[int, RunStatus]] = []

    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:

        async def recorded(items: MutableSequence[object]) -> None:
            released.append((len(items), (await matching.service.get(run.run_id)).status))
            await release_gradually(items)

        monkeypatch.setattr(processing, "release_gradually", recorded)
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

    assert released == [(3, RunStatus.PROPOSED)]  # the whole pool, after the proposal
