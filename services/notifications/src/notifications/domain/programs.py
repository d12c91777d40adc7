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


@dataclass(frozen=True, slots=True)
class Manager:
    """A program manager who receives the program's manager notifications."""

    manager_id: str
    name: str
    email: str
    language: str = "en"


def manager_id(program_id: str, email: str) -> str:
    """A stable id for a manager recipient of a program (the address is not an id)."""
    digest = hashlib.sha256(f"{program_id}|{email.lower()}".encode()).hexdigest()
    return f"m-{digest[:20]}"


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    """Everything admins set for a program here."""

    program_id: str
    branding: Branding = Branding()
    chat: ChatSettings = ChatSettings()
    managers: tuple[Manager, ...] = field(default=())
