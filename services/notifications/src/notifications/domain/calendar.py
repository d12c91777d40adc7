"""Session invitations as iTIP (RFC 5546) messages, built with the ``icalendar`` library.

Each session is one event whose UID is the one scheduling's iCalendar feed gives it
(``<session_id>@scheduling.mentorship``), so a calendar that has the session from either
source recognises it. ``SEQUENCE`` is the session's version, mirrored from its events
(every change scheduling makes to a session is one event and bumps it by one), so a moved
session's REQUEST supersedes the earlier one and a CANCEL removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Mentorship platform//Notifications//EN"
UID_DOMAIN = "scheduling.mentorship"
"""The same as scheduling's feed (scheduling.domain.calendar.UID_DOMAIN)."""


def event_uid(session_id: str) -> str:
    """The stable UID of a session's event, as in scheduling's feed."""
    return f"{session_id}@{UID_DOMAIN}"


@dataclass(frozen=True, slots=True)
class Party:
    """An organizer or attendee: a display name and an address."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class SessionInvitation:
    """What one iTIP message says about one session."""

    session_id: str
    method: str
    """REQUEST (new or moved) or CANCEL."""
    sequence: int
    starts_at: datetime
    duration_minutes: int
    summary: str
    description: str
    organizer: Party
    attendees: Sequence[Party]
    stamp: datetime


def itip(invitation: SessionInvitation) -> bytes:
    """The iCalendar object of ``invitation`` (one VEVENT, METHOD as asked)."""
    if invitation.method not in {"REQUEST", "CANCEL"}:
        msg = f"unsupported iTIP method {invitation.method!r}"
        raise ValueError(msg)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", invitation.method)
    event = Event()
    event.add("uid", event_uid(invitation.session_id))
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp)
    event.add("dtstart", invitation.starts_at)
    event.add("dtend", invitation.starts_at + timedelta(minutes=invitation.duration_minutes))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("transp", "OPAQUE")
    event.add("categories", ["Mentoring"])
    cancelled = invitation.method == "CANCEL"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(invitation.organizer, organizer=True))
    for attendee in invitation.attendees:
        event.add("attendee", _address(attendee, organizer=False))
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _address(party: Party, *, organizer: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{party.email}")
    address.params["cn"] = vText(party.name)
    if not organizer:
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address
