"""When to remind a session's participants.

Each session keeps its pending reminders (a lead time and the instant it falls due). A
reminder is sent once, when due; if the service was down when it fell due, only the most
imminent overdue reminder is still worth sending, and none once the session has started.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5


@dataclass(frozen=True, slots=True, order=True)
class Reminder:
    """A reminder ``lead_minutes`` before a session's start, due at ``due_at``."""

    due_at: datetime
    lead_minutes: int


def pending_reminders(
    starts_at: datetime, leads_minutes: Iterable[int], now: datetime
) -> tuple[Reminder, ...]:
    """The reminders still to send for a session starting at ``starts_at``, by due time.

    Reminders already overdue collapse into the most imminent one, due now; a session that
    has started gets none.
    """
    if starts_at <= now:
        return ()
    reminders = sorted(
        Reminder(starts_at - timedelta(minutes=lead), lead) for lead in set(leads_minutes)
    )
    future = [reminder for reminder in reminders if reminder.due_at > now]
    overdue = [reminder for reminder in reminders if reminder.due_at <= now]
    if overdue:
        most_imminent = min(overdue, key=lambda reminder: reminder.lead_minutes)
        future.insert(0, Reminder(now, most_imminent.lead_minutes))
    return tuple(future)


def due_now(
    pending: Sequence[Reminder], starts_at: datetime, now: datetime
) -> tuple[Reminder | None, tuple[Reminder, ...]]:
    """``(the reminder to send now or None, what stays pending)``."""
    due = [reminder for reminder in pending if reminder.due_at <= now]
    rest = tuple(reminder for reminder in pending if reminder.due_at > now)
    if not due or starts_at <= now:
        return None, rest
    return min(due, key=lambda reminder: reminder.lead_minutes), rest


def reminder_event_id(session_id: str, starts_at: datetime, lead_minutes: int) -> UUID:
    """The same reminder always has the same event id, so a subscriber sees it once."""
    return uuid5(
        NAMESPACE_URL, f"mentorship:reminder:{session_id}:{starts_at.isoformat()}:{lead_minutes}"
    )
