"""Request and response bodies of the notifications API."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from notifications.domain.deliveries import Delivery
from notifications.domain.kinds import Channel, Kind
from notifications.domain.preferences import Cadence, Preferences, QuietHours
from notifications.domain.programs import COLOUR, Branding, ChatSettings, ProgramSettings

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
EMAIL_PATTERN = rf"^{_ATEXT}+(\.{_ATEXT}+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
"""A plain address (dot-atom@domain.tld): every address it matches is one the mail adapter
accepts, so the document states what the service checks."""
Url = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)]
Colour = Annotated[str, StringConstraints(pattern=COLOUR.pattern)]


class QuietHoursBody(BaseModel):
    """Local hours without messages, e.g. 21:00 to 07:30 (may span midnight)."""

    model_config = ConfigDict(extra="forbid")

    start: time
    end: time


class PreferencesBody(BaseModel):
    """A person's notification preferences."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "fr"] | None = Field(
        default=None, description="Language of messages; empty: the first you registered with."
    )
    time_zone: str | None = Field(
        default=None, max_length=64, description="For quiet hours and digests; empty: yours."
    )
    channels: dict[Kind, list[Channel]] = Field(
        default_factory=dict, description="Channels per kind (default: email)."
    )
    quiet_hours: QuietHoursBody | None = None
    cadence: dict[Kind, Cadence] = Field(
        default_factory=dict,
        description="daily_digest gathers a low-priority kind into one daily message.",
    )
    unsubscribed: list[Kind] = Field(default_factory=list, max_length=20)

    def preferences(self, person_id: str) -> Preferences:
        """The domain's preferences."""
        quiet = self.quiet_hours
        return Preferences(
            person_id=person_id,
            language=self.language,
            time_zone=self.time_zone,
            channels={kind: tuple(dict.fromkeys(ch)) for kind, ch in self.channels.items()},
            quiet_hours=QuietHours(quiet.start, quiet.end) if quiet else None,
            cadence=dict(self.cadence),
            unsubscribed=frozenset(self.unsubscribed),
        )


class PreferencesView(PreferencesBody):
    """A person's preferences as stored."""

    person_id: str
    updated_at: datetime | None

    @classmethod
    def of(cls, preferences: Preferences) -> Self:
        """The view of ``preferences``."""
        quiet = preferences.quiet_hours
        return cls(
            person_id=preferences.person_id,
            language=preferences.language,  # type: ignore[arg-type]
            time_zone=preferences.time_zone,
            channels={kind: list(ch) for kind, ch in preferences.channels.items()},
            quiet_hours=QuietHoursBody(start=quiet.start, end=quiet.end) if quiet else None,
            cadence=dict(preferences.cadence),
            unsubscribed=sorted(preferences.unsubscribed),
            updated_at=preferences.updated_at,
        )


class DeliveryView(BaseModel):
    """A delivery record (ids, kinds and outcomes; no addresses)."""

    delivery_id: str
    kind: Kind
    channel: Channel
    recipient_type: str
    recipient_id: str
    program_id: str | None
    status: str
    attempts: int
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        """The view of ``delivery``."""
        return cls(
            delivery_id=delivery.delivery_id,
            kind=delivery.kind,
            channel=delivery.channel,
            recipient_type=delivery.recipient_type.value,
            recipient_id=delivery.recipient_id,
            program_id=delivery.program_id,
            status=delivery.status.value,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            due_at=delivery.due_at,
            sent_at=delivery.sent_at,
            failed_at=delivery.failed_at,
            error=delivery.error,
        )


class DeliveryList(BaseModel):
    """Deliveries, newest first."""

    deliveries: list[DeliveryView]


class DeliverySummary(BaseModel):
    """Deliveries by status."""

    program_id: str | None
    by_status: dict[str, int]


class BrandingBody(BaseModel):
    """How a program's messages look and whom they come from."""

    model_config = ConfigDict(extra="forbid")

    display_name: ShortText | None = None
    logo_url: Url | None = None
    primary_colour: Colour = "#1f4e79"
    accent_colour: Colour = "#f2a900"
    sender: ShortText | None = Field(default=None, description="Name <address>")
    reply_to: ShortText | None = None

    def branding(self) -> Branding:
        """The domain's branding."""
        return Branding(**self.model_dump())


class ChatBody(BaseModel):
    """A program's chat destinations (webhook URLs are secrets: shown masked)."""

    model_config = ConfigDict(extra="forbid")

    slack_webhook_url: Url | None = None
    slack_channel: Annotated[str, StringConstraints(max_length=80)] | None = None
    teams_webhook_url: Url | None = None

    def chat(self) -> ChatSettings:
        """The domain's chat settings."""
        return ChatSettings(**self.model_dump())


class ManagerBody(BaseModel):
    """A program manager who receives proposals and the weekly health digest.

    Name an employee of the directory (`employee_id`: their name and address are read from
    registration's directory when a message goes), or an address outside it (`name` and
    `email`, e.g. a team mailbox).
    """

    model_config = ConfigDict(extra="forbid")

    employee_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    name: ShortText | None = None
    email: (
        Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
        | None
    ) = None
    language: Literal["en", "fr"] = "en"


class ManagerView(BaseModel):
    """A manager recipient: a person of the directory (by person id) or an address."""

    manager_id: str
    person_id: str | None
    name: str | None
    email: str | None
    language: str


class ProgramSettingsBody(BaseModel):
    """What to change of a program's settings here (parts left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    branding: BrandingBody | None = None
    chat: ChatBody | None = None
    managers: list[ManagerBody] | None = Field(default=None, max_length=50)


def _mask(url: str | None) -> str | None:
    return None if url is None else url.split("://", 1)[0] + "://…" + url[-4:]


class ProgramSettingsView(BaseModel):
    """A program's settings here."""

    program_id: str
    branding: BrandingBody
    chat: ChatBody
    managers: list[ManagerView]

    @classmethod
    def of(cls, settings: ProgramSettings) -> Self:
        """The view (webhook URLs masked)."""
        chat = settings.chat
        return cls(
            program_id=settings.program_id,
            branding=BrandingBody(**asdict(settings.branding)),
            chat=ChatBody.model_construct(
                slack_webhook_url=_mask(chat.slack_webhook_url),
                slack_channel=chat.slack_channel,
                teams_webhook_url=_mask(chat.teams_webhook_url),
            ),
            managers=[
                ManagerView(
                    manager_id=m.manager_id,
                    person_id=m.person_id,
                    name=m.name,
                    email=m.email,
                    language=m.language,
                )
                for m in settings.managers
            ],
        )


class NudgeView(BaseModel):
    """What a nudge planned."""

    program_id: str
    pair_id: str
    planned: int = Field(description="Deliveries planned: one per member and channel.")
