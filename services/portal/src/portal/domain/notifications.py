"""Notification preferences as the portal's form shows them, and the form read back.

The notifications service stores, per kind of message, the channels (e-mail, Slack direct
messages), a daily digest for the low-priority kinds, the kinds a person stopped, quiet hours,
a time zone and a language. The form shows one row per kind a participant receives, with an
"E-mail" and a "Chat" box (a kind with neither is stopped; calendar invitations always go by
e-mail, since they are the sessions themselves) and, for low-priority kinds, a "Daily digest"
box. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.domain.models import NotificationPreferences

EMAIL = "email"
CHAT = "slack"
DIGEST = "daily_digest"
IMMEDIATE = "immediate"
LANGUAGES = ("en", "fr")

KINDS: tuple[str, ...] = (
    "invitation",
    "invitation_reminder",
    "registration_confirmed",
    "match",
    "session_invitation",
    "session_reminder",
    "session_follow_up",
    "fit_question",
    "survey_open",
    "pair_ended",
    "pair_nudge",
    "mentor_recognized",
    "rater_invitation",
)
"""The kinds a participant receives and chooses for, in the order of a program's life."""

DIGESTIBLE: frozenset[str] = frozenset(
    {"registration_confirmed", "session_follow_up", "fit_question", "survey_open", "pair_ended"}
)
"""Low-priority kinds the service may gather into one daily message."""

EMAIL_REQUIRED: frozenset[str] = frozenset({"session_invitation"})
"""Kinds that always go by e-mail (and cannot be stopped): calendar invitations."""


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for translation"
    """``message``, marked for the catalogues (the page translates it)."""
    return message


_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


@dataclass(frozen=True, slots=True)
class KindChoice:
    """What the form shows for one kind."""

    kind: str
    email: bool
    chat: bool
    digest: bool

    @property
    def email_required(self) -> bool:
        """Whether e-mail cannot be turned off."""
        return self.kind in EMAIL_REQUIRED

    @property
    def digestible(self) -> bool:
        """Whether the kind may come in the daily digest."""
        return self.kind in DIGESTIBLE


@dataclass(frozen=True, slots=True)
class PreferencesForm:
    """The form's values: from the stored preferences, or as submitted."""

    kinds: tuple[KindChoice, ...]
    language: str = ""
    time_zone: str = ""
    quiet_start: str = ""
    quiet_end: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    """Form field -> problem found before asking the service."""


def form_of(preferences: NotificationPreferences) -> PreferencesForm:
    """The form showing ``preferences``."""
    kinds = []
    for kind in KINDS:
        channels = preferences.channels.get(kind, [EMAIL])
        stopped = kind in preferences.unsubscribed
        kinds.append(
            KindChoice(
                kind=kind,
                email=kind in EMAIL_REQUIRED or (not stopped and EMAIL in channels),
                chat=not stopped and CHAT in channels,
                digest=preferences.cadence.get(kind) == DIGEST,
            )
        )
    quiet = preferences.quiet_hours
    return PreferencesForm(
        kinds=tuple(kinds),
        language=preferences.language or "",
        time_zone=preferences.time_zone or "",
        quiet_start=quiet.start.strftime("%H:%M") if quiet else "",
        quiet_end=quiet.end.strftime("%H:%M") if quiet else "",
    )


def read_form(form: Mapping[str, Sequence[str]]) -> tuple[PreferencesForm, dict[str, Any]]:
    """The submitted form, and the request body the service's PUT takes.

    Fields are ``<kind>.email``, ``<kind>.chat``, ``<kind>.digest`` (checkboxes), ``language``,
    ``time_zone``, ``quiet_start`` and ``quiet_end`` (HH:MM). The form's ``problems`` name the
    fields the portal could not read (the body is then not to be sent).
    """

    def one(name: str) -> str:
        values = form.get(name) or ("",)
        return str(values[0]).strip()

    def ticked(name: str) -> bool:
        return bool(form.get(name))

    kinds = tuple(
        KindChoice(
            kind=kind,
            email=kind in EMAIL_REQUIRED or ticked(f"{kind}.email"),
            chat=ticked(f"{kind}.chat"),
            digest=kind in DIGESTIBLE and ticked(f"{kind}.digest"),
        )
        for kind in KINDS
    )
    channels: dict[str, list[str]] = {}
    cadence: dict[str, str] = {}
    unsubscribed: list[str] = []
    for choice in kinds:
        chosen = [name for name, on in ((EMAIL, choice.email), (CHAT, choice.chat)) if on]
        if chosen:
            channels[choice.kind] = chosen
        else:
            unsubscribed.append(choice.kind)
        if choice.digestible:
            cadence[choice.kind] = DIGEST if choice.digest else IMMEDIATE
    problems: dict[str, str] = {}
    language = one("language")
    if language and language not in LANGUAGES:
        problems["language"] = N_("Choose English or French.")
    start, end = one("quiet_start"), one("quiet_end")
    for name, value in (("quiet_start", start), ("quiet_end", end)):
        if value and not _CLOCK.match(value):
            problems[name] = N_("Give a time as HH:MM, for example 21:30.")
    if bool(start) != bool(end) and not problems:
        problems["quiet_start" if not start else "quiet_end"] = N_("Give both times, or neither.")
    submitted = PreferencesForm(
        kinds=kinds,
        language=language,
        time_zone=one("time_zone"),
        quiet_start=start,
        quiet_end=end,
        problems=problems,
    )
    body: dict[str, Any] = {
        "language": language or None,
        "time_zone": submitted.time_zone or None,
        "channels": channels,
        "cadence": cadence,
        "unsubscribed": unsubscribed,
        "quiet_hours": {"start": start, "end": end} if start and end else None,
    }
    return submitted, body


def form_field(path: str) -> str:
    """The form field an API problem's path (``body.channels.match``) is about."""
    parts = path.split(".")
    if parts and parts[0] == "body":
        parts = parts[1:]
    if not parts:
        return "form"
    if parts[0] in {"channels", "cadence"} and len(parts) > 1 and parts[1] in KINDS:
        return parts[1]
    if parts[0] == "quiet_hours":
        return "quiet_end" if len(parts) > 1 and parts[1] == "end" else "quiet_start"
    if parts[0] in {"language", "time_zone"}:
        return parts[0]
    return "form"
