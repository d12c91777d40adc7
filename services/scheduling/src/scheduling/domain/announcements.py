"""The session events scheduling publishes, built from the domain's sessions.

Only the domain's decisions call these: a use case stages what a decision returns and never
builds an event itself.
"""

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
from scheduling.domain.reminders import Reminder
from scheduling.domain.sessions import Session


def _ids(session: Session) -> dict[str, str]:
    return {
        "session_id": session.session_id,
        "pair_id": session.series_id,
        "program_id": session.program_id,
    }


def scheduled(session: Session) -> SessionScheduled:
    """A session was added to its series (or its attendees changed)."""
    return SessionScheduled(
        **_ids(session),
        series_id=session.series_id,
        sequence=session.sequence,
        participant_ids=session.participant_ids,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
    )


def rescheduled(before: Session, after: Session) -> SessionRescheduled:
    """A session moved (or changed its length)."""
    return SessionRescheduled(
        **_ids(after),
        previous_starts_at=before.starts_at,
        starts_at=after.starts_at,
        duration_minutes=after.duration_minutes,
    )


def cancelled(session: Session, now: datetime) -> SessionCancelled:
    """A session will not take place."""
    assert session.cancel_reason is not None
    return SessionCancelled(
        **_ids(session),
        starts_at=session.starts_at,
        reason=session.cancel_reason,
        cancelled_at=session.updated_at or now,
    )


def completed(session: Session) -> SessionCompleted:
    """A session was held."""
    assert session.held_at is not None
    assert session.held_minutes is not None
    return SessionCompleted(
        **_ids(session),
        participant_ids=session.participant_ids,
        starts_at=session.starts_at,
        held_at=session.held_at,
        duration_minutes=session.held_minutes,
    )


def missed(session: Session, recorded_at: datetime) -> SessionMissed:
    """A session did not take place."""
    return SessionMissed(**_ids(session), starts_at=session.starts_at, recorded_at=recorded_at)


def reminder_due(session: Session, reminder: Reminder) -> SessionReminderDue:
    """Time to remind the participants."""
    return SessionReminderDue(
        **_ids(session),
        participant_ids=session.participant_ids,
        starts_at=session.starts_at,
        lead_minutes=reminder.lead_minutes,
        due_at=reminder.due_at,
    )
