"""How use cases store what a decision changed, stage its events and find someone's sessions."""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from datetime import datetime

from mentorship_contracts import IntegrationEvent
from mentorship_kit.outbox import Transaction
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import (
    SessionRepository,
    SessionWrite,
    earliest_reminders,
    last_sequences,
)
from scheduling.domain.changes import SessionChanges
from scheduling.domain.reminders import pending_reminders
from scheduling.domain.sessions import Series, Session
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
    series: SeriesRepository,
    sessions: SessionRepository,
    changes: SessionChanges,
    leads: Sequence[int],
    tx: Transaction,
    *,
    changed_series: Sequence[Series] = (),
    stored_series: Container[str] | None = None,
) -> None:
    """Store ``changed_series`` and the sessions ``changes`` adds and changes, stage its events.

    One bulk write of the series, which also lowers each series' next reminder to its
    written sessions' earliest and raises its last session number to theirs (see
    `SeriesRepository.save_all`, ``stored_series`` too), then the sessions' writes.

    Raises:
        ConcurrentChangeError: a changed session is no longer at the version it was read at.
    """
    writes = session_writes(changes, leads, tx.now)
    await series.save_all(
        changed_series,
        tx,
        stored=stored_series,
        next_reminders=earliest_reminders(writes),
        last_sequences=last_sequences(writes),
    )
    if not await sessions.write(writes, tx):
        first = changes.changed[0][0].session_id if changes.changed else "a session"
        msg = f"session {first} changed meanwhile"
        raise ConcurrentChangeError(msg)
    stage(changes.events, tx)


async def sessions_of(
    series: SeriesRepository, sessions: SessionRepository, participant_ids: Iterable[str]
) -> list[Session]:
    """Every session any of ``participant_ids`` is (or was) for, in time order.

    Found through the series they ever had a session in, then those series' sessions.
    """
    wanted = sorted(set(participant_ids))
    if not wanted:
        return []
    return await sessions.of_participants(wanted, await series.ids_ever_with(wanted))


def stage(events: Iterable[IntegrationEvent], tx: Transaction) -> None:
    """Put the events a decision caused in the outbox, in order."""
    for event in events:
        tx.emit(event)
