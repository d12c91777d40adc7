"""The pool: who is registered in each program, kept in step with registration's events."""

from __future__ import annotations

from datetime import datetime

from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges
from matching.domain.pairs import Pair
from matching.domain.pool import (
    PoolPage,
    pool_member,
    registrations_applied,
)
from matching.domain.reporting import (
    ManagerStatement,
    directory_statement,
    statements_of,
)
from matching.usecases.pairs import PairService
from mentorship_contracts.events import DirectoryPersonChanged
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import PairEndReason, ParticipantRole
from mentorship_kit.batching import Buffer
from mentorship_kit.outbox import Transaction, Transactor


class PoolService:
    """Programs and participants as matching keeps them.

    Registrations are the bulk of what matching consumes (an import is thousands at once):
    the participants of a consumer batch are stored together just before its transaction
    commits, with one read of what the pool holds of them, one bulk write of the pool, one
    of the programs' counts and one document appended to the manager edges' log (see
    `matching.adapters.reporting`). An event that
    takes someone out of the pool stores the batch's registrations before it first, so
    events keep their order.
    """

    def __init__(
        self,
        pool: MatchingPool,
        managers: ManagerEdges,
        pairs: PairService,
        pair_store: PairRepository,
        transactor: Transactor,
    ) -> None:
        self._pool = pool
        self._managers = managers
        self._pairs = pairs
        self._pair_store = pair_store
        self._transactor = transactor
        self._registrations: Buffer[tuple[ParticipantState, datetime]] = Buffer(
            "matching.registrations", self._store_registrations
        )
        self._statements: Buffer[ManagerStatement] = Buffer(
            "matching.manager_statements", self._store_statements
        )

    async def page(
        self, program_id: str, *, role: ParticipantRole | None, after: str | None, limit: int
    ) -> PoolPage:
        """Who is in a program's pool (a page), with their pairs, and the counts by role.

        ``limit`` 0 reads the counts alone (one document). A page is a query over the
        program's pool: an index range on MongoDB, but the embedded database reads and sorts
        every member of the program for it (about a second at 10,000), so a client that
        polls for the counts (during an import, say) should not ask for a page.
        """
        people = await self._pool.page(program_id, role=role, after=after, limit=limit)
        program = await self._pool.programs.get(program_id) if people else None
        ids = [p.participant_id for p in people]
        active: dict[str, list[Pair]] = {}
        for pair in await self._pair_store.active_involving(ids) if ids else ():
            for person in {pair.mentee_participant_id, pair.mentor_participant_id}:
                active.setdefault(person, []).append(pair)
        counts = await self._pool.role_counts(program_id)
        if counts is None:  # a pool filled before it was counted: count it once
            counts = await self._transactor.run(lambda tx: self._pool.recount(program_id, tx))
        return PoolPage(
            program_id=program_id,
            counts=counts,
            members=tuple(
                pool_member(program, person, active.get(person.participant_id, ()))
                for person in people
            ),
            next_after=people[-1].participant_id if people and len(people) == limit else None,
        )

    async def program_changed(
        self, program: ProgramState, as_of: datetime, tx: Transaction
    ) -> None:
        """A program was created or changed: keep its newest settings."""
        if await self._pool.programs.put(program.program_id, program, as_of, tx):
            await self._changed(program.program_id, tx)

    async def participant_changed(
        self, participant: ParticipantState, as_of: datetime, tx: Transaction
    ) -> None:
        """Someone registered or changed their answers: keep their newest state.

        The manager edges their reporting line states are kept too, whatever became of
        the registration since (a withdrawn manager still manages). Stored with the
        transaction's other registrations just before it commits (see the class).
        """
        self._registrations.add((participant, as_of), tx)

    async def directory_changed(self, change: DirectoryPersonChanged, tx: Transaction) -> None:
        """The directory announced a person's manager: it outranks registrations' lines.

        Nothing else changes now: lines are walked when a run needs them, so the change
        applies to the next run.
        """
        self._state([directory_statement(change)], tx)

    def _state(self, statements: list[ManagerStatement], tx: Transaction) -> None:
        """Keep ``statements``: each transaction appends them to the log once, at commit."""
        for statement in statements:
            self._statements.add(statement, tx)

    async def _store_statements(self, pending: list[ManagerStatement], tx: Transaction) -> None:
        await self._managers.append(pending, tx)

    async def _store_registrations(
        self, registrations: list[tuple[ParticipantState, datetime]], tx: Transaction
    ) -> None:
        stored = await self._pool.entries((p.participant_id for p, _ in registrations), tx)
        changes = registrations_applied(stored, registrations)
        await self._pool.apply(changes, stored, tx)
        self._touched(tx).update(changes.counts)
        self._state([s for p, as_of in registrations for s in statements_of(p, as_of)], tx)
        await self._statements.flush(tx)  # with the directory's, if any: one append

    async def person_erased(self, person_id: str, tx: Transaction) -> None:
        """Forget whom an erased person reported to and who reported to them."""
        await self._registrations.flush(tx)  # a registration before the erasure goes first
        await self._statements.flush(tx)  # and so does a directory statement
        await self._managers.forget(person_id, tx)
        await self._pool.forget_manager(person_id, tx)

    async def participant_left(
        self, program_id: str, participant_id: str, reason: PairEndReason, tx: Transaction
    ) -> None:
        """Someone withdrew or was erased: out of the pool, their pairs ended."""
        await self._registrations.flush(tx)
        erasing = reason is PairEndReason.PARTICIPANT_ERASED
        left = await self._pool.remove(
            participant_id, tx, erasing_from=program_id if erasing else None
        )
        if left is not None:  # counted, which bumped the program's version
            self._touched(tx).add(left.program_id)
        else:
            await self._changed(program_id, tx)
        await self._pairs.participant_left(participant_id, reason, tx)

    async def _changed(self, program_id: str, tx: Transaction) -> None:
        """Bump the program's version once per transaction (a batch of events is one)."""
        touched = self._touched(tx)
        if program_id not in touched:
            touched.add(program_id)
            await self._pool.touch(program_id, tx)

    @staticmethod
    def _touched(tx: Transaction) -> set[str]:
        touched: set[str] = tx.scratch.setdefault("pool_touched", set())
        return touched
