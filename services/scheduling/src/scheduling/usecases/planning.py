"""Series follow the pairs and their program.

New pairs are planned in bulk by `Planner.plan_pending`, a batch of the queued pairs per
transaction: one read of each thing the batch needs (its programs, its members' erasure
guards and time zones, the series it joins and their sessions), the domain's decisions
applied one pair after the other in memory, then one bulk write of the series, one of the
sessions and one of the queue, with the events staged in the same transaction. Series are cut
short on `PairEnded`, scrubbed on erasure and fitted to a program's new end date as those
events arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass

from mentorship_contracts.events import PairCreated, PairEnded, ParticipantErased
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.allocation import bulk_allocation
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.snapshots import SnapshotStore
from scheduling.adapters.pairs import PairRepository, Queue
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.changes import SessionChanges
from scheduling.domain.planning import (
    PlanningRules,
    PlanningState,
    SeriesDecision,
    member_erased,
    pair_joins,
    pair_leaves,
    program_end_moved,
    series_id_of,
)
from scheduling.domain.sessions import Series
from scheduling.usecases.storing import store_sessions


class PlanningSignal:
    """Wakes the planning worker when pairs or programs arrive in this process."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Something may be ready to plan."""
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Return when notified, or after ``seconds``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()
        self._event.clear()


@dataclass(frozen=True, slots=True)
class PlanningRound:
    """What one round of planning did."""

    planned: int
    """Pairs taken off the queue (their series planned, joined or found already planned)."""


class Planner:
    """Plans queued pairs in bulk; adjusts and ends series as pairs and programs change."""

    def __init__(
        self,
        transactor: Transactor,
        *,
        programs: SnapshotStore[ProgramState],
        pairs: PairRepository,
        series: SeriesRepository,
        sessions: SessionRepository,
        people: People,
        rules: PlanningRules,
        reminder_leads: Sequence[int],
        batch_size: int,
        signal: PlanningSignal | None = None,
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._pairs = pairs
        self._series = series
        self._sessions = sessions
        self._people = people
        self._rules = rules
        self._leads = tuple(reminder_leads)
        self.batch_size = batch_size
        self.signal = signal or PlanningSignal()
        self._queue_busy = False

    async def plan_pending(self) -> PlanningRound:
        """Plan the oldest queued pairs whose program is known (up to a batch), in one go.

        Whether any pair waits is asked first (no transaction when none does), except right
        after a full batch: then more are likely, and the batch's own read of the queue tells.
        """
        if not self._queue_busy and not await self._pairs.any_waiting():
            return PlanningRound(0)  # nothing queued: no transaction
        # A batch builds and drops tens of thousands of objects (sessions, their documents,
        # their events) with no cycles among them: the collector's passes over them were a
        # fifth of planning's CPU (2.5 s of 12 at 5,000 pairs), so it pauses for the batch.
        with bulk_allocation():
            outcome = await self._transactor.run(self._plan_batch)
        self._queue_busy = outcome.planned >= self.batch_size
        return outcome

    async def _plan_batch(self, tx: Transaction) -> PlanningRound:
        """Plan a batch of queued pairs.

        No erasure check is needed here: a queued pair names no erased participant (it was
        checked when recorded, and an erasure deletes the pairs naming its participant). An
        erasure committed meanwhile deleted the pair, which this transaction then takes off
        the queue: the write conflicts, and the retry no longer finds the pair.
        """
        pairs, programs, queue = await self._batch_to_plan(tx)
        if not pairs:
            return PlanningRound(0)
        series_ids = {series_id_of(pair) for pair in pairs}
        stored = await self._series.get_many(series_ids, tx)
        state = PlanningState(
            series=stored,  # a series not stored has no sessions: only theirs are read
            sessions=await self._sessions.of_many_series(sorted(stored), tx),
        )
        stored_ids = set(stored)
        members = {p for pair in pairs for p in _member_ids(pair)}
        zones = await self._people.zones(
            members | {p for s in state.series.values() for p in s.participant_ids}, tx
        )
        decisions: list[SeriesDecision] = []
        for pair in pairs:
            series_id = series_id_of(pair)
            decision = pair_joins(
                pair,
                programs[pair.program_id],
                state.series.get(series_id),
                state.series_sessions(series_id),
                zones=zones,
                rules=self._rules,
                now=tx.now,
            )
            state.apply(series_id, decision)
            decisions.append(decision)
        await self._store(decisions, tx, stored_series=stored_ids)
        if queue is None:  # pairs an earlier version recorded
            await self._pairs.mark_planned([pair.pair_id for pair in pairs], tx)
        else:
            await self._pairs.dequeue(queue, [pair.pair_id for pair in pairs], tx)
        for program_id in {pair.program_id for pair in pairs}:
            # A concurrent change of the program's end writes this document too: one of the
            # two transactions is retried and then sees the other's series or end date.
            await self._programs.mark(program_id, tx, series_planned_at=tx.now)
        return PlanningRound(len(pairs))

    async def _batch_to_plan(
        self, tx: Transaction
    ) -> tuple[list[PairCreated], dict[str, ProgramState], Queue | None]:
        """The oldest queued pairs whose program is known (up to a batch), and their programs.

        With the queue they were taken from (None: pairs an earlier version recorded).
        Pairs an earlier version recorded go first (see `scheduling.adapters.pairs`); when
        none waits, that read finds nothing in the ``queue`` index. Then the queue's
        documents are read (one per recorded batch, so the read is small), the programs they
        name, and the states of the oldest pairs of the known programs.
        """
        earlier = await self._earlier_batch(tx)
        if earlier[0]:
            return (*earlier, None)
        queue = await self._pairs.queued(tx)
        programs = await self._programs_by_id({program for _, program in queue.entries()}, tx)
        chosen = [pair for pair, program in queue.entries() if program in programs]
        pairs = await self._pairs.states(chosen[: self.batch_size], tx)
        return pairs, programs, queue

    async def _earlier_batch(
        self, tx: Transaction
    ) -> tuple[list[PairCreated], dict[str, ProgramState]]:
        """The oldest pairs an earlier version queued whose program is known, and their programs.

        Each read of that queue costs what all its pairs do on SecantusDB (see
        `PairRepository.pending`), so the oldest pairs are read first whatever their program;
        only when one of them waits for its program are the programs with pairs waiting
        asked for, and the oldest pairs of the known ones read.
        """
        pairs = await self._pairs.pending(None, self.batch_size, tx)
        programs = await self._programs_by_id({pair.program_id for pair in pairs}, tx)
        if all(pair.program_id in programs for pair in pairs):
            return pairs, programs
        programs = await self._programs_by_id(await self._pairs.waiting_programs(tx), tx)
        if not programs:
            return [], programs
        return await self._pairs.pending(sorted(programs), self.batch_size, tx), programs

    async def _programs_by_id(
        self, program_ids: Collection[str], tx: Transaction
    ) -> dict[str, ProgramState]:
        if not program_ids:
            return {}
        found = await self._programs.find({"program_id": {"$in": sorted(program_ids)}}, tx)
        return {program.program_id: program for program in found}

    async def pair_ended(self, ended: PairEnded, tx: Transaction) -> None:
        """Cancel what is left of the pair's series (in a group: take the mentee off it)."""
        series_id = await self._pairs.series_id(ended.pair_id, tx)
        series = await self._series.of_pair(ended.pair_id, tx, series_id=series_id)
        if series is None:
            return
        sessions = await self._sessions.of_series(series.series_id, tx)
        decision = pair_leaves(series, ended.pair_id, sessions, ended_at=ended.ended_at, now=tx.now)
        await self._store([decision], tx)

    async def participant_erased(self, erased: ParticipantErased, tx: Transaction) -> None:
        """Forget the person: their zone, their feed, their place in every series."""
        await self._people.forget(erased.participant_id, erased.person_id, erased.erased_at, tx)
        series = await self._series.of_participant(erased.participant_id, tx)
        sessions = await self._sessions.of_many_series([s.series_id for s in series], tx)
        await self._store(
            [
                member_erased(item, erased.participant_id, sessions.get(item.series_id, []), tx.now)
                for item in series
            ],
            tx,
        )
        # Every series they had a session in, including those they had left (and those an
        # earlier version's pod stored without ``ever_participant_ids``).
        ever = await self._series.ids_ever_with([erased.participant_id], tx)
        ever = sorted({*ever, *(item.series_id for item in series)})
        await self._sessions.remove_participant(erased.participant_id, ever, tx)
        await self._series.forget_participant(erased.participant_id, tx)

    async def program_changed(
        self, before: ProgramState, after: ProgramState, tx: Transaction
    ) -> None:
        """Fit the program's series to its new end date (see `program_end_moved`)."""
        if after.ends_on == before.ends_on:
            return
        series = await self._series.of_program(after.program_id, tx)
        sessions = await self._sessions.of_many_series([s.series_id for s in series], tx)
        zones = await self._people.zones({p for s in series for p in s.participant_ids}, tx)
        decisions = [
            program_end_moved(
                before,
                after,
                item,
                sessions.get(item.series_id, []),
                zones=zones,
                rules=self._rules,
                now=tx.now,
            )
            for item in series
        ]
        await self._store(decisions, tx)

    async def _store(
        self,
        decisions: Sequence[SeriesDecision],
        tx: Transaction,
        *,
        stored_series: Container[str] | None = None,
    ) -> None:
        """Store the decisions' series and sessions (one bulk write each), stage their events.

        ``stored_series``: the ids of the series stored before, if read in ``tx`` (the
        others are inserted, see `SeriesRepository.save_all`).
        """
        await store_sessions(
            self._series,
            self._sessions,
            SessionChanges.merged(decision.sessions for decision in decisions),
            self._leads,
            tx,
            changed_series=_changed_series(decisions),
            stored_series=stored_series,
        )


def _member_ids(pair: PairCreated) -> tuple[str, str]:
    return pair.mentor_participant_id, pair.mentee_participant_id


def _changed_series(decisions: Sequence[SeriesDecision]) -> list[Series]:
    return [decision.series for decision in decisions if decision.series is not None]
