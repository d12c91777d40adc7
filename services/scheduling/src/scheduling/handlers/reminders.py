"""Sends each reminder exactly once, however many replicas run and however often they restart.

A reminder is claimed and its SessionReminderDue event staged in the outbox in one
transaction, conditional on the reminder still being pending: of two replicas racing for it
one commits and the other finds nothing to claim, and a crash before the commit leaves it
pending for the next round. The event id is derived from the session, its start and the
lead time, so even a re-published outbox record is recognisably the same reminder.
"""

from __future__ import annotations

import asyncio
from functools import partial

from mentorship_contracts.types import utc_now
from mentorship_kit.metrics import Metrics
from mentorship_kit.outbox import Transaction, Transactor
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.reminders import Reminder, due_now
from scheduling.domain.sessions import Session
from scheduling.handlers import announcements

DROPPED = "dropped"


class ReminderSender:
    """Finds due reminders and publishes them through the outbox."""

    def __init__(
        self,
        transactor: Transactor,
        sessions: SessionRepository,
        metrics: Metrics,
        *,
        poll_s: float,
        batch_size: int,
    ) -> None:
        self._transactor = transactor
        self._sessions = sessions
        self._poll_s = poll_s
        self._batch_size = batch_size
        self._sent = metrics.counter(
            "scheduling_reminders_sent_total", "Session reminders published, by lead time.", "lead"
        )
        self._stale = metrics.counter(
            "scheduling_reminders_dropped_total",
            "Reminders dropped because their session had started or a later one superseded them.",
        )

    async def run(self) -> None:
        """The background loop: send what is due, then wait a poll interval."""
        while True:
            sent = await self.send_due()
            if sent < self._batch_size:
                await asyncio.sleep(self._poll_s)

    async def send_due(self) -> int:
        """One round; returns how many sessions had a due reminder."""
        due = await self._sessions.due_reminders(utc_now(), self._batch_size)
        for session, pending in due:
            outcome = await self._transactor.run(partial(self._send, session, pending))
            if isinstance(outcome, Reminder):
                self._sent.labels(lead=str(outcome.lead_minutes)).inc()
            elif outcome == DROPPED:
                self._stale.inc()
        return len(due)

    async def _send(
        self, session: Session, pending: list[Reminder], tx: Transaction
    ) -> Reminder | str | None:
        """Claim the session's due reminders and stage the event; what happened, or None."""
        current = await self._sessions.get(session.session_id, tx)
        if current is None or current.version != session.version or not pending:
            return None
        reminder, remaining = due_now(pending, current.starts_at, tx.now)
        claimed = await self._sessions.take_reminders(
            current.session_id, current.version, pending[0].due_at, remaining, tx
        )
        if not claimed:
            return None
        if reminder is None:
            return DROPPED
        announcements.reminder_due(current, reminder, tx)
        return reminder
