"""Sends each reminder exactly once, however many replicas run and however often they restart.

A reminder is claimed and its SessionReminderDue event staged in the outbox in one
transaction, conditional on the reminder still being pending: of two replicas racing for it
one commits and the other finds nothing to claim, and a crash before the commit leaves it
pending for the next round. The event id is derived from the session, its start and the
lead time, so even a re-published outbox record is recognisably the same reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from mentorship_contracts.types import utc_now
from mentorship_kit.outbox import Transaction, Transactor
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.changes import ReminderDecision, remind
from scheduling.domain.reminders import Reminder
from scheduling.domain.sessions import Session


@dataclass(slots=True)
class ReminderRound:
    """What one round did: sessions with a due reminder, reminders sent, reminders dropped."""

    due: int = 0
    sent: list[Reminder] = field(default_factory=list)
    dropped: int = 0


class Reminders:
    """Finds due reminders and publishes them through the outbox."""

    def __init__(self, transactor: Transactor, sessions: SessionRepository, batch_size: int):
        self._transactor = transactor
        self._sessions = sessions
        self.batch_size = batch_size

    async def send_due(self) -> ReminderRound:
        """One round over up to a batch of sessions with a due reminder."""
        due = await self._sessions.due_reminders(utc_now(), self.batch_size)
        outcome = ReminderRound(due=len(due))
        for session, pending in due:
            decision = await self._transactor.run(partial(self._send, session, pending))
            if decision is None:
                continue
            if decision.reminder is not None:
                outcome.sent.append(decision.reminder)
            else:
                outcome.dropped += 1
        return outcome

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
