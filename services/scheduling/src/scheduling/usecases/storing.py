"""How use cases store what a decision changed and stage the events it caused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from mentorship_contracts import IntegrationEvent
from mentorship_kit.outbox import Transaction
from scheduling.adapters.sessions import SessionRepository, SessionWrite
from scheduling.domain.changes import SessionChanges
from scheduling.domain.reminders import pending_reminders
from scheduling.usecases.errors import ConcurrentChangeError


def session_writes(
    changes: SessionChanges, leads: Sequence[int], now: datetime
) -> list[SessionWrite]:
    """The writes of ``changes``, each session with the reminders it is now due."""
    return [
        *(SessionWrite(s, pending_reminders(s.starts_at, leads, now)) for s in changes.added),
        *(
            SessionWrite(after, pending_reminders(after.starts_at, leads, now), before.version)
            for before, after in changes.changed
        ),
    ]


async def store_sessions(
    sessions: SessionRepository,
    changes: SessionChanges,
    leads: Sequence[int],
    tx: Transaction,
) -> None:
    """Store the sessions ``changes`` adds and changes, and stage its events, in order.

    Raises:
        ConcurrentChangeError: a changed session is no longer at the version it was read at.
    """
    if not await sessions.write(session_writes(changes, leads, tx.now), tx):
        first = changes.changed[0][0].session_id if changes.changed else "a session"
        msg = f"session {first} changed meanwhile"
        raise ConcurrentChangeError(msg)
    stage(changes.events, tx)


def stage(events: Iterable[IntegrationEvent], tx: Transaction) -> None:
    """Put the events a decision caused in the outbox, in order."""
    for event in events:
        tx.emit(event)
