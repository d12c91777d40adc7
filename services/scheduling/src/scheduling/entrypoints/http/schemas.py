"""What the scheduling API takes and returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.planning import KnownPair
from scheduling.domain.recurrence import in_zone
from scheduling.domain.sessions import (
    RESCHEDULE_GRACE,
    Member,
    MemberRole,
    Series,
    Session,
    SessionStatus,
)
from scheduling.usecases.sessions import RescheduleScope


class RescheduleRequest(BaseModel):
    """Where a session moves."""

    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime = Field(
        description="The new start, with its UTC offset; at most "
        f"{RESCHEDULE_GRACE.days} days after the program's last day."
    )
    duration_minutes: int | None = Field(default=None, ge=5, le=480)
    scope: RescheduleScope = Field(
        default=RescheduleScope.THIS,
        description="`this` session only, or it and every `following` scheduled one "
        "(moved by the same wall-clock shift in the series' time zone).",
    )


class CancelRequest(BaseModel):
    """Why a session is cancelled (defaults to the caller's request)."""

    model_config = ConfigDict(extra="forbid")

    reason: SessionCancelReason | None = Field(
        default=None,
        description="Members may give `participant_request` only; the other reasons are an "
        "admin's or the system's.",
    )


class HeldRequest(BaseModel):
    """When a session actually took place and how long it lasted."""

    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime | None = Field(
        default=None,
        description="From 30 minutes before the planned start until now; defaults to the "
        "planned start (or now, if that is still to come).",
    )
    duration_minutes: int | None = Field(
        default=None, ge=1, le=600, description="Defaults to the planned length."
    )


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

    @classmethod
    def of(cls, member: Member) -> Self:
        """The view of ``member``."""
        return cls(participant_id=member.participant_id, role=member.role, pair_id=member.pair_id)


class SeriesView(BaseModel):
    """A pair's (or group's) series and its sessions."""

    pair_id: str
    program_id: str
    status: Literal["planned"] = Field(
        default="planned", description="Always `planned` here (see the 202 answer)."
    )
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
            members=[MemberView.of(m) for m in series.members],
            time_zone=series.zone,
            ended=series.ended,
            sessions=[SessionView.of(session, zones) for session in sessions],
        )


class SeriesBeingPlannedView(BaseModel):
    """A pair (or group) whose series is being planned: no sessions yet."""

    pair_id: str
    program_id: str
    status: Literal["being_planned"] = Field(
        default="being_planned",
        description="The pair is known and its series is queued for planning (or waits for "
        "its program to be known): ask again after `Retry-After` seconds.",
    )
    members: list[MemberView] = Field(description="The members known so far.")
    sessions: list[SessionView] = Field(default=[], description="Always empty.")

    @classmethod
    def of(cls, series_id: str, pairs: Iterable[KnownPair]) -> Self:
        """The view of the pairs waiting for the series ``series_id``."""
        waiting = list(pairs)
        members = [
            MemberView(participant_id=participant_id, role=role, pair_id=known.pair.pair_id)
            for known in waiting
            for participant_id, role in (
                (known.pair.mentor_participant_id, MemberRole.MENTOR),
                (known.pair.mentee_participant_id, MemberRole.MENTEE),
            )
        ]
        return cls(
            pair_id=series_id,
            program_id=waiting[0].pair.program_id,
            members=list({(m.participant_id, m.role): m for m in members}.values()),
        )


class SessionList(BaseModel):
    """Sessions in time order."""

    sessions: list[SessionView]


class FeedView(BaseModel):
    """Where a person's calendar feed is (keep it secret: the URL is the key)."""

    url: str = Field(description="The feed, served by this service (`FEED_BASE_URL`).")
    webcal_url: str = Field(description="The same feed, for calendar apps that subscribe.")


class PairView(BaseModel):
    """A pair as scheduling knows it."""

    pair_id: str
    program_id: str
    active: bool
    planned: bool = Field(description="Whether its series is planned yet.")

    @classmethod
    def of(cls, known: KnownPair) -> Self:
        """The view of ``known``."""
        return cls(
            pair_id=known.pair.pair_id,
            program_id=known.pair.program_id,
            active=not known.ended,
            planned=known.planned,
        )
