"""Session events: the recurring meetings of a pair and what happened to each."""

from __future__ import annotations

from pydantic import Field

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import Identifier, SessionCancelReason, UtcDatetime

Attendees = tuple[Identifier, ...]


SERIES_ID = (
    "The session's series, also the message key. A pair's series: its PairCreated.pair_id. In a "
    "group program (PairCreated.group_id set), the group's series: that group_id, one series "
    "shared by the group's mentor and all its mentees, which is not any pair's pair_id. "
    "An opaque identifier: letters, digits and . _ : - (at most 64)."
)


class SessionEvent(IntegrationEvent):
    """Fields every session event carries.

    ``pair_id`` names the series, not always a pair: for a group program it holds the group's
    ``group_id`` (every session of a group is one series, whose attendees are the mentor and the
    group's current mentees), so a subscriber joining sessions to pairs looks it up among
    PairCreated's ``pair_id`` and, for groups, ``group_id``.
    """

    session_id: Identifier
    pair_id: Identifier = Field(description=SERIES_ID)
    program_id: Identifier


class SessionScheduled(SessionEvent):
    """A session was added to a pair's (or a group's) series."""

    series_id: Identifier = Field(description="Always equal to `pair_id`: " + SERIES_ID)
    sequence: int = Field(ge=1, description="Position of the session in its series.")
    participant_ids: Attendees = Field(min_length=2)
    starts_at: UtcDatetime
    duration_minutes: int = Field(ge=5, le=480)


class SessionRescheduled(SessionEvent):
    """A session moved to another time."""

    previous_starts_at: UtcDatetime
    starts_at: UtcDatetime
    duration_minutes: int = Field(ge=5, le=480)


class SessionCancelled(SessionEvent):
    """A session will not take place."""

    starts_at: UtcDatetime
    reason: SessionCancelReason
    cancelled_at: UtcDatetime


class SessionCompleted(SessionEvent):
    """A session was held; feedback opens for its participants."""

    participant_ids: Attendees = Field(min_length=2)
    starts_at: UtcDatetime = Field(description="When the session was scheduled to start.")
    held_at: UtcDatetime = Field(description="When it actually started.")
    duration_minutes: int = Field(ge=1, le=600, description="Its actual length.")


class SessionMissed(SessionEvent):
    """A scheduled session did not take place and was not cancelled in time."""

    starts_at: UtcDatetime
    recorded_at: UtcDatetime


class SessionReminderDue(SessionEvent):
    """It is time to remind a session's participants (a notifier sends the message)."""

    participant_ids: Attendees = Field(min_length=2)
    starts_at: UtcDatetime
    lead_minutes: int = Field(ge=1, description="How long before the start this fires.")
    due_at: UtcDatetime
