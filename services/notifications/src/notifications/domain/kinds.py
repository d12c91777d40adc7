"""What the service sends (kinds), how (channels) and whom to (recipients)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Each kind of notification is one template and one unsubscribe choice."""

    INVITATION = "invitation"
    INVITATION_REMINDER = "invitation_reminder"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    PROPOSAL_READY = "proposal_ready"
    MATCH = "match"
    SESSION_INVITATION = "session_invitation"
    SESSION_REMINDER = "session_reminder"
    SESSION_FOLLOW_UP = "session_follow_up"
    FIT_QUESTION = "fit_question"
    SURVEY_OPEN = "survey_open"
    PAIR_ENDED = "pair_ended"
    PAIR_NUDGE = "pair_nudge"
    """A program manager's nudge to a pair that has not met for a while."""
    HEALTH_DIGEST = "health_digest"
    MENTOR_RECOGNIZED = "mentor_recognized"
    """A mentor's recognition (by a manager or a program rule), to the mentor."""
    RATER_INVITATION = "rater_invitation"
    """A mentee's manager or peer asked to rate their skills, with their answer link."""
    DIGEST = "digest"
    """A person's daily digest of low-priority notifications (never itself digested)."""
    ERASURE_REQUESTED = "erasure_requested"
    """To the organisation's admins: someone asked to be erased (ADMIN_EMAILS)."""


LOW_PRIORITY: frozenset[Kind] = frozenset(
    {
        Kind.REGISTRATION_CONFIRMED,
        Kind.SESSION_FOLLOW_UP,
        Kind.FIT_QUESTION,
        Kind.SURVEY_OPEN,
        Kind.PAIR_ENDED,
    }
)
"""Kinds a person may take as a daily digest instead of one message each."""

PERSONAL_KINDS: frozenset[Kind] = frozenset(
    {
        Kind.INVITATION,
        Kind.INVITATION_REMINDER,
        Kind.REGISTRATION_CONFIRMED,
        Kind.MATCH,
        Kind.SESSION_INVITATION,
        Kind.SESSION_REMINDER,
        Kind.SESSION_FOLLOW_UP,
        Kind.FIT_QUESTION,
        Kind.SURVEY_OPEN,
        Kind.PAIR_ENDED,
        Kind.MENTOR_RECOGNIZED,
        Kind.RATER_INVITATION,
        Kind.PAIR_NUDGE,
        Kind.DIGEST,
    }
)
"""Kinds addressed to one participant (or invitee, or rater), who sets preferences for them
(a rater named only by e-mail address is nobody the service knows: no preferences apply)."""

MANAGER_KINDS: frozenset[Kind] = frozenset({Kind.PROPOSAL_READY, Kind.HEALTH_DIGEST})
"""Kinds addressed to a program's managers (e-mail) and its chat channels."""

ADMIN_KINDS: frozenset[Kind] = frozenset({Kind.ERASURE_REQUESTED})
"""Kinds addressed to the organisation's admins (e-mail, the addresses of ADMIN_EMAILS)."""

UNSUBSCRIBABLE: frozenset[Kind] = frozenset(
    kind for kind in PERSONAL_KINDS if kind not in {Kind.SESSION_INVITATION, Kind.DIGEST}
)
"""Kinds a person may stop. Calendar invitations are the sessions themselves: a person stops
them by leaving the program, not by unsubscribing (their calendar would go stale)."""


class Channel(StrEnum):
    """Where a notification goes."""

    EMAIL = "email"
    SLACK = "slack"
    TEAMS = "teams"


PERSONAL_CHANNELS: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.SLACK})
"""Channels one person can be reached on: e-mail, and Slack direct messages (a bot finds
them by e-mail). Teams incoming webhooks post to a channel, so they carry only program-wide
kinds (see `MANAGER_KINDS`)."""


class RecipientType(StrEnum):
    """Who a delivery is for."""

    PARTICIPANT = "participant"
    """A registered participant, by participant id (contact from registration)."""
    PERSON = "person"
    """Someone invited to register, by person id (not registered yet)."""
    MANAGER = "manager"
    """One of a program's manager recipients, by its id in this service."""
    PROGRAM_CHANNEL = "program_channel"
    """A program's Slack or Teams channel, by program id."""
    RATER = "rater"
    """A peer a mentee named by e-mail address, by rater request id (address from feedback)."""
    ADMIN = "admin"
    """One of the organisation's admins, by e-mail address (from ADMIN_EMAILS)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """One addressee."""

    type: RecipientType
    id: str

    @property
    def key(self) -> str:
        """How delivery keys name the recipient."""
        return f"{self.type.value}:{self.id}"
