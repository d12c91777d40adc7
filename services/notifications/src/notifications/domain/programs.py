"""What this service keeps per program besides the program's own events.

Branding, chat destinations and manager recipients, set by admins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class Branding:
    """How a program's messages look and whom they come from."""

    display_name: str | None = None
    """Shown instead of the program's name."""
    logo_url: str | None = None
    primary_colour: str = "#1f4e79"
    accent_colour: str = "#f2a900"
    sender: str | None = None
    """``Name <address>``; the service's MAIL_FROM when unset."""
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Where a program's chat messages go."""

    slack_webhook_url: str | None = None
    slack_channel: str | None = None
    """With the bot token: chat.postMessage to this channel instead of a webhook."""
    teams_webhook_url: str | None = None

    @property
    def configured(self) -> bool:
        """Whether the program's manager notifications are also posted to a chat."""
        return bool(self.slack_webhook_url or self.slack_channel or self.teams_webhook_url)


@dataclass(frozen=True, slots=True)
class Manager:
    """A program manager who receives the program's manager notifications.

    Either a person of the directory (``person_id``: their name and address are read from
    registration when a message goes, like any participant's or invitee's, and never kept
    here), or an address outside it (``name`` and ``email``, e.g. a team mailbox).
    """

    manager_id: str
    person_id: str | None = None
    name: str | None = None
    email: str | None = None
    language: str = "en"


def manager_id(program_id: str, *, person_id: str | None = None, email: str | None = None) -> str:
    """A stable id for a manager recipient of a program.

    Neither an address nor a person id is an id that can travel.
    """
    who = f"person:{person_id}" if person_id else (email or "").lower()
    digest = hashlib.sha256(f"{program_id}|{who}".encode()).hexdigest()
    return f"m-{digest[:20]}"


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    """Everything admins set for a program here."""

    program_id: str
    branding: Branding = Branding()
    chat: ChatSettings = ChatSettings()
    managers: tuple[Manager, ...] = field(default=())
