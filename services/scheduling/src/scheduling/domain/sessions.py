"""Sessions and their series, and the rules for changing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.recurrence import local_delta, shift_local

HOLD_EARLIEST_BEFORE_START = timedelta(minutes=30)
"""A session may be marked held from this long before its start (people start early)."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of ours a member's clock may be when they say when a session was held."""
RESCHEDULE_GRACE = timedelta(days=30)
"""How long after the program's last day a session may still be moved to (one that slipped)."""
PARTICIPANT_CANCEL_REASONS = frozenset({SessionCancelReason.PARTICIPANT_REQUEST})
"""The reasons members may give; the others are the system's (pair or program ended) or an
admin's."""
LATEST_INSTANT = datetime.max.replace(tzinfo=UTC)
"""The end of the calendar: what a time beyond it is shown as, never stored."""


class SessionStatus(StrEnum):
    """Where a session stands."""

    SCHEDULED = "scheduled"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


class MemberRole(StrEnum):
    """A member's part in a series."""

    MENTOR = "mentor"
    MENTEE = "mentee"


@dataclass(frozen=True, slots=True)
class Member:
    """Someone a series' sessions are for."""

    participant_id: str
    person_id: str
    role: MemberRole
    pair_id: str


@dataclass(frozen=True, slots=True)
class Series:
    """A pair's (or a group's) recurring sessions and the slot they follow."""

    series_id: str
    """The pair id, or the group id in group programs; sessions carry it as their pair id."""
    program_id: str
    members: tuple[Member, ...]
    zone: str
    """The zone whose wall clock keeps the slot (the mentor's)."""
    duration_minutes: int
    ended: bool = False

    @property
    def participant_ids(self) -> tuple[str, ...]:
        """Everyone the sessions are for, the mentor first."""
        ordered = sorted(self.members, key=lambda m: (m.role is not MemberRole.MENTOR, m.pair_id))
        return tuple(member.participant_id for member in ordered)

    def has_person(self, person_id: str | None) -> bool:
        """Whether ``person_id`` is one of the members."""
        return person_id is not None and any(m.person_id == person_id for m in self.members)

    def has_pair(self, pair_id: str) -> bool:
        """Whether the pair ``pair_id`` is one of the members' pairs."""
        return any(member.pair_id == pair_id for member in self.members)


@dataclass(frozen=True, slots=True)
class Session:
    """One meeting of a series."""

    session_id: str
    series_id: str
    program_id: str
    sequence: int
    participant_ids: tuple[str, ...]
    starts_at: datetime
    duration_minutes: int
    status: SessionStatus = SessionStatus.SCHEDULED
    version: int = 0
    """Bumped on every change; the iCalendar SEQUENCE."""
    updated_at: datetime | None = None
    held_at: datetime | None = None
    held_minutes: int | None = None
    cancel_reason: SessionCancelReason | None = None

    @property
    def ends_at(self) -> datetime:
        """When it is planned to end (the last representable instant if that is later)."""
        try:
            return self.starts_at + timedelta(minutes=self.duration_minutes)
        except OverflowError:
            return LATEST_INSTANT

    def changed(self, now: datetime, **fields: object) -> Session:
        """A copy with ``fields`` set, one version later."""
        return replace(self, version=self.version + 1, updated_at=now, **fields)  # type: ignore[arg-type]


def session_id_of(series_id: str, sequence: int) -> str:
    """Stable session ids: replays of a PairCreated create the very same sessions."""
    return f"{series_id}.s{sequence:03d}"


class SessionRuleError(Exception):
    """A change the rules forbid; ``code`` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SessionInputError(Exception):
    """A value the rules cannot accept; ``field`` names it as the request does."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _must_be_scheduled(session: Session, action: str) -> None:
    if session.status is SessionStatus.HELD and action == "mark held":
        msg = "the session was held already; a session cannot be held twice"
        raise SessionRuleError("already_held", msg)
    if session.status is not SessionStatus.SCHEDULED:
        msg = f"the session is {session.status.value}; only a scheduled session can be {action}"
        raise SessionRuleError(f"session_{session.status.value}", msg)


def check_reschedule(session: Session, new_start: datetime, now: datetime) -> None:
    """A future, scheduled session may move to another future time."""
    _must_be_scheduled(session, "rescheduled")
    if session.starts_at <= now:
        msg = "the session has started or is in the past; past sessions cannot be rescheduled"
        raise SessionRuleError("session_in_past", msg)
    if new_start <= now:
        msg = "the new start time is in the past"
        raise SessionRuleError("new_time_in_past", msg)


def latest_start(program_ends_on: date) -> datetime:
    """The latest a session of a program ending on ``program_ends_on`` may be moved to."""
    last_day = min(program_ends_on, date.max - RESCHEDULE_GRACE) + RESCHEDULE_GRACE
    return datetime.combine(last_day, time.max, UTC)


def rescheduled_starts(
    session: Session,
    following: Sequence[Session],
    new_start: datetime,
    *,
    zone: str,
    program_ends_on: date,
) -> list[datetime]:
    """The new starts of ``session`` (at ``new_start``) and of ``following`` (by the same shift).

    The shift is in ``zone``'s wall-clock time. Every new start must lie within the program
    (its last day plus `RESCHEDULE_GRACE`).
    """
    latest = latest_start(program_ends_on)
    limit = f"the program ends on {program_ends_on}; sessions may move to {latest:%Y-%m-%d} at most"
    if new_start > latest:
        raise SessionInputError("starts_at", limit)
    if not following:
        return [new_start]
    try:
        shift = local_delta(session.starts_at, new_start, zone)
        moved = [shift_local(later.starts_at, zone, shift) for later in following]
    except OverflowError:
        moved = [LATEST_INSTANT]
    if any(start > latest for start in moved):
        msg = f"moving the following sessions by the same shift takes some past that date: {limit}"
        raise SessionInputError("starts_at", msg)
    return [new_start, *moved]


def check_cancel(session: Session, now: datetime) -> None:
    """A future, scheduled session may be cancelled (a past one is held or missed)."""
    _must_be_scheduled(session, "cancelled")
    if session.starts_at <= now:
        msg = "the session has started or is in the past; mark it held or missed instead"
        raise SessionRuleError("session_in_past", msg)


def check_cancel_reason(reason: SessionCancelReason, *, by_admin: bool) -> None:
    """Members cancel for `PARTICIPANT_CANCEL_REASONS` only; an admin for any reason."""
    if not by_admin and reason not in PARTICIPANT_CANCEL_REASONS:
        allowed = ", ".join(sorted(PARTICIPANT_CANCEL_REASONS))
        msg = f"{reason.value} is for admins and the system; members may give {allowed}"
        raise SessionInputError("reason", msg)


def check_held(session: Session, held_at: datetime, now: datetime) -> None:
    """A scheduled session may be marked held once it is (about to be) under way.

    ``held_at`` lies between 30 minutes before the planned start and now (give or take
    `CLOCK_SKEW`).
    """
    _must_be_scheduled(session, "mark held")
    earliest = session.starts_at - HOLD_EARLIEST_BEFORE_START
    if now < earliest:
        msg = "the session has not started yet"
        raise SessionRuleError("session_in_future", msg)
    if held_at < earliest:
        msg = f"must be {earliest.isoformat()} (30 minutes before the planned start) or later"
        raise SessionInputError("held_at", msg)
    if held_at > now + CLOCK_SKEW:
        raise SessionInputError("held_at", "is in the future")


def check_missed(session: Session, now: datetime) -> None:
    """A scheduled session may be marked missed once its start has passed."""
    _must_be_scheduled(session, "marked missed")
    if session.starts_at > now:
        msg = "the session has not started yet"
        raise SessionRuleError("session_in_future", msg)
