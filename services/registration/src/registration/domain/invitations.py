"""Invitations to register, and their reminders.

A program manager invites eligible people (all of them, or a chosen subset). An invitation is
sent at once when the program takes registrations, or when it opens (``pending`` until then).
Someone who has not registered ``remind_after_days`` after being invited (or reminded) gets a
reminder, up to ``max_reminders``; reminders stop when they register or when registration
closes. Events carry ids only: `InvitationSent`, `InvitationReminderSent`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictFloat, model_validator

from mentorship_contracts.events import InvitationReminderSent, InvitationSent
from mentorship_contracts.types import Identifier

MAX_INVITATIONS_PER_REQUEST = 50_000


class InvitationStatus(StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    """Waiting for registration to open."""
    SENT = "sent"
    REGISTERED = "registered"
    CLOSED = "closed"
    """Registration closed before they registered: no more reminders."""


def _not_a_boolean(value: object) -> object:
    """A count is a JSON integer (4 or 4.0), never true or false (which pydantic reads as 1, 0)."""
    if isinstance(value, bool):
        msg = "a number, not a boolean"
        raise ValueError(msg)  # noqa: TRY004 - pydantic reports ValueError as a field's problem
    return value


class InvitationPlan(BaseModel):
    """Whom to invite and how to remind them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employee_ids: tuple[Identifier, ...] | None = Field(
        default=None,
        max_length=MAX_INVITATIONS_PER_REQUEST,
        description="A chosen subset of the eligible people; everyone eligible when left out.",
    )
    remind_after_days: StrictFloat | None = Field(
        default=3,
        gt=0,
        le=90,
        description="Remind people who have not registered this many days after the last "
        "message (fractions allowed); null sends no reminders.",
    )
    max_reminders: Annotated[int, BeforeValidator(_not_a_boolean)] = Field(default=2, ge=0, le=10)

    @model_validator(mode="after")
    def _reminders_need_a_delay(self) -> Self:
        if self.max_reminders and self.remind_after_days is None:
            msg = "max_reminders needs remind_after_days"
            raise ValueError(msg)
        return self

    @property
    def remind_after(self) -> timedelta | None:
        """The reminder delay."""
        if self.remind_after_days is None or not self.max_reminders:
            return None
        return timedelta(days=self.remind_after_days)


@dataclass(frozen=True, slots=True)
class Invitation:
    """One person invited to one program."""

    invitation_id: str
    program_id: str
    employee_id: str
    person_id: str
    department: str | None
    status: InvitationStatus
    created_at: datetime
    remind_after: timedelta | None
    max_reminders: int
    sent_at: datetime | None = None
    reminders_sent: int = 0
    next_reminder_at: datetime | None = None
    registered_at: datetime | None = None

    def send(self, now: datetime) -> tuple[Invitation, InvitationSent]:
        """Send a pending invitation now."""
        sent = replace(
            self,
            status=InvitationStatus.SENT,
            sent_at=now,
            next_reminder_at=now + self.remind_after if self.remind_after else None,
        )
        event = InvitationSent(
            invitation_id=self.invitation_id,
            program_id=self.program_id,
            person_id=self.person_id,
            department=self.department,
            sent_at=now,
        )
        return sent, event

    def remind(self, now: datetime) -> tuple[Invitation, InvitationReminderSent | None]:
        """Remind them if a reminder is due at ``now`` (None: not due, or none left)."""
        due = self.next_reminder_at is not None and self.next_reminder_at <= now
        if self.status is not InvitationStatus.SENT or not due:
            return self, None
        number = self.reminders_sent + 1
        more = number < self.max_reminders and self.remind_after is not None
        reminded = replace(
            self,
            reminders_sent=number,
            next_reminder_at=now + self.remind_after if more and self.remind_after else None,
        )
        event = InvitationReminderSent(
            invitation_id=self.invitation_id,
            program_id=self.program_id,
            person_id=self.person_id,
            reminder=number,
            sent_at=now,
        )
        return reminded, event

    def reminder_event_id(self) -> UUID:
        """The id of this invitation's next reminder event (a retried round reuses it)."""
        return uuid5(NAMESPACE_URL, f"invitation:{self.invitation_id}:{self.reminders_sent + 1}")

    def registered(self, now: datetime) -> Invitation:
        """They registered: no more reminders."""
        if self.status is InvitationStatus.REGISTERED:
            return self
        return replace(
            self, status=InvitationStatus.REGISTERED, registered_at=now, next_reminder_at=None
        )

    def closed(self) -> Invitation:
        """Registration closed before they registered."""
        return replace(self, status=InvitationStatus.CLOSED, next_reminder_at=None)


@dataclass(frozen=True, slots=True)
class InvitationOutcome:
    """What inviting a list of people did."""

    invited: tuple[Invitation, ...]
    already_invited: tuple[str, ...]
    already_registered: tuple[str, ...]
    not_eligible: tuple[tuple[str, str], ...]
    """(employee id, why) of the people who may not register."""
