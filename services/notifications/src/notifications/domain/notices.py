"""Which notifications an event causes: the decision, before anyone's preferences apply.

Each `Notice` names a kind, its recipients and the context its template needs (ids, times,
numbers; never a name or an address: contacts are fetched when the message is sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from mentorship_contracts.events import (
    ErasureRequested,
    InvitationReminderSent,
    InvitationSent,
    MatchingRunProposed,
    MentorRecognized,
    PairCreated,
    PairEnded,
    ParticipantRegistered,
    RaterInvited,
    SessionCancelled,
    SessionCompleted,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_contracts.types import SurveyKind
from notifications.domain.kinds import Kind, Recipient, RecipientType


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification to make, for each recipient, on the channels they choose."""

    kind: Kind
    event_key: str
    program_id: str | None
    recipients: tuple[Recipient, ...]
    context: dict[str, Any] = field(default_factory=dict)
    starts_at: datetime | None = None
    """The start of the session a reminder is about (quiet hours give way near it)."""


def participants(*participant_ids: str) -> tuple[Recipient, ...]:
    """Recipients by participant id, each once, in order."""
    return tuple(
        Recipient(RecipientType.PARTICIPANT, pid) for pid in dict.fromkeys(participant_ids)
    )


def invited(event: InvitationSent | InvitationReminderSent) -> Notice:
    """An invitation to register, or a reminder of it, to the person invited.

    The invitee is no participant yet: they are named by person id, and their address comes
    from registration's directory when the message goes. Keyed by the invitation (and the
    reminder's number), not the event, so a re-announced invitation makes no second message.
    """
    if isinstance(event, InvitationReminderSent):
        kind, key = Kind.INVITATION_REMINDER, f"invitation:{event.invitation_id}:r{event.reminder}"
        context: dict[str, Any] = {"reminder": event.reminder}
    else:
        kind, key, context = Kind.INVITATION, f"invitation:{event.invitation_id}", {}
    return Notice(
        kind,
        key,
        event.program_id,
        (Recipient(RecipientType.PERSON, event.person_id),),
        {"invitation_id": event.invitation_id, **context},
    )


def manager_recipients(
    recipient_ids: Sequence[str],
    listed_person_ids: Sequence[str | None],
    program_managers: Sequence[str],
) -> tuple[Recipient, ...]:
    """A program's manager recipients.

    Those set in this service (``recipient_ids``, naming ``listed_person_ids``), and the
    program's own managers (person ids, from registration's program events) not already among
    them, reached as people through the directory.
    """
    listed = {pid for pid in listed_person_ids if pid}
    return tuple(Recipient(RecipientType.MANAGER, rid) for rid in recipient_ids) + tuple(
        Recipient(RecipientType.PERSON, pid)
        for pid in dict.fromkeys(program_managers)
        if pid not in listed
    )


def erasure_requested(
    event: ErasureRequested, admin_emails: Sequence[str], requests_url: str
) -> Notice | None:
    """A person's erasure request, to every organisation admin (none configured: no notice).

    Keyed by the request, so a re-announced request makes no second message. The message
    names nobody: the admins find who asked (the employee id to erase) at ``requests_url``.
    """
    if not admin_emails:
        return None
    return Notice(
        Kind.ERASURE_REQUESTED,
        f"erasure-request:{event.request_id}",
        None,
        tuple(Recipient(RecipientType.ADMIN, email) for email in dict.fromkeys(admin_emails)),
        {
            "request_id": event.request_id,
            "requested_at": event.requested_at.isoformat(),
            "requests_url": requests_url,
        },
    )


def registration_confirmed(event_key: str, event: ParticipantRegistered) -> Notice:
    """A registration is confirmed to the person who registered."""
    return Notice(
        Kind.REGISTRATION_CONFIRMED,
        event_key,
        event.program_id,
        participants(event.participant_id),
        {"role": event.role.value},
    )


def proposal_ready(
    event_key: str,
    event: MatchingRunProposed,
    managers: Sequence[Recipient],
    *,
    chat: bool = False,
) -> Notice | None:
    """A proposal waiting for approval, to the program's managers (and its chat, if ``chat``).

    Once per run: on the first part of a split proposal.
    """
    if not event.requires_approval or event.part != 1 or not (managers or chat):
        return None
    return Notice(
        Kind.PROPOSAL_READY,
        event_key,
        event.program_id,
        tuple(managers),
        {
            "run_id": event.run_id,
            "mentees_matched": event.mentees_matched,
            "mentees_considered": event.mentees_considered,
            "mentors_considered": event.mentors_considered,
            "gap": event.gap,
        },
    )


def match_made(event_key: str, event: PairCreated) -> Notice:
    """Both members learn who the other is, why, and how to start (rendered at send time)."""
    return Notice(
        Kind.MATCH,
        event_key,
        event.program_id,
        participants(event.mentor_participant_id, event.mentee_participant_id),
        {"pair_id": event.pair_id},
    )


def session_invitation(
    event_key: str,
    event: SessionScheduled | SessionRescheduled | SessionCancelled,
    *,
    attendees: Sequence[str],
    sequence: int,
    duration_minutes: int,
    ordinal: int | None,
) -> Notice | None:
    """A calendar invitation to every attendee of a new, moved or cancelled session.

    A REQUEST for a new or moved session, a CANCEL for a cancelled one; ``sequence`` is the
    session's version.
    """
    if not attendees:
        return None
    method = "CANCEL" if isinstance(event, SessionCancelled) else "REQUEST"
    return Notice(
        Kind.SESSION_INVITATION,
        event_key,
        event.program_id,
        participants(*attendees),
        {
            "session_id": event.session_id,
            "pair_id": event.pair_id,
            "method": method,
            "sequence": sequence,
            "starts_at": event.starts_at.isoformat(),
            "duration_minutes": duration_minutes,
            "ordinal": ordinal,
            "change": type(event).__name__,
        },
    )


def session_reminder(event_key: str, event: SessionReminderDue) -> Notice:
    """A reminder ``lead_minutes`` before a session."""
    return Notice(
        Kind.SESSION_REMINDER,
        event_key,
        event.program_id,
        participants(*event.participant_ids),
        {
            "session_id": event.session_id,
            "pair_id": event.pair_id,
            "starts_at": event.starts_at.isoformat(),
            "lead_minutes": event.lead_minutes,
        },
        starts_at=event.starts_at,
    )


def session_held(event_key: str, event: SessionCompleted, *, first: bool) -> list[Notice]:
    """A "how did it go?" to each member.

    After the pair's first held session, the fit question too.
    """
    context = {
        "session_id": event.session_id,
        "pair_id": event.pair_id,
        "held_at": event.held_at.isoformat(),
    }
    who = participants(*event.participant_ids)
    notices = [Notice(Kind.SESSION_FOLLOW_UP, event_key, event.program_id, who, context)]
    if first:
        notices.append(Notice(Kind.FIT_QUESTION, event_key, event.program_id, who, context))
    return notices


def pair_ended(event_key: str, event: PairEnded, members: Sequence[str]) -> Notice | None:
    """Both members learn their pair ended, and why."""
    if not members:
        return None
    return Notice(
        Kind.PAIR_ENDED,
        event_key,
        event.program_id,
        participants(*members),
        {"pair_id": event.pair_id, "reason": event.reason.value},
    )


@dataclass(frozen=True, slots=True)
class SurveyOpening:
    """A program survey opening on a day."""

    program_id: str
    kind: SurveyKind
    opens_on: date

    @property
    def event_key(self) -> str:
        """The occasion's key (one per program and survey)."""
        return f"survey:{self.program_id}:{self.kind.value}"


def survey_openings(
    program_id: str, starts_on: date, ends_on: date, closing_lead_days: int
) -> tuple[SurveyOpening, ...]:
    """The mid-program survey opens halfway.

    The closing one ``closing_lead_days`` before the end (never before the midpoint).
    """
    midpoint = starts_on + (ends_on - starts_on) / 2
    closing = max(ends_on - timedelta(days=closing_lead_days), midpoint)
    return (
        SurveyOpening(program_id, SurveyKind.MID_PROGRAM, midpoint),
        SurveyOpening(program_id, SurveyKind.CLOSING, closing),
    )


def survey_open(opening: SurveyOpening, participant_ids: Sequence[str]) -> Notice | None:
    """A survey opening, to every participant still in the program."""
    if not participant_ids:
        return None
    return Notice(
        Kind.SURVEY_OPEN,
        opening.event_key,
        opening.program_id,
        participants(*participant_ids),
        {"survey_kind": opening.kind.value},
    )


def health_digest_key(program_id: str, day: date) -> str:
    """One health digest per program and ISO week."""
    year, week, _ = day.isocalendar()
    return f"health:{program_id}:{year}-W{week:02d}"


def health_digest(
    program_id: str,
    day: date,
    managers: Sequence[Recipient],
    flags: dict[str, Any],
    *,
    chat: bool = False,
) -> Notice | None:
    """The week's health flags, to the program's managers (and its chat, if ``chat``)."""
    if not (managers or chat):
        return None
    return Notice(
        Kind.HEALTH_DIGEST,
        health_digest_key(program_id, day),
        program_id,
        tuple(managers),
        {"flags": flags, "week_of": day.isoformat()},
    )


def mentor_recognized(event: MentorRecognized) -> Notice:
    """The mentor learns they were recognised (once per recognition, whatever redelivers it)."""
    return Notice(
        Kind.MENTOR_RECOGNIZED,
        f"recognition:{event.recognition_id}",
        event.program_id,
        participants(event.participant_id),
        {
            "source": event.source.value,
            "sessions_held": event.sessions_held,
            "average_rating": event.average_rating,
        },
    )


def rater_invited(event: RaterInvited) -> Notice:
    """A manager or peer is asked to rate a mentee's skills, with their answer link.

    They are no participants: named by person id when the directory knows them (their address
    from registration's directory, their preferences apply), otherwise by the request, whose
    address feedback keeps. The link itself is read from feedback when the message goes.
    """
    recipient = (
        Recipient(RecipientType.PERSON, event.rater_person_id)
        if event.rater_person_id
        else Recipient(RecipientType.RATER, event.request_id)
    )
    return Notice(
        Kind.RATER_INVITATION,
        f"rater:{event.request_id}",
        event.program_id,
        (recipient,),
        {
            "request_id": event.request_id,
            "participant_id": event.participant_id,
            "rater_kind": event.rater_kind.value,
            "moment": event.moment.value,
            "expires_at": event.expires_at.isoformat(),
        },
    )


def pair_nudge(program_id: str, pair_id: str, members: Sequence[str], day: date) -> Notice:
    """A program manager's nudge to both members of a pair: time to meet again.

    Keyed by the pair and the day, so nudging twice in a day makes one message each.
    """
    return Notice(
        Kind.PAIR_NUDGE,
        f"nudge:{pair_id}:{day.isoformat()}",
        program_id,
        participants(*members),
        {"pair_id": pair_id},
    )
