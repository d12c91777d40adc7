"""The iCalendar feed parses back, with stable UIDs, bumped SEQUENCEs and cancellations, and
passes strict RFC 5545 parsers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar, vDuration

from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.calendar import event_uid, feed
from scheduling.domain.sessions import Session, SessionStatus

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
strict_duration: Callable[[str], timedelta] = vDuration.from_ical
"""RFC 5545's DURATION grammar (icalendar's parser is untyped, hence this typed name)."""


def sessions() -> list[Session]:
    return [
        Session(
            session_id=f"pair-1.s00{n}",
            series_id="pair-1",
            program_id="program-1",
            sequence=n,
            participant_ids=("mentor-1", "mentee-1"),
            starts_at=NOW + timedelta(days=7 * n),
            duration_minutes=45,
        )
        for n in (1, 2, 3)
    ]


def parse(body: bytes) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(body)
    return {
        str(event["UID"]): {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "sequence": int(str(event["SEQUENCE"])),
            "status": str(event["STATUS"]),
            "summary": str(event["SUMMARY"]),
        }
        for event in calendar.walk("VEVENT")
    }


def render(items: list[Session]) -> bytes:
    return feed(items, program_names={"program-1": "Pilot"}, zone="Europe/Berlin", generated_at=NOW)


def test_the_feed_parses_back_to_the_sessions() -> None:
    body = render(sessions())
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Mentorship platform")
    events = parse(body)
    assert set(events) == {event_uid(s.session_id) for s in sessions()}
    first = events[event_uid("pair-1.s001")]
    assert first["start"] == NOW + timedelta(days=7)
    assert first["end"] == NOW + timedelta(days=7, minutes=45)
    assert first["status"] == "CONFIRMED"
    assert first["summary"] == "Mentoring session 1 (Pilot)"
    assert body.count(b"\r\n") > 10  # RFC 5545 line endings


def test_changes_keep_uids_bump_sequence_and_mark_cancellations() -> None:
    original = sessions()
    moved = original[0].changed(NOW, starts_at=original[0].starts_at + timedelta(hours=2))
    cancelled = original[1].changed(
        NOW, status=SessionStatus.CANCELLED, cancel_reason=SessionCancelReason.PAIR_ENDED
    )
    before = parse(render(original))
    after = parse(render([moved, cancelled, original[2]]))
    assert set(after) == set(before)
    assert after[event_uid(moved.session_id)]["sequence"] == 1
    assert after[event_uid(moved.session_id)]["start"] == moved.starts_at
    assert after[event_uid(cancelled.session_id)]["status"] == "CANCELLED"
    assert after[event_uid(original[2].session_id)] == before[event_uid(original[2].session_id)]


def strictly_parsed(body: bytes) -> list[str]:
    """The feed's event UIDs, once it passed two strict RFC 5545 checks.

    The `ical` library validates every standard property's type (dates, integers, the
    REFRESH-INTERVAL duration, ...); X- properties it keeps as text, so those that carry an
    RFC 5545 value must parse with `icalendar`'s strict DURATION parser.
    """
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    assert calendar.refresh_interval == timedelta(hours=1)
    extras = {item.name.upper(): item.value for item in calendar.extras}
    assert strict_duration(extras["X-PUBLISHED-TTL"]) == timedelta(hours=1)
    lenient = Calendar.from_ical(body)
    assert all(not component.errors for component in lenient.walk())
    return [event.uid for event in calendar.events if event.uid is not None]


def test_the_feed_passes_strict_parsers() -> None:
    cancelled = sessions()[1].changed(
        NOW, status=SessionStatus.CANCELLED, cancel_reason=SessionCancelReason.PAIR_ENDED
    )
    body = render([sessions()[0], cancelled, sessions()[2]])
    assert strictly_parsed(body) == [event_uid(s.session_id) for s in sessions()]
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body  # a DURATION, not "1:00:00"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
