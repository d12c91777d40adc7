"""The session events scheduling publishes, built from the domain's sessions."""

from __future__ import annotations

from datetime import datetime

from mentorship_contracts.events import (
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_kit.outbox import Transaction
from scheduling.domain.reminders import Reminder, reminder_event_id
from scheduling.domain.sessions import Session


def _ids(session: Session) -> dict[str, str]:
    return {
        "session_id": session.session_id,
        "pair_id": session.series_id,
        "program_id": session.program_id,
    }


def scheduled(session: Session, tx: Transaction) -> None:
    """A session was added to its series (or its attendees changed)."""
    tx.emit(
        SessionScheduled(
            **_ids(session),
            series_id=session.series_id,
            sequence=session.sequence,
            participant_ids=session.participant_ids,
            starts_at=session.starts_at,
            duration_minutes=session.duration_minutes,
        )
    )


def rescheduled(before: Session, after: Session, tx: Transaction) -> None:
    """A session moved (or changed its length)."""
    tx.emit(
        SessionRescheduled(
            **_ids(after),
            previous_starts_at=before.starts_at,
            starts_at=after.starts_at,
            duration_minutes=after.duration_minutes,
        )
    )


def cancelled(session: Session, tx: Transaction) -> None:
    """A session will not take place."""
    assert session.cancel_reason is not None
    tx.emit(
        SessionCancelled(
            **_ids(session),
            starts_at=session.starts_at,
            reason=session.cancel_reason,
            cancelled_at=session.updated_at or tx.now,
        )
    )


def completed(session: Session, tx: Transaction) -> None:
    """A session was held."""
    assert session.held_at is not None
    assert session.held_minutes is not None
    tx.emit(
        SessionCompleted(
            **_ids(session),
            participant_ids=session.participant_ids,
            starts_at=session.starts_at,
            held_at=session.held_at,
            duration_minutes=session.held_minutes,
        )
    )


def missed(session: Session, recorded_at: datetime, tx: Transaction) -> None:
    """A session did not take place."""
    tx.emit(SessionMissed(**_ids(session), starts_at=session.starts_at, recorded_at=recorded_at))


def reminder_due(session: Session, reminder: Reminder, tx: Transaction) -> None:
    """Time to remind the participants; the event id is the reminder's own."""
    tx.emit(
        SessionReminderDue(
            **_ids(session),
            participant_ids=session.participant_ids,
            starts_at=session.starts_at,
            lead_minutes=reminder.lead_minutes,
            due_at=reminder.due_at,
        ),
        event_id=reminder_event_id(session.session_id, session.starts_at, reminder.lead_minutes),
    )
