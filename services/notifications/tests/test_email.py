"""A pair's e-mails against a real SMTP server, parsed with `email` and `icalendar`."""

from __future__ import annotations

import asyncio
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from mentorship_contracts.events import (
    PairEnded,
    ProgramUpdated,
    SessionCompleted,
    SessionScheduled,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason, utc_now
from mentorship_devstack.mailbox import Mailbox
from notifications.adapters.mail import Mail, mime

from .conftest import Service
from .scenario import (
    MENTEE,
    MENTOR,
    PAIR,
    PROGRAM,
    cancelled,
    pair,
    program,
    registered,
    rescheduled,
    scheduled,
    session_id,
)
from .support import deliver

pytestmark = pytest.mark.integration


async def received(mailbox: Mailbox, count: int, timeout_s: float = 20.0) -> list[EmailMessage]:
    """Wait (without blocking the service's loop) for ``count`` messages."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while len(mailbox.messages) < count and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return [mail.parsed() for mail in mailbox.messages]


def calendar_of(message: EmailMessage) -> tuple[str, Calendar]:
    """The text/calendar alternative's method parameter and its parsed content."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return str(part.get_param("method")), Calendar.from_ical(content)
    raise AssertionError("no text/calendar part")


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


def to(message: EmailMessage) -> str:
    return str(message["To"])


@pytest.fixture
def people(service: Service) -> None:
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com", "America/New_York")
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com", "Europe/Paris")


async def test_a_pair_gets_the_match_and_one_invitation_per_session(
    service: Service, people: None
) -> None:
    first, second = scheduled(1), scheduled(2)
    await deliver(
        service.runtime, program(), registered(MENTOR, "mentor"), registered(MENTEE, "mentee")
    )
    await deliver(service.runtime, pair(), first, second)

    messages = await received(service.mailbox, 2 + 2 + 4)
    assert len(messages) == 8
    confirmations = [m for m in messages if "registered" in str(m["Subject"])]
    assert sorted(map(to, confirmations)) == [
        "Ada Lovelace <ada@example.com>",
        "Grace Hopper <grace@example.com>",
    ]
    matches = [m for m in messages if "match" in str(m["Subject"])]
    assert len(matches) == 2
    to_mentee = next(m for m in matches if "ada@" in to(m))
    text = body(to_mentee, "plain")
    assert "Your mentor is Grace Hopper." in text
    assert "grace@example.com" in text
    assert "your mentor offers skills you want to grow (67%)" in text
    assert "your working hours overlap (22%)" in text
    assert "Getting to know each other" in text
    html = body(to_mentee, "html")
    assert "Grace Hopper" in html
    assert "<li>" in html
    to_mentor = next(m for m in matches if "grace@" in to(m))
    assert "You will be mentoring Ada Lovelace." in body(to_mentor, "plain")
    assert "you offer skills your mentee wants to grow (67%)" in body(to_mentor, "plain")

    invitations = [
        m for m in messages if any(p.get_content_type() == "text/calendar" for p in m.walk())
    ]
    assert len(invitations) == 4
    by_uid: dict[str, list[str]] = {}
    for message in invitations:
        method, calendar = calendar_of(message)
        assert method == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("SEQUENCE") == 0
        attendees = sorted(str(a) for a in event.get("ATTENDEE"))
        assert attendees == ["mailto:ada@example.com", "mailto:grace@example.com"]
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert str(event["SUMMARY"]).startswith("Pilot: mentoring session")
        by_uid.setdefault(str(event["UID"]), []).append(to(message))
        if str(event["UID"]) == f"{session_id(1)}@scheduling.mentorship":
            assert event.decoded("DTSTART") == first.starts_at
    assert sorted(by_uid) == [
        f"{session_id(1)}@scheduling.mentorship",
        f"{session_id(2)}@scheduling.mentorship",
    ]
    assert all(len(recipients) == 2 for recipients in by_uid.values())
    message_ids = [str(m["Message-ID"]) for m in messages]
    assert len(set(message_ids)) == len(message_ids)
    # Eight messages naming two people: their contacts read in one request, then from memory.
    assert service.others.contact_requests == 1


async def test_a_moved_session_is_a_higher_sequence_and_a_cancelled_one_a_cancel(
    service: Service, people: None
) -> None:
    first = scheduled(1)
    await deliver(
        service.runtime, program(), registered(MENTOR, "mentor"), registered(MENTEE, "mentee")
    )
    await deliver(service.runtime, first)
    await received(service.mailbox, 4)
    service.mailbox.clear()
    later = first.starts_at + timedelta(days=1, hours=2)
    await deliver(service.runtime, rescheduled(1, first.starts_at, later))
    moved = await received(service.mailbox, 2)
    for message in moved:
        method, calendar = calendar_of(message)
        (event,) = calendar.walk("VEVENT")
        assert method == "REQUEST"
        assert event.decoded("SEQUENCE") == 1
        assert event.decoded("DTSTART") == later
        assert "Moved" in str(message["Subject"])
    service.mailbox.clear()
    await deliver(service.runtime, cancelled(1, later))
    gone = await received(service.mailbox, 2)
    assert len(gone) == 2
    for message in gone:
        method, calendar = calendar_of(message)
        (event,) = calendar.walk("VEVENT")
        assert (method, calendar["METHOD"]) == ("CANCEL", "CANCEL")
        assert event.decoded("SEQUENCE") == 2
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == f"{session_id(1)}@scheduling.mentorship"


async def test_a_held_session_asks_how_it_went_and_the_first_one_whether_the_pair_fits(
    service: Service, people: None
) -> None:
    first, second = scheduled(1), scheduled(2)
    await deliver(
        service.runtime, program(), registered(MENTOR, "mentor"), registered(MENTEE, "mentee")
    )
    await deliver(service.runtime, pair(), first, second)
    await received(service.mailbox, 8)
    service.mailbox.clear()

    def held(session: SessionScheduled) -> SessionCompleted:
        return SessionCompleted(
            session_id=session.session_id,
            pair_id=session.pair_id,
            program_id=session.program_id,
            participant_ids=session.participant_ids,
            starts_at=session.starts_at,
            held_at=session.starts_at,
            duration_minutes=60,
        )

    await deliver(service.runtime, held(first))
    messages = await received(service.mailbox, 4)
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert subjects == [
        "How did your mentoring session go?",
        "How did your mentoring session go?",
        "Is your mentoring pair a good fit?",
        "Is your mentoring pair a good fit?",
    ]
    follow_up = next(m for m in messages if "How did" in str(m["Subject"]))
    link = f"{service.settings.portal_base_url}/sessions/{session_id(1)}/feedback"
    assert f"Give feedback: {link}" in body(follow_up, "plain")
    fit = next(m for m in messages if "good fit" in str(m["Subject"]))
    assert "Only the program managers see your answer" in body(fit, "plain")
    # a mentor of several mentees can tell which session and pair each asks about
    for message in messages:
        other = "Ada Lovelace" if "grace@" in to(message) else "Grace Hopper"
        assert f"With: {other}" in body(message, "plain")
        assert f"With: {other}" in body(message, "html")
    assert f"{service.settings.portal_base_url}/pairs/pair-1" in body(fit, "plain")
    service.mailbox.clear()
    await deliver(service.runtime, held(second))
    later = await received(service.mailbox, 2)
    await service.dispatcher.run_once()
    assert [str(m["Subject"]) for m in later] == ["How did your mentoring session go?"] * 2
    assert len(service.mailbox.messages) == 2  # no second fit question


async def test_mails_of_a_program_renamed_after_its_creation_carry_its_new_name(
    service: Service, people: None
) -> None:
    """The program's newest state is kept whichever event carried it (created or updated)."""
    renamed = example(
        ProgramUpdated,
        **program().model_dump(exclude={"created_at", "name"}),
        name="Pilot, second cohort",
        updated_at=utc_now(),
        changed_fields=("name",),
    )
    await deliver(
        service.runtime,
        program(),
        renamed,
        registered(MENTOR, "mentor"),
        registered(MENTEE, "mentee"),
    )
    await deliver(service.runtime, scheduled(1))

    messages = await received(service.mailbox, 2 + 2)
    invitations = [
        m for m in messages if any(p.get_content_type() == "text/calendar" for p in m.walk())
    ]
    assert len(invitations) == 2
    for message in invitations:
        assert "Pilot, second cohort" in body(message, "plain")


def test_a_french_mail_is_utf8_in_its_parts_and_its_subject_folds_without_an_empty_line(
    mailbox: Mailbox,
) -> None:
    subject = "Rappel\u00a0: séance de mentorat le lundi 4\u00a0janvier 2027, 10:00 (Europe/Paris)"
    text = "Besoin d'un autre horaire\u202f? Déplacez la séance.\n"
    html = "<p>Besoin d'un autre horaire\u202f? Déplacez la séance.</p>"
    mail = Mail(
        sender="Mentorat <mentoring@localhost>",
        to_name="Ada Lovelace",
        to_email="ada@example.com",
        subject=subject,
        text=text,
        html=html,
        message_id="<fr@localhost>",
    )
    mailbox.clear()
    with smtplib.SMTP(mailbox.host, mailbox.smtp_port) as smtp:
        smtp.send_message(mime(mail))
    (sent,) = mailbox.wait_for(1)
    assert sent.data.isascii()  # RFC 2047 words and quoted-printable parts: 7-bit safe
    # The first encoded word starts on the Subject line itself: an empty first line made
    # parsers read a leading space.
    assert sent.data.split(b"\r\n").count(b"Subject: ") == 0
    assert b"\r\nSubject: =?utf-8?q?Rappel=C2=A0=3A_s=C3=A9ance" in sent.data
    message = sent.parsed()
    assert str(message["Subject"]) == subject
    assert body(message, "plain").replace("\r\n", "\n") == text
    assert body(message, "html").replace("\r\n", "\n").rstrip("\n") == html
    assert 'charset="utf-8"' in str(message.get_body(preferencelist=("plain",)))


async def test_each_member_learns_with_whom_their_pair_ended_and_why(
    service: Service, people: None
) -> None:
    """A mentor of several mentees can tell which pair ended: each message names the other."""
    await deliver(
        service.runtime,
        program(),
        registered(MENTOR, "mentor"),
        registered(MENTEE, "mentee"),
        pair(),
    )
    await received(service.mailbox, 4)
    service.mailbox.clear()

    await deliver(
        service.runtime,
        example(
            PairEnded,
            pair_id=PAIR,
            program_id=PROGRAM,
            reason=PairEndReason.NOT_A_GOOD_FIT,
        ),
    )

    ended = {to(m): m for m in await received(service.mailbox, 2)}
    to_mentor = body(ended["Grace Hopper <grace@example.com>"], "plain")
    to_mentee = body(ended["Ada Lovelace <ada@example.com>"], "plain")
    assert "Your mentoring pair with Ada Lovelace has ended. The pairing was not a good fit" in (
        to_mentor
    )
    assert "Your mentoring pair with Grace Hopper has ended." in to_mentee
    assert "Grace Hopper has ended." in body(ended["Ada Lovelace <ada@example.com>"], "html")
