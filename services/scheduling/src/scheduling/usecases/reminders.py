"""Sends each reminder exactly once, however many replicas run and however often they restart.

A reminder is claimed and its SessionReminderDue event staged in the outbox in one
transaction, conditional on the reminder still being pending: of two replicas racing for it
one commits and the other finds nothing to claim, and a crash before the commit leaves it
pending for the next round. The event id is derived from the session, its start and the
lead time, so even a re-published outbox record is recognisably the same reminder.

Due reminders are found through their series (its ``next_reminder_at``, never later than its
sessions' earliest pending reminder), then read from those series' sessions; after a round
each series' next reminder is recomputed from its sessions, in a transaction that conflicts
with any change lowering it meanwhile.

Each round first gives up to a batch of series stored without those lookups (by a pod of an
earlier version still running during a rolling upgrade) their lookups, so their reminders
are found by that round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from mentorship_contracts.types import utc_now
from mentorship_kit.outbox import Transaction, Transactor
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.changes import ReminderDecision, remind
from scheduling.domain.reminders import Reminder
from scheduling.domain.sessions import Session


@dataclass(slots=True)
class ReminderRound:
    """What one round did: series with a due reminder, reminders sent, reminders dropped."""

    backfilled: int = 0
    """Series that lacked their lookups and were given them."""
    due: int = 0
    sent: list[Reminder] = field(default_factory=list)
    dropped: int = 0


class Reminders:
    """Finds due reminders and publishes them through the outbox."""

    def __init__(
        self,
        transactor: Transactor,
        series: SeriesRepository,
        sessions: SessionRepository,
        batch_size: int,
        backfill: Callable[[int], Awaitable[int]] | None = None,
    ):
        """``backfill``: gives up to so many (0: all) series lacking their lookups them."""
        self._transactor = transactor
        self._backfill = backfill
        self._series = series
        self._sessions = sessions
        self.batch_size = batch_size
        """Series (not sessions) looked at per round."""

    async def send_due(self) -> ReminderRound:
        """One round over up to a batch of series with a due reminder, then their next ones."""
        backfilled = await self.backfill_lookups(self.batch_size)
        now = utc_now()
        series_ids = await self._series.due_for_reminders(now, self.batch_size)
        outcome = ReminderRound(backfilled=backfilled, due=len(series_ids))
        if not series_ids:
            return outcome
        for session, pending in await self._sessions.due_reminders(series_ids, now):
            decision = await self._transactor.run(partial(self._send, session, pending))
            if decision is None:
                continue
            if decision.reminder is not None:
                outcome.sent.append(decision.reminder)
            else:
                outcome.dropped += 1
        await self._transactor.run(partial(self._recompute, series_ids))
        return outcome

    async def backfill_lookups(self, limit: int = 0) -> int:
        """Give up to ``limit`` (0: all) series stored without lookups theirs; how many."""
        return await self._backfill(limit) if self._backfill is not None else 0

    async def _recompute(self, series_ids: list[str], tx: Transaction) -> None:
        """Set the series' next reminders from their sessions as they are now.

        A change that lowered one meanwhile wrote the same series documents: one of the two
        transactions runs again, and then sees the other's.
        """
        await self._series.set_next_reminders(
            await self._sessions.next_reminders(series_ids, tx), tx
        )

    async def _send(
        self, session: Session, pending: list[Reminder], tx: Transaction
    ) -> ReminderDecision | None:
        """Claim the session's due reminders and stage the event; None if another did."""
        current = await self._sessions.get(session.session_id, tx)
        if current is None or current.version != session.version or not pending:
            return None
        decision = remind(current, pending, tx.now)
        claimed = await self._sessions.take_reminders(
            current.session_id, current.version, pending[0].due_at, decision.remaining, tx
        )
        if not claimed:
            return None
        if decision.event is not None:
            tx.emit(decision.event, event_id=decision.event_id)
        return decision
