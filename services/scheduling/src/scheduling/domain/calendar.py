"""A person's sessions as an iCalendar (RFC 5545) feed.

Every session is one VEVENT whose UID never changes; its SEQUENCE is the session's version,
so a calendar client replaces the event when it moves and shows it cancelled when it is.
Times are in UTC (clients show them in the reader's zone); X-WR-TIMEZONE names the owner's
zone for clients that use it. Clients refresh it hourly: REFRESH-INTERVAL (RFC 7986) and
Outlook's X-PUBLISHED-TTL, both RFC 5545 DURATIONs (``PT1H``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from scheduling.domain.sessions import Session, SessionStatus

PRODUCT_ID = "-//Mentorship platform//Scheduling//EN"
UID_DOMAIN = "scheduling.mentorship"
REFRESH_INTERVAL = timedelta(hours=1)


def event_uid(session_id: str) -> str:
    """The stable UID of a session's event."""
    return f"{session_id}@{UID_DOMAIN}"


def feed(
    sessions: Iterable[Session],
    *,
    program_names: Mapping[str, str],
    zone: str,
    generated_at: datetime,
) -> bytes:
    """The iCalendar document of ``sessions``."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Mentoring sessions")
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # An X- property's value is text unless typed: a bare timedelta would read "1:00:00".
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for session in sessions:
        calendar.add_component(_event(session, program_names, generated_at))
    ical: bytes = calendar.to_ical()
    return ical


def _event(session: Session, program_names: Mapping[str, str], generated_at: datetime) -> Event:
    program = program_names.get(session.program_id, "Mentoring program")
    event = Event()
    event.add("uid", event_uid(session.session_id))
    event.add("sequence", session.version)
    event.add("dtstamp", generated_at)
    event.add("last-modified", session.updated_at or generated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"Mentoring session {session.sequence} ({program})")
    event.add("description", _description(session))
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if session.status is SessionStatus.CANCELLED else "CONFIRMED")
    event.add("categories", ["Mentoring"])
    return event


def _description(session: Session) -> str:
    match session.status:
        case SessionStatus.HELD:
            return f"Held ({session.held_minutes} minutes)."
        case SessionStatus.MISSED:
            return "Missed."
        case SessionStatus.CANCELLED:
            reason = session.cancel_reason.value.replace("_", " ") if session.cancel_reason else ""
            return f"Cancelled: {reason}." if reason else "Cancelled."
        case _:
            return "Your mentoring session. Reschedule or cancel it in the mentoring platform."
