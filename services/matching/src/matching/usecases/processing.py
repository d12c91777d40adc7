"""Taking a claimed run as far as it goes: solve it, store the proposal, create its pairs.

Every write is conditional on the worker still holding the run (`LostClaimError`
otherwise). Solving happens in a thread (the solver releases the GIL for most of its
work); approval creates pairs one proposal part per transaction and records its
progress, so an interrupted approval resumes where it stopped and never creates a pair
twice.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial

from matching.adapters.metrics import MatchingMetrics
from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.runs import RunRepository
from matching.domain.approval import (
    ProposalPart,
    admit_part,
    finish_approval,
    stored_parts,
)
from matching.domain.matching import MatchingFailed, MatchingRequest, Proposal, propose
from matching.domain.pairs import Pair, end_pair
from matching.domain.runs import (
    MAX_ATTEMPTS,
    Approval,
    Run,
    RunStatus,
    RunSummary,
    Stage,
    proposal_parts,
    summary_of,
)
from matching.usecases.errors import LostClaimError, ProgramNotFoundError
from matching.usecases.runs import RunService
from mentorship_contracts.events.matching import MatchingRunProposed
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import PairEndReason, utc_now
from mentorship_kit.allocation import bulk_allocation, long_lived_objects, release_gradually
from mentorship_kit.mongo import Document
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.overlap import in_flight

logger = logging.getLogger(__name__)


PAIR_ID_BYTES = 10
"""Random bytes of a pair id: 20 hex digits, as ids from a uuid4's first 20 digits were."""
MAX_VIEW_RELOADS = 2
"""Times an approval reloads its view of a pool that changed under it; after that its
parts read what they need in their own transactions."""


class PoolView:
    """A program's pool and active pairs as of a version, advanced by an approval's parts."""

    def __init__(
        self, version: int, people: Iterable[ParticipantState], active: Iterable[Pair]
    ) -> None:
        self.version: int | None = version
        """None once the program changed in a way this view does not know of."""
        self._people = {person.participant_id: person for person in people}
        self._active: dict[str, list[Pair]] = {}
        self._add(active)

    def people_of(self, ids: Iterable[str]) -> dict[str, ParticipantState]:
        """Those of ``ids`` in the pool."""
        return {i: self._people[i] for i in ids if i in self._people}

    def involving(self, ids: Iterable[str]) -> list[Pair]:
        """Active pairs with any of ``ids`` in them."""
        found = {pair.pair_id: pair for i in ids for pair in self._active.get(i, ())}
        return list(found.values())

    def advance(self, created: Iterable[Pair], version: int | None) -> None:
        """A part committed ``created`` and left the program at ``version`` (None: unknown)."""
        self._add(created)
        self.version = version

    def _add(self, pairs: Iterable[Pair]) -> None:
        for pair in pairs:
            for person in (pair.mentee_participant_id, pair.mentor_participant_id):
                self._active.setdefault(person, []).append(pair)


def new_pair_ids(count: int) -> list[str]:
    """``count`` fresh pair ids (80 random bits each), drawn from the OS in one call."""
    drawn = secrets.token_hex(PAIR_ID_BYTES * count)
    step = 2 * PAIR_ID_BYTES
    return [f"pair-{drawn[start : start + step]}" for start in range(0, len(drawn), step)]


class RunProcessing:
    """The work a worker does on the runs it holds."""

    def __init__(
        self,
        transactor: Transactor,
        service: RunService,
        *,
        runs: RunRepository,
        pairs: PairRepository,
        pool: MatchingPool,
        metrics: MatchingMetrics,
    ) -> None:
        self._transactor = transactor
        self._service = service
        self._runs = runs
        self._pairs = pairs
        self._pool = pool
        self._metrics = metrics

    async def claim(self, worker: str, lease_until: datetime) -> Run | None:
        """The oldest run a worker should work on, now held by ``worker``; None if none."""
        return await self._runs.claim(worker, utc_now(), lease_until)

    async def renew(self, run_id: str, worker: str, lease_until: datetime) -> bool:
        """Extend ``worker``'s hold on the run; False once another worker took it over."""
        return await self._runs.renew(run_id, worker, lease_until)

    async def release(self, run_id: str, worker: str) -> None:
        """Give the run up, so that another worker (or this one) may go on with it at once."""
        await self._runs.release(run_id, worker)

    async def process(self, run: Run, worker: str) -> None:
        """Fail, approve or solve ``run``, as its state asks.

        The pool and the proposal a run builds (with the collector paused) are kept out of the
        collector's passes until the run ends (`long_lived_objects`): its passes over them
        landed in the middle of the run, a full one (250 ms at n=10,000) often while the
        proposal was being stored.

        Raises:
            LostClaimError: another worker took the run over meanwhile.
        """
        with long_lived_objects():
            if run.attempts > MAX_ATTEMPTS:
                await self._fail(
                    run, worker, f"the run was interrupted {run.attempts - 1} times; giving up"
                )
            elif run.status is RunStatus.APPROVING:
                await self._approve(run, worker)
            else:
                await self._solve(run, worker)

    # ------------------------------------------------------------------ solving

    async def _solve(self, run: Run, worker: str) -> None:
        started = time.perf_counter()

        async def begin(tx: Transaction) -> None:
            await self._update(
                run, worker, tx, status=RunStatus.RUNNING, stage=Stage.LOADING, started_at=tx.now
            )

        loading = time.perf_counter()
        began = asyncio.ensure_future(self._transactor.run(begin))  # while the pool is read
        try:
            request: MatchingRequest | None = await self._service.matching_request(run)
        except ProgramNotFoundError:
            request = None
        finally:
            await began  # a lost claim shows here, whatever the read found
        if request is None:
            await self._fail(run, worker, f"program {run.program_id} is unknown to matching")
            return
        loop = asyncio.get_running_loop()

        def progress(stage: str) -> None:  # called from the solver's thread
            asyncio.run_coroutine_threadsafe(
                self._runs.set_stage(run.run_id, worker, Stage(stage)), loop
            )

        solving = time.perf_counter()
        try:
            proposal = await asyncio.to_thread(propose, request, progress)
        except MatchingFailed as error:
            await self._fail(run, worker, str(error))
            return
        preparing = time.perf_counter()
        program = request.program
        # the database stores the stage while the parts are built; the stage's write ends
        # before the run's document is written again, however building the parts ends
        async with in_flight(self._runs.set_stage(run.run_id, worker, Stage.STORING)):
            with bulk_allocation():  # ten thousand pairs and unmatched people, no cycles
                events = proposal_parts(
                    run.run_id, program, proposal, kind=run.kind, proposed_at=utc_now()
                )
                parts = stored_parts(
                    events,
                    new_pair_ids(len(proposal.matches)),
                    [match.kept for match in proposal.matches],
                )
        automatic = program.auto_approve_matches
        status = RunStatus.APPROVING if automatic else RunStatus.PROPOSED
        summary = summary_of(
            proposal,
            len(parts),
            pipeline={
                "load": solving - loading,
                "solve": preparing - solving,
                "prepare": time.perf_counter() - preparing,
            },
        )
        store = partial(
            self._store,
            run,
            worker,
            proposal=proposal,
            events=events,
            parts=parts,
            summary=summary,
            status=status,
            documents=[],
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
        pool = list(request.participants)
        del request  # the run is done with its pool: freed a slice at a time, not in one go
        await release_gradually(pool)
        if automatic:
            await self._approve(stored, worker)

    async def _store(
        self,
        run: Run,
        worker: str,
        tx: Transaction,
        *,
        proposal: Proposal,
        events: Sequence[MatchingRunProposed],
        parts: Sequence[ProposalPart],
        summary: RunSummary,
        status: RunStatus,
        documents: list[Document],
    ) -> Run:
        """Store the proposal and its events; each write's round trip overlaps the CPU of the next.

        ``documents``: the parts as stored, serialised by the first attempt that gets there.
        """
        automatic = status is RunStatus.APPROVING
        approval = (
            Approval(approved_by=None, automatic=True, started_at=tx.now) if automatic else None
        )
        updating = self._update(
            run,
            worker,
            tx,
            status=status,
            stage=Stage.CREATING_PAIRS if automatic else Stage.DONE,
            summary=summary,
            removed=proposal.removed,
            finished_at=tx.now,
            approval=approval,
            attempts=0,
        )
        async with in_flight(updating):
            if not documents:
                documents.extend(self._runs.part_documents(run.run_id, parts))
        async with in_flight(self._runs.insert_parts(documents, tx)):
            for event in events:
                tx.emit(event)
            tx.encode_emitted()
        return replace(
            run, status=status, summary=summary, removed=proposal.removed, approval=approval
        )

    async def _fail(self, run: Run, worker: str, message: str) -> None:
        async def fail(tx: Transaction) -> None:
            await self._update(
                run,
                worker,
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

    async def _approve(self, run: Run, worker: str) -> None:
        assert run.approval is not None
        program = await self._service.program(run.program_id)
        approval = run.approval
        if run.removed and not approval.removed_done:
            approval = await self._transactor.run(partial(self._end_removed, run, worker, approval))
        view = await self._view(run.program_id)
        reloads = 0
        for part in await self._runs.parts(run.run_id):
            if part.event.part <= approval.parts_done:
                continue
            approval = await self._transactor.run(
                partial(
                    self._create_pairs,
                    run,
                    worker,
                    program=program,
                    part=part,
                    approval=approval,
                    view=view,
                ),
                retry_on_duplicate_key=True,
            )
            if view.version is None and reloads < MAX_VIEW_RELOADS:
                view, reloads = await self._view(run.program_id), reloads + 1

        async def finish(tx: Transaction) -> None:
            finished = finish_approval(run, approval, tx.now)
            await self._update(
                run,
                worker,
                tx,
                status=RunStatus.APPROVED,
                stage=Stage.DONE,
                approval=finished.approval,
            )
            tx.emit(finished.event)
            for other in await self._runs.proposed(run.program_id, tx):
                if other.run_id != run.run_id:
                    await self._runs.update(other.run_id, tx, status=RunStatus.SUPERSEDED.value)

        await self._transactor.run(finish)
        self._metrics.runs.labels(run.kind.value, "approved").inc()
        self._metrics.pairs_created.inc(approval.pairs_created)
        self._metrics.pairs_skipped.inc(approval.pairs_skipped)

    async def _end_removed(
        self, run: Run, worker: str, approval: Approval, tx: Transaction
    ) -> Approval:
        """What-if: end the existing pairs the proposal changes."""
        removed = set(run.removed)
        reason = PairEndReason.ADMIN_DECISION
        for pair in await self._pairs.active_involving([key.mentee for key in removed], tx):
            if pair.key not in removed:
                continue
            ending = end_pair(pair, reason, tx.now, rematch_requested=False)
            if await self._pairs.end(pair.pair_id, reason, tx.now, tx):
                tx.emit(ending.event)
                tx.after_commit(self._metrics.pairs_ended.labels(reason.value).inc)
        await self._pool.touch(run.program_id, tx)
        updated = replace(approval, removed_done=True)
        await self._update(run, worker, tx, approval=updated)
        return updated

    async def _view(self, program_id: str) -> PoolView:
        """The program's pool and active pairs, with the version they are current at."""
        version = await self._pool.version(program_id)  # read first: a later change shows
        people = await self._pool.participants_of(program_id)
        return PoolView(version, people, await self._pairs.active_of(program_id))

    async def _create_pairs(
        self,
        run: Run,
        worker: str,
        tx: Transaction,
        *,
        program: ProgramState,
        part: ProposalPart,
        approval: Approval,
        view: PoolView,
    ) -> Approval:
        """Create one part's pairs that are still possible; skip the others.

        The part's transaction bumps the program's version first (`MatchingPool.touch`):
        when nothing changed since ``view`` was current, the view is the pool and pairs
        this transaction would read; otherwise they are read here, for the part's people.
        """
        ids = part.people()
        before = await self._pool.touch(run.program_id, tx)
        if before == view.version:
            people, active = view.people_of(ids), view.involving(ids)
        else:
            people = await self._pool.people(ids, tx)
            active = await self._pairs.active_involving(ids, tx)
        admission = admit_part(
            run,
            program,
            part,
            approval,
            people=people,
            active=active,
            created_already=await self._pairs.existing_ids(
                [pair_id for pair_id, _ in part.new_pairs()], tx
            ),
            now=tx.now,
        )
        await self._pairs.insert(admission.pairs, tx)
        for event in admission.events:
            tx.emit(event)
        await self._update(run, worker, tx, approval=admission.approval)
        current = before == view.version
        tx.after_commit(partial(view.advance, admission.pairs, before + 1 if current else None))
        return admission.approval

    async def _update(self, run: Run, worker: str, tx: Transaction, **changes: object) -> None:
        encoded = {
            name: value.value if isinstance(value, RunStatus | Stage) else value
            for name, value in changes.items()
        }
        if not await self._runs.update(run.run_id, tx, held_by=worker, **encoded):
            raise LostClaimError(run.run_id)
