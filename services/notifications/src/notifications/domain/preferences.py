"""A person's choices, and where and when each notification goes because of them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from notifications.domain.kinds import (
    LOW_PRIORITY,
    UNSUBSCRIBABLE,
    Channel,
    Kind,
)

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""The languages the templates are written in (gettext catalogues)."""

REMINDER_URGENCY = timedelta(hours=3)
"""A session reminder due this close to the start goes out even in quiet hours."""


class Cadence(StrEnum):
    """Immediate, or gathered in a daily digest (low-priority kinds only)."""

    IMMEDIATE = "immediate"
    DAILY_DIGEST = "daily_digest"


class PreferenceError(ValueError):
    """A preference that cannot hold; ``field`` names it as the request does."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours in which nothing but urgent reminders is sent (may span midnight)."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a person chose; a person who chose nothing gets e-mail, at once, of everything."""

    person_id: str
    language: str | None = None
    time_zone: str | None = None
    """Overrides the zone the person registered with (for quiet hours and digests)."""
    channels: dict[Kind, tuple[Channel, ...]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    cadence: dict[Kind, Cadence] = field(default_factory=dict)
    unsubscribed: frozenset[Kind] = frozenset()
    updated_at: datetime | None = None

    def channels_for(self, kind: Kind) -> tuple[Channel, ...]:
        """The channels chosen for ``kind`` (e-mail unless chosen otherwise)."""
        return self.channels.get(kind, (Channel.EMAIL,))

    def unsubscribe(self, kind: Kind, now: datetime) -> Preferences:
        """Stop ``kind``."""
        check_unsubscribable(kind)
        return replace(self, unsubscribed=self.unsubscribed | {kind}, updated_at=now)


def check_unsubscribable(kind: Kind) -> None:
    """Raise unless a person may stop ``kind``."""
    if kind not in UNSUBSCRIBABLE:
        msg = f"{kind.value} cannot be unsubscribed from"
        raise PreferenceError("kind", msg)


def validated(preferences: Preferences) -> Preferences:
    """``preferences`` if every choice is possible, else a `PreferenceError` naming it."""
    if preferences.language is not None and preferences.language not in LANGUAGES:
        msg = f"must be one of {', '.join(LANGUAGES)}"
        raise PreferenceError("language", msg)
    if preferences.time_zone is not None:
        try:
            zoneinfo.ZoneInfo(preferences.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            msg = f"unknown IANA time zone {preferences.time_zone!r}"
            raise PreferenceError("time_zone", msg) from None
    _check_channels(preferences)
    for kind, cadence in preferences.cadence.items():
        if cadence is Cadence.DAILY_DIGEST and kind not in LOW_PRIORITY:
            allowed = ", ".join(sorted(k.value for k in LOW_PRIORITY))
            msg = f"only low-priority kinds can be digested ({allowed})"
            raise PreferenceError(f"cadence.{kind.value}", msg)
    for kind in preferences.unsubscribed:
        if kind not in UNSUBSCRIBABLE:
            raise PreferenceError("unsubscribed", f"{kind.value} cannot be unsubscribed from")
    quiet = preferences.quiet_hours
    if quiet is not None and quiet.start == quiet.end:
        raise PreferenceError("quiet_hours.end", "quiet hours must not start when they end")
    return preferences


def _check_channels(preferences: Preferences) -> None:
    for kind, channels in preferences.channels.items():
        if kind not in UNSUBSCRIBABLE and kind is not Kind.SESSION_INVITATION:
            msg = f"{kind.value} is not a kind sent to participants"
            raise PreferenceError(f"channels.{kind.value}", msg)
        if not channels:
            msg = "choose at least one channel (or unsubscribe from the kind)"
            raise PreferenceError(f"channels.{kind.value}", msg)
        if Channel.TEAMS in channels:
            msg = "Teams reaches program channels only; choose email or slack"
            raise PreferenceError(f"channels.{kind.value}", msg)
        if kind is Kind.SESSION_INVITATION and Channel.EMAIL not in channels:
            msg = "calendar invitations need e-mail"
            raise PreferenceError(f"channels.{kind.value}", msg)


class Timing(StrEnum):
    """How a planned delivery waits."""

    NOW = "now"
    AFTER_QUIET_HOURS = "after_quiet_hours"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Route:
    """One channel a notification goes to, and from when."""

    channel: Channel
    due_at: datetime
    timing: Timing


def route(
    kind: Kind,
    preferences: Preferences,
    *,
    zone: str,
    now: datetime,
    digest_hour: int,
    starts_at: datetime | None = None,
) -> tuple[Route, ...]:
    """Where and when a notification of ``kind`` goes for this person (nothing: unsubscribed).

    ``zone`` is the person's time zone (their preference first); ``starts_at`` the start of
    the session a reminder is about: a reminder that would be held past the start (or within
    `REMINDER_URGENCY` of it) goes now, quiet hours or not.
    """
    if kind in preferences.unsubscribed:
        return ()
    local_zone = zoneinfo.ZoneInfo(preferences.time_zone or zone)
    cadence = preferences.cadence.get(kind, Cadence.IMMEDIATE)
    if cadence is Cadence.DAILY_DIGEST and kind in LOW_PRIORITY:
        due, timing = next_digest(now, local_zone, digest_hour), Timing.DIGEST
    else:
        due, timing = now, Timing.NOW
        if preferences.quiet_hours is not None:
            end = quiet_end(now, local_zone, preferences.quiet_hours)
            urgent = (
                kind is Kind.SESSION_REMINDER
                and starts_at is not None
                and end is not None
                and end > starts_at - REMINDER_URGENCY
            )
            if end is not None and not urgent:
                due, timing = end, Timing.AFTER_QUIET_HOURS
    return tuple(Route(channel, due, timing) for channel in preferences.channels_for(kind))


def quiet_end(now: datetime, zone: zoneinfo.ZoneInfo, quiet: QuietHours) -> datetime | None:
    """When the quiet hours ``now`` lies in end (UTC); None when ``now`` is not in them."""
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    spans_midnight = quiet.start > quiet.end
    inside = (
        (clock >= quiet.start or clock < quiet.end)
        if spans_midnight
        else quiet.start <= clock < quiet.end
    )
    if not inside:
        return None
    end_day = local.date()
    if spans_midnight and clock >= quiet.start:
        end_day += timedelta(days=1)
    return _at(end_day, quiet.end, zone)


def next_digest(now: datetime, zone: zoneinfo.ZoneInfo, hour: int) -> datetime:
    """The next daily digest time after ``now`` in ``zone`` (UTC)."""
    local = now.astimezone(zone)
    candidate = _at(local.date(), time(hour), zone)
    if candidate <= now:
        candidate = _at(local.date() + timedelta(days=1), time(hour), zone)
    return candidate


def _at(day: date, clock: time, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(UTC)


def language_for(preferences: Preferences | None, spoken: tuple[str, ...], default: str) -> str:
    """The chosen language, else the first the person speaks that the templates have."""
    if preferences is not None and preferences.language:
        return preferences.language
    for code in spoken:
        base = code.split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return default
