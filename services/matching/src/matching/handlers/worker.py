"""The run worker: claims queued runs, solves them, stores proposals, creates pairs.

Runs are claimed with a lease that a heartbeat renews while the worker works, so a run
whose worker died is taken over by another replica once the lease runs out. Every write
a worker makes is conditional on still holding the run. Solving happens in a thread (the
solver releases the GIL for most of its work); approval creates pairs one proposal part
per transaction and records its progress, so an interrupted approval resumes where it
stopped and never creates a pair twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from functools import partial
from uuid import uuid4

from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.runs import ProposalPart, RunRepository
from matching.domain.matching import MatchingFailed, mentor_capacity, propose
from matching.domain.pairs import Pair
from matching.domain.runs import (
    MAX_ATTEMPTS,
    PART_PAIRS,
    Approval,
    Run,
    RunKind,
    RunStatus,
    Stage,
    proposal_parts,
    summary_of,
)
from matching.handlers.metrics import MatchingMetrics
from matching.handlers.runs import RunNotFoundError, RunService
from mentorship_contracts.events import MatchingRunApproved, PairCreated, PairEnded
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import PairEndReason, ProgramFormat, utc_now
from mentorship_kit.outbox import Transaction, Transactor

logger = logging.getLogger(__name__)


class LostClaimError(Exception):
    """Another worker took the run over (this one's lease ran out)."""


def new_pair_id() -> str:
    """A fresh pair id."""
    return f"pair-{uuid4().hex[:20]}"


class RunWorker:
    """One replica's worker: one run at a time (solving is CPU-bound)."""

    def __init__(
        self,
        transactor: Transactor,
        service: RunService,
        *,
        runs: RunRepository,
        pairs: PairRepository,
        pool: MatchingPool,
        metrics: MatchingMetrics,
        lease_s: float,
        poll_s: float,
    ) -> None:
        self._transactor = transactor
        self._service = service
        self._runs = runs
        self._pairs = pairs
        self._pool = pool
        self._metrics = metrics
        self._lease = timedelta(seconds=lease_s)
        self._poll_s = poll_s
        self.worker_id = f"{os.uname().nodename}-{os.getpid()}-{uuid4().hex[:6]}"

    async def run(self) -> None:
        """Work on runs for as long as the service runs."""
        while True:
            if not await self.work_once():
                self._service.work_arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._service.work_arrived.wait(), self._poll_s)

    async def work_once(self) -> bool:
        """Claim one run and take it as far as it goes; False when there was none."""
        now = utc_now()
        run = await self._runs.claim(self.worker_id, now, now + self._lease)
        if run is None:
            return False
        heartbeat = asyncio.create_task(self._heartbeat(run.run_id))
        try:
            await self._work(run)
        except LostClaimError:
            logger.warning("another worker took the run over", extra={"run_id": run.run_id})
        finally:
            heartbeat.cancel()
            with contextlib.suppress(Exception):  # let another worker (or this one) go on
                await asyncio.shield(self._runs.release(run.run_id, self.worker_id))
        return True

    async def _work(self, run: Run) -> None:
        if run.attempts > MAX_ATTEMPTS:
            await self._fail(run, f"the run was interrupted {run.attempts - 1} times; giving up")
        elif run.status is RunStatus.APPROVING:
            await self._approve(run)
        else:
            await self._solve(run)

    async def _heartbeat(self, run_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            if not await self._runs.renew(run_id, self.worker_id, utc_now() + self._lease):
                return

    # ------------------------------------------------------------------ solving

    async def _solve(self, run: Run) -> None:
        started = time.perf_counter()

        async def begin(tx: Transaction) -> None:
            await self._update(
                run, tx, status=RunStatus.RUNNING, stage=Stage.LOADING, started_at=tx.now
            )

        await self._transactor.run(begin)
        try:
            request = await self._service.matching_request(run)
        except RunNotFoundError:
            await self._fail(run, f"program {run.program_id} is unknown to matching")
            return
        loop = asyncio.get_running_loop()

        def progress(stage: str) -> None:  # called from the solver's thread
            asyncio.run_coroutine_threadsafe(
                self._runs.set_stage(run.run_id, self.worker_id, Stage(stage)), loop
            )

        try:
            proposal = await asyncio.to_thread(propose, request, progress)
        except MatchingFailed as error:
            await self._fail(run, str(error))
            return
        await self._runs.set_stage(run.run_id, self.worker_id, Stage.STORING)
        program = request.program
        events = proposal_parts(run.run_id, program, proposal, kind=run.kind, proposed_at=utc_now())
        pair_ids = [new_pair_id() for _ in proposal.matches]
        kept = [match.kept for match in proposal.matches]
        parts = [
            ProposalPart(
                event=event,
                pair_ids=tuple(pair_ids[k * PART_PAIRS : (k + 1) * PART_PAIRS]),
                kept=tuple(kept[k * PART_PAIRS : (k + 1) * PART_PAIRS]),
            )
            for k, event in enumerate(events)
        ]
        automatic = program.auto_approve_matches

        status = RunStatus.APPROVING if automatic else RunStatus.PROPOSED
        summary = summary_of(proposal, len(parts))

        async def store(tx: Transaction) -> Run:
            approval = (
                Approval(approved_by=None, automatic=True, started_at=tx.now) if automatic else None
            )
            await self._update(
                run,
                tx,
                status=status,
                stage=Stage.CREATING_PAIRS if automatic else Stage.DONE,
                summary=summary,
                removed=proposal.removed,
                finished_at=tx.now,
                approval=approval,
                attempts=0,
            )
            await self._runs.add_parts(run.run_id, parts, tx)
            for event in events:
                tx.emit(event)
            return replace(
                run, status=status, summary=summary, removed=proposal.removed, approval=approval
            )

        stored = await self._transactor.run(store)
        self._metrics.runs.labels(run.kind.value, "proposed").inc()
        self._metrics.run_seconds.labels(run.kind.value).observe(time.perf_counter() - started)
        self._metrics.gap.set(proposal.gap)
        for stage in ("scoring", "pairs", "build", "score"):
            if stage in proposal.seconds:
                self._metrics.stage_seconds.labels(stage).observe(proposal.seconds[stage])
        logger.info(
            "run proposed",
            extra={
                "run_id": run.run_id,
                "pairs": len(proposal.matches),
                "gap": proposal.gap,
                "seconds": proposal.seconds.get("total"),
            },
        )
        if automatic:
            await self._approve(stored)

    async def _fail(self, run: Run, message: str) -> None:
        async def fail(tx: Transaction) -> None:
            await self._update(
                run,
                tx,
                status=RunStatus.FAILED,
                stage=Stage.DONE,
                error=message[:2000],
                finished_at=tx.now,
            )

        await self._transactor.run(fail)
        self._metrics.runs.labels(run.kind.value, "failed").inc()
        logger.warning("run failed", extra={"run_id": run.run_id, "error": message})

    # ------------------------------------------------------------------ approving

    async def _approve(self, run: Run) -> None:
        assert run.approval is not None
        program = await self._service.program(run.program_id)
        approval = run.approval
        if run.removed and not approval.removed_done:
            approval = await self._transactor.run(partial(self._end_removed, run, approval))
        for part in await self._runs.parts(run.run_id):
            if part.event.part > approval.parts_done:
                approval = await self._transactor.run(
                    partial(self._create_pairs, run, program, part, approval)
                )

        async def finish(tx: Transaction) -> None:
            finished = replace(approval, finished_at=tx.now)
            await self._update(
                run, tx, status=RunStatus.APPROVED, stage=Stage.DONE, approval=finished
            )
            tx.emit(
                MatchingRunApproved(
                    run_id=run.run_id,
                    program_id=run.program_id,
                    pair_count=approval.pairs_created,
                    approved_automatically=approval.automatic,
                    approved_at=tx.now,
                )
            )
            for other in await self._runs.proposed(run.program_id, tx):
                if other.run_id != run.run_id:
                    await self._runs.update(other.run_id, tx, status=RunStatus.SUPERSEDED.value)

        await self._transactor.run(finish)
        self._metrics.runs.labels(run.kind.value, "approved").inc()
        self._metrics.pairs_created.inc(approval.pairs_created)
        self._metrics.pairs_skipped.inc(approval.pairs_skipped)

    async def _end_removed(self, run: Run, approval: Approval, tx: Transaction) -> Approval:
        """What-if: end the existing pairs the proposal changes."""
        removed = set(run.removed)
        for pair in await self._pairs.active_involving([key.mentee for key in removed], tx):
            if pair.key in removed and await self._pairs.end(
                pair.pair_id, PairEndReason.ADMIN_DECISION, tx.now, tx
            ):
                tx.emit(
                    PairEnded(
                        pair_id=pair.pair_id,
                        program_id=pair.program_id,
                        reason=PairEndReason.ADMIN_DECISION,
                        ended_at=tx.now,
                        rematch_requested=False,
                    )
                )
                self._metrics.pairs_ended.labels(PairEndReason.ADMIN_DECISION.value).inc()
        updated = replace(approval, removed_done=True)
        await self._update(run, tx, approval=updated)
        return updated

    async def _create_pairs(
        self,
        run: Run,
        program: ProgramState,
        part: ProposalPart,
        approval: Approval,
        tx: Transaction,
    ) -> Approval:
        """Create one part's pairs that are still possible; skip the others."""
        peer = program.format is ProgramFormat.PEER
        proposed = [
            (pair_id, pair)
            for pair_id, pair, kept in zip(part.pair_ids, part.event.pairs, part.kept, strict=True)
            if not kept
        ]
        ids = {p.mentor_participant_id for _, p in proposed} | {
            p.mentee_participant_id for _, p in proposed
        }
        people = await self._pool.claim(ids, tx)
        active = await self._pairs.active_involving(ids, tx)
        taken = {pair.mentee_participant_id for pair in active}
        if peer:
            taken |= {pair.mentor_participant_id for pair in active}
        load = Counter(pair.mentor_participant_id for pair in active)
        existing = await self._pairs.existing_ids([pair_id for pair_id, _ in proposed], tx)
        created: list[Pair] = []
        skipped = 0
        for pair_id, pair in proposed:
            if pair_id in existing:
                continue
            mentee = people.get(pair.mentee_participant_id)
            mentor = people.get(pair.mentor_participant_id)
            if (
                mentee is None
                or mentor is None
                or mentee.participant_id in taken
                or (peer and mentor.participant_id in taken)
                or load[mentor.participant_id] >= mentor_capacity(program, mentor)
            ):
                skipped += 1
                continue
            taken.add(mentee.participant_id)
            if peer:
                taken.add(mentor.participant_id)
            load[mentor.participant_id] += 1
            created.append(
                Pair(
                    pair_id=pair_id,
                    program_id=run.program_id,
                    run_id=run.run_id,
                    mentor_participant_id=mentor.participant_id,
                    mentee_participant_id=mentee.participant_id,
                    mentor_person_id=mentor.person_id,
                    mentee_person_id=mentee.person_id,
                    group_id=pair.group_id,
                    score=pair.score,
                    contributions=dict(pair.contributions),
                    is_rematch=run.kind is RunKind.REMATCH,
                    created_at=tx.now,
                )
            )
        await self._pairs.insert(created, tx)
        for new in created:
            tx.emit(
                PairCreated(
                    pair_id=new.pair_id,
                    program_id=new.program_id,
                    run_id=new.run_id,
                    mentor_participant_id=new.mentor_participant_id,
                    mentee_participant_id=new.mentee_participant_id,
                    mentor_person_id=new.mentor_person_id,
                    mentee_person_id=new.mentee_person_id,
                    group_id=new.group_id,
                    score=new.score,
                    contributions=new.contributions,
                    is_rematch=new.is_rematch,
                    created_at=new.created_at,
                )
            )
        updated = replace(
            approval,
            parts_done=part.event.part,
            pairs_created=approval.pairs_created + len(created),
            pairs_skipped=approval.pairs_skipped + skipped,
        )
        await self._update(run, tx, approval=updated)
        return updated

    async def _update(self, run: Run, tx: Transaction, **changes: object) -> None:
        encoded = {
            name: value.value if isinstance(value, RunStatus | Stage) else value
            for name, value in changes.items()
        }
        if not await self._runs.update(run.run_id, tx, held_by=self.worker_id, **encoded):
            raise LostClaimError(run.run_id)
