"""What the scheduling API returns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.recurrence import in_zone
from scheduling.domain.sessions import MemberRole, Series, Session, SessionStatus


class SessionView(BaseModel):
    """A session, in UTC and in each participant's own time zone."""

    session_id: str
    pair_id: str = Field(description="The pair (or, in group programs, the group).")
    program_id: str
    sequence: int
    participant_ids: list[str]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    local_starts_at: dict[str, datetime] = Field(
        description="The start in each participant's time zone, by participant id."
    )
    status: SessionStatus
    version: int = Field(description="Bumped on every change (the calendar's SEQUENCE).")
    held_at: datetime | None
    held_minutes: int | None
    cancel_reason: SessionCancelReason | None

    @classmethod
    def of(cls, session: Session, zones: Mapping[str, str]) -> Self:
        """The view of ``session``; ``zones`` maps participant ids to time zones."""
        local = {
            p: in_zone(session.starts_at, zones[p]) for p in session.participant_ids if p in zones
        }
        return cls(
            session_id=session.session_id,
            pair_id=session.series_id,
            program_id=session.program_id,
            sequence=session.sequence,
            participant_ids=list(session.participant_ids),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            duration_minutes=session.duration_minutes,
            local_starts_at={p: start for p, start in local.items() if start is not None},
            status=session.status,
            version=session.version,
            held_at=session.held_at,
            held_minutes=session.held_minutes,
            cancel_reason=session.cancel_reason,
        )


class MemberView(BaseModel):
    """A member of a series."""

    participant_id: str
    role: MemberRole
    pair_id: str


class SeriesView(BaseModel):
    """A pair's (or group's) series and its sessions."""

    pair_id: str
    program_id: str
    members: list[MemberView]
    time_zone: str = Field(description="The zone whose wall clock keeps the series' slot.")
    ended: bool
    sessions: list[SessionView]

    @classmethod
    def of(cls, series: Series, sessions: list[Session], zones: Mapping[str, str]) -> Self:
        """The view of ``series`` with ``sessions``."""
        return cls(
            pair_id=series.series_id,
            program_id=series.program_id,
            members=[
                MemberView(participant_id=m.participant_id, role=m.role, pair_id=m.pair_id)
                for m in series.members
            ],
            time_zone=series.zone,
            ended=series.ended,
            sessions=[SessionView.of(session, zones) for session in sessions],
        )


class SessionList(BaseModel):
    """Sessions in time order."""

    sessions: list[SessionView]


class FeedView(BaseModel):
    """Where a person's calendar feed is (keep it secret: the URL is the key)."""

    url: str
    webcal_url: str
