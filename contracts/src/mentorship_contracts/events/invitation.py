"""Invitation events: a program invited a person to register, and reminded them.

Ids only: the notifications service turns them into e-mail by asking registration for the
person's contact details; analytics counts the funnel invited -> registered.
"""

from __future__ import annotations

from pydantic import Field

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import Identifier, Slug, UtcDatetime


class InvitationSent(IntegrationEvent):
    """A program manager invited a person to register for a program."""

    invitation_id: Identifier
    program_id: Identifier
    person_id: Identifier = Field(description="Pseudonymous id of the invited person.")
    department: Slug | None = Field(default=None, description="For the funnel by department.")
    sent_at: UtcDatetime


class InvitationReminderSent(IntegrationEvent):
    """An invited person had not registered after the program's reminder delay."""

    invitation_id: Identifier
    program_id: Identifier
    person_id: Identifier
    reminder: int = Field(ge=1, description="1 for the first reminder, 2 for the second ...")
    sent_at: UtcDatetime
