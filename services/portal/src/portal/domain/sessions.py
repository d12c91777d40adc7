"""What a participant may do with a session now, and the next things to do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from portal.domain.models import Session, SessionStatus

HELD_EARLIEST = timedelta(minutes=30)
"""A session can be marked held from this long before its start (scheduling's rule)."""


def can_move(session: Session, now: datetime) -> bool:
    """Reschedule or cancel: a scheduled session that has not started."""
    return session.status is SessionStatus.SCHEDULED and session.starts_at > now


def can_mark(session: Session, now: datetime) -> bool:
    """Mark held or missed: a scheduled session from half an hour before its start."""
    return session.status is SessionStatus.SCHEDULED and now >= session.starts_at - HELD_EARLIEST


def next_session(sessions: Iterable[Session], now: datetime) -> Session | None:
    """The first scheduled session that has not ended."""
    upcoming = [s for s in sessions if s.status is SessionStatus.SCHEDULED and s.ends_at > now]
    return min(upcoming, key=lambda s: s.starts_at, default=None)


def held(sessions: Iterable[Session]) -> list[Session]:
    """The held sessions, most recent first."""
    return sorted(
        (s for s in sessions if s.status is SessionStatus.HELD),
        key=lambda s: s.starts_at,
        reverse=True,
    )


def first_held(sessions: Sequence[Session]) -> bool:
    """Whether at least one session was held (the fit question opens then)."""
    return any(s.status is SessionStatus.HELD for s in sessions)


def local_start(session: Session, participant_id: str | None) -> datetime:
    """The start in the participant's own time zone (UTC when unknown)."""
    if participant_id and participant_id in session.local_starts_at:
        return session.local_starts_at[participant_id]
    return session.starts_at
