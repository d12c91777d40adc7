"""Sessions and their series, and the rules for changing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from mentorship_contracts.types import SessionCancelReason

HOLD_EARLIEST_BEFORE_START = timedelta(minutes=30)
"""A session may be marked held from this long before its start (people start early)."""


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
        """When it is planned to end."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

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


def check_cancel(session: Session, now: datetime) -> None:
    """A future, scheduled session may be cancelled (a past one is held or missed)."""
    _must_be_scheduled(session, "cancelled")
    if session.starts_at <= now:
        msg = "the session has started or is in the past; mark it held or missed instead"
        raise SessionRuleError("session_in_past", msg)


def check_held(session: Session, held_at: datetime, now: datetime) -> None:
    """A scheduled session may be marked held once it is (about to be) under way."""
    _must_be_scheduled(session, "mark held")
    if now < session.starts_at - HOLD_EARLIEST_BEFORE_START:
        msg = "the session has not started yet"
        raise SessionRuleError("session_in_future", msg)
    if held_at > now:
        msg = "held_at is in the future"
        raise SessionRuleError("held_at_in_future", msg)


def check_missed(session: Session, now: datetime) -> None:
    """A scheduled session may be marked missed once its start has passed."""
    _must_be_scheduled(session, "marked missed")
    if session.starts_at > now:
        msg = "the session has not started yet"
        raise SessionRuleError("session_in_future", msg)
