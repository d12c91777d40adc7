"""Decisions about sessions: each returns the sessions to store and the events they cause.

A use case loads what a decision needs, calls it, stores `SessionChanges.added` and
`SessionChanges.changed` and stages `SessionChanges.events` in the outbox, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.types import SessionCancelReason
from scheduling.domain import announcements
from scheduling.domain.reminders import Reminder, due_now, reminder_event_id
from scheduling.domain.sessions import (
    Session,
    SessionStatus,
    check_cancel,
    check_cancel_reason,
    check_held,
    check_missed,
    check_reschedule,
    rescheduled_starts,
)


@dataclass(frozen=True, slots=True)
class SessionChanges:
    """Sessions a decision adds, sessions it changes (before, after), and the events caused."""

    added: tuple[Session, ...] = ()
    changed: tuple[tuple[Session, Session], ...] = ()
    events: tuple[IntegrationEvent, ...] = ()

    @staticmethod
    def merged(changes: Iterable[SessionChanges]) -> SessionChanges:
        """Several decisions' changes as one, in order."""
        items = list(changes)
        return SessionChanges(
            tuple(s for item in items for s in item.added),
            tuple(pair for item in items for pair in item.changed),
            tuple(event for item in items for event in item.events),
        )

    @property
    def sessions(self) -> list[Session]:
        """Every session as it now stands, added or changed, in decision order."""
        return [*self.added, *(after for _, after in self.changed)]

    @staticmethod
    def scheduling(sessions: Iterable[Session]) -> SessionChanges:
        """New sessions, each announced as scheduled."""
        added = tuple(sessions)
        return SessionChanges(added=added, events=tuple(map(announcements.scheduled, added)))


def reschedule(
    session: Session,
    following: Sequence[Session],
    new_start: datetime,
    duration_minutes: int | None,
    *,
    zone: str,
    program_ends_on: date,
    now: datetime,
) -> SessionChanges:
    """Move ``session`` to ``new_start`` and ``following`` by the same wall-clock shift.

    Raises:
        SessionRuleError: the session cannot move (past, not scheduled, new time past).
        SessionInputError: a new start lies beyond the program's end and its grace.
    """
    check_reschedule(session, new_start, now)
    new_starts = rescheduled_starts(
        session, following, new_start, zone=zone, program_ends_on=program_ends_on
    )
    changed = tuple(
        (
            target,
            target.changed(
                now,
                starts_at=start,
                duration_minutes=duration_minutes or target.duration_minutes,
            ),
        )
        for target, start in zip([session, *following], new_starts, strict=True)
    )
    events = tuple(announcements.rescheduled(before, after) for before, after in changed)
    return SessionChanges(changed=changed, events=events)


def cancel(
    session: Session, reason: SessionCancelReason | None, *, by_admin: bool, now: datetime
) -> SessionChanges:
    """Cancel a future session (for the caller's request, or an admin's decision, by default).

    Raises:
        SessionInputError: a member gave a reason that is not theirs to give.
        SessionRuleError: the session is not scheduled, or has started.
    """
    given = reason or (
        SessionCancelReason.ADMIN_DECISION if by_admin else SessionCancelReason.PARTICIPANT_REQUEST
    )
    check_cancel_reason(given, by_admin=by_admin)
    check_cancel(session, now)
    updated = session.changed(now, status=SessionStatus.CANCELLED, cancel_reason=given)
    return SessionChanges(
        changed=((session, updated),), events=(announcements.cancelled(updated, now),)
    )


def mark_held(
    session: Session, held_at: datetime | None, duration_minutes: int | None, now: datetime
) -> SessionChanges:
    """Record that a session took place (once), by default at its planned start and length.

    Raises:
        SessionRuleError: not scheduled, held already, or not started yet.
        SessionInputError: ``held_at`` is outside the session's window.
    """
    started = held_at or min(session.starts_at, now)
    check_held(session, started, now)
    updated = session.changed(
        now,
        status=SessionStatus.HELD,
        held_at=started,
        held_minutes=duration_minutes or session.duration_minutes,
    )
    return SessionChanges(changed=((session, updated),), events=(announcements.completed(updated),))


def mark_missed(session: Session, now: datetime) -> SessionChanges:
    """Record that a session did not take place.

    Raises:
        SessionRuleError: not scheduled, or not started yet.
    """
    check_missed(session, now)
    updated = session.changed(now, status=SessionStatus.MISSED)
    return SessionChanges(
        changed=((session, updated),), events=(announcements.missed(updated, now),)
    )


def cancel_after(
    sessions: Iterable[Session], reason: SessionCancelReason, after: datetime, now: datetime
) -> SessionChanges:
    """Cancel every scheduled session that starts after ``after`` (the system's decision)."""
    changed = tuple(
        (session, session.changed(now, status=SessionStatus.CANCELLED, cancel_reason=reason))
        for session in sessions
        if session.starts_at > after and session.status is SessionStatus.SCHEDULED
    )
    events = tuple(announcements.cancelled(updated, now) for _, updated in changed)
    return SessionChanges(changed=changed, events=events)


@dataclass(frozen=True, slots=True)
class ReminderDecision:
    """What a round of reminders does to a session whose reminder fell due."""

    remaining: tuple[Reminder, ...]
    """The reminders still pending afterwards (the claimed ones are gone)."""
    reminder: Reminder | None = None
    """The reminder to send now; None when the due ones are dropped (the session started)."""
    event: IntegrationEvent | None = None
    event_id: UUID | None = None
    """The event's own id: the same reminder always has the same one."""


def remind(session: Session, pending: Sequence[Reminder], now: datetime) -> ReminderDecision:
    """Send the most imminent due reminder of ``session`` (or drop them if it has started)."""
    reminder, remaining = due_now(pending, session.starts_at, now)
    if reminder is None:
        return ReminderDecision(remaining)
    return ReminderDecision(
        remaining,
        reminder,
        announcements.reminder_due(session, reminder),
        reminder_event_id(session.session_id, session.starts_at, reminder.lead_minutes),
    )
