"""Requesting, reading and approving matching runs (solving them is `processing`'s job)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from uuid import uuid4

from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges, walk_up
from matching.adapters.runs import RunRepository
from matching.domain.approval import ProposalPart
from matching.domain.matching import MatchingFailed, MatchingRequest
from matching.domain.runs import Approval, Run, RunKind, RunOptions, RunStatus, Stage
from matching.domain.why_not import WhyNot, why_not
from matching.usecases.errors import (
    InvalidReference,
    ProgramNotFoundError,
    RunConflictError,
    RunNotFoundError,
    RunRequestInvalidError,
    RunUnsolvableError,
)
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ProgramLifecycle
from mentorship_kit.outbox import Transaction, Transactor


def new_run_id() -> str:
    """A fresh run id."""
    return f"run-{uuid4().hex[:20]}"


class RunService:
    """Runs as program managers see them."""

    def __init__(
        self,
        transactor: Transactor,
        pool: MatchingPool,
        runs: RunRepository,
        pairs: PairRepository,
        managers: ManagerEdges,
    ) -> None:
        self._transactor = transactor
        self._pool = pool
        self._runs = runs
        self._pairs = pairs
        self._managers = managers
        self.work_arrived = asyncio.Event()
        """Set when a run is queued or approved, so an idle worker starts at once."""

    async def request(
        self, program_id: str, kind: RunKind, options: RunOptions, requested_by: str | None
    ) -> Run:
        """Queue a run.

        Refused while another run of the program is unfinished, or once the program closed.
        """
        if (await self.program(program_id)).lifecycle is ProgramLifecycle.CLOSED:
            msg = f"program {program_id} is closed: it is no longer matched"
            raise RunConflictError(msg)
        await self._check_references(program_id, options)

        async def queue(tx: Transaction) -> Run:
            busy = await self._runs.active(program_id, tx)
            if busy:
                msg = (
                    f"run {busy[0].run_id} of program {program_id} is {busy[0].status.value}; "
                    "start another once it has finished"
                )
                raise RunConflictError(msg)
            run = _new_run(program_id, kind, options, requested_by, tx.now)
            await self._runs.insert(run, tx)
            return run

        run = await self._transactor.run(queue)
        self.work_arrived.set()
        return run

    async def queue_rematch(self, program_id: str, time_limit_s: float, tx: Transaction) -> None:
        """Queue a re-match unless a run that has not read the pool yet is queued already."""
        if any(run.status is RunStatus.QUEUED for run in await self._runs.active(program_id, tx)):
            return
        options = RunOptions(time_limit_s=time_limit_s)
        await self._runs.insert(_new_run(program_id, RunKind.REMATCH, options, None, tx.now), tx)
        self.work_arrived.set()

    async def approve(self, run_id: str, approved_by: str | None) -> Run:
        """Start creating a proposed run's pairs (idempotent once started)."""

        async def start(tx: Transaction) -> Run:
            run = await self._runs.get(run_id, tx)
            if run is None:
                raise RunNotFoundError(run_id)
            if run.status in {RunStatus.APPROVING, RunStatus.APPROVED}:
                return run
            if run.status is not RunStatus.PROPOSED:
                msg = f"run {run_id} is {run.status.value}: only a proposed run can be approved"
                raise RunConflictError(msg)
            program = await self._pool.programs.get(run.program_id)
            if program is not None and program.lifecycle is ProgramLifecycle.CLOSED:
                msg = f"program {run.program_id} is closed: no pairs are created after it closes"
                raise RunConflictError(msg)
            approval = Approval(approved_by=approved_by, automatic=False, started_at=tx.now)
            await self._runs.update(
                run_id,
                tx,
                status=RunStatus.APPROVING.value,
                stage=Stage.CREATING_PAIRS.value,
                approval=approval,
                attempts=0,
                worker=None,
                lease_until=None,
            )
            return replace(run, status=RunStatus.APPROVING, approval=approval)

        run = await self._transactor.run(start)
        self.work_arrived.set()
        return run

    async def get(self, run_id: str) -> Run:
        """A run by id."""
        run = await self._runs.get(run_id)
        if run is None:
            raise RunNotFoundError(run_id)
        return run

    async def page(self, program_id: str, before: datetime | None, limit: int) -> list[Run]:
        """A program's runs, newest first."""
        await self.program(program_id)
        return await self._runs.page(program_id, before=before, limit=limit)

    async def part(self, run_id: str, number: int) -> ProposalPart:
        """One part of a run's proposal."""
        run = await self.get(run_id)
        if run.summary is None:
            msg = f"run {run_id} is {run.status.value} and has no proposal"
            raise RunConflictError(msg)
        part = await self._runs.part(run_id, number)
        if part is None:
            msg = f"run {run_id} has {run.summary.parts} part(s), not a part {number}"
            raise RunNotFoundError(msg)
        return part

    async def why_not(self, run_id: str, mentee: str, mentor: str) -> WhyNot:
        """Why the run does not pair ``mentee`` with ``mentor``, on today's pool."""
        run = await self.get(run_id)
        request = await self.matching_request(run)
        try:
            return await asyncio.to_thread(why_not, request, mentee, mentor)
        except MatchingFailed as error:
            msg = f"run {run_id} cannot be solved again on today's pool to compare: {error}"
            raise RunUnsolvableError(msg) from error

    async def program(self, program_id: str) -> ProgramState:
        """The program as matching knows it."""
        program = await self._pool.programs.get(program_id)
        if program is None:
            raise ProgramNotFoundError(program_id)
        return program

    async def matching_request(self, run: Run) -> MatchingRequest:
        """What the solver needs for ``run``: the program, its pool and its pairs now."""
        request = await self.pool_request(run.program_id)
        return replace(
            request,
            pins=run.options.pins,
            forbids=run.options.forbids,
            max_changes=run.options.max_changes,
            time_limit_s=run.options.time_limit_s,
        )

    async def pool_request(self, program_id: str) -> MatchingRequest:
        """The program, its pool, its pairs and its reporting lines now, as a run sees them.

        The pool, the manager log and the pairs are read concurrently: the service decodes
        one while the database reads the next.
        """
        program = await self.program(program_id)
        depth = program.matching.rules.reporting_line_depth
        participants, edges, existing, ended = await asyncio.gather(
            self._pool.participants_of(program_id),
            self._managers.edges() if depth > 0 else _nothing(),
            self._pairs.active_keys(program_id),
            self._pairs.ended_early_keys(program_id),
        )
        people = {p.person_id for p in participants}
        return MatchingRequest(
            program=program,
            participants=participants,
            managers=walk_up(edges, people, depth) if depth > 0 and people else {},
            existing_pairs=tuple(existing),
            ended_pairs=tuple(ended),
        )

    async def _check_references(self, program_id: str, options: RunOptions) -> None:
        problems = []
        for name, pairs in (("pins", options.pins), ("forbids", options.forbids)):
            for index, pair in enumerate(pairs):
                for side, participant_id in (("mentor", pair.mentor), ("mentee", pair.mentee)):
                    participant = await self._pool.participants.get(participant_id)
                    if participant is None or participant.program_id != program_id:
                        field = f"body.{name}[{index}].{side}_participant_id"
                        problems.append(InvalidReference(field, participant_id))
        if problems:
            raise RunRequestInvalidError(problems)


async def _nothing() -> dict[str, str]:
    """No manager edges (a program that does not look at reporting lines)."""
    return {}


def _new_run(
    program_id: str,
    kind: RunKind,
    options: RunOptions,
    requested_by: str | None,
    now: datetime,
) -> Run:
    return Run(
        run_id=new_run_id(),
        program_id=program_id,
        kind=kind,
        status=RunStatus.QUEUED,
        stage=Stage.QUEUED,
        options=options,
        requested_by=requested_by,
        requested_at=now,
    )
