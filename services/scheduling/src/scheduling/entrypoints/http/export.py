"""The right-of-access document: what scheduling holds about the caller, section by section."""

from datetime import datetime
from typing import Literal, Self

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mentorship_contracts.types import SessionCancelReason
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.export_route import export_router as kit_export_router
from mentorship_kit.exports import (
    ExportSection,
    PersonalDataDocument,
    subject,
)
from scheduling.domain.sessions import MemberRole, Session, SessionStatus
from scheduling.usecases.export import Membership, PersonalData, PersonalDataExport

_HOLDS = (
    "their registrations as scheduling knows them (program, time zone), the series "
    "planned for their pairs, every session they are or were part of, and whether "
    "they have a calendar feed. Each section describes itself."
)
"""What the export holds, as its OpenAPI description says it."""


class ExportedRegistration(BaseModel):
    """A registration of yours, as scheduling keeps it."""

    participant_id: str
    program_id: str
    time_zone: str = Field(description="Your sessions are shown (and planned) in it.")
    as_of: datetime = Field(description="When the registration last changed.")


class ExportedSeries(BaseModel):
    """A series of sessions you are a member of."""

    series_id: str = Field(description="The pair's id (a group's in group programs).")
    program_id: str
    pair_id: str
    participant_id: str
    role: MemberRole
    other_participant_ids: list[str]
    zone: str = Field(description="The zone whose wall clock keeps the series' slot.")
    duration_minutes: int
    ended: bool


class ExportedSession(BaseModel):
    """A session you are (or were) invited to."""

    session_id: str
    series_id: str
    program_id: str
    sequence: int
    participant_ids: list[str]
    starts_at: datetime
    duration_minutes: int
    status: SessionStatus
    held_at: datetime | None
    held_minutes: int | None
    cancel_reason: SessionCancelReason | None
    updated_at: datetime | None


class ExportedFeed(BaseModel):
    """Your secret calendar feed (its address is at GET /v1/me/calendar)."""

    created_at: datetime


class SchedulingSections(BaseModel):
    """Every kind of record scheduling keeps about a person."""

    registrations: ExportSection[ExportedRegistration]
    series: ExportSection[ExportedSeries]
    sessions: ExportSection[ExportedSession]
    calendar_feed: ExportSection[ExportedFeed]


class SchedulingExport(PersonalDataDocument[SchedulingSections]):
    """Everything the scheduling service holds about the caller."""

    service: Literal["scheduling"] = "scheduling"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        return cls(
            generated_at=data.generated_at,
            subject=subject(data.person_id, data.participant_ids()),
            sections=SchedulingSections(
                registrations=ExportSection(
                    description=(
                        "Your registrations as scheduling knows them: the program and your "
                        "time zone."
                    ),
                    items=[
                        ExportedRegistration(
                            participant_id=r.participant_id,
                            program_id=r.program_id,
                            time_zone=r.time_zone,
                            as_of=r.as_of,
                        )
                        for r in data.registrations
                    ],
                ),
                series=ExportSection(
                    description="The series of sessions planned for your pairs (or groups).",
                    items=[_series(membership) for membership in data.series],
                ),
                sessions=ExportSection(
                    description=(
                        "Every session you are (or were) part of: when, and whether it was "
                        "held, missed or cancelled."
                    ),
                    items=[_session(session) for session in data.sessions],
                ),
                calendar_feed=ExportSection(
                    description=(
                        "Your secret calendar feed, if you asked for one (the secret itself "
                        "is shown at GET /v1/me/calendar, not repeated here)."
                    ),
                    items=(
                        [ExportedFeed(created_at=data.feed_created_at)]
                        if data.feed_created_at
                        else []
                    ),
                ),
            ),
        )


def _series(membership: Membership) -> ExportedSeries:
    series, member = membership.series, membership.member
    return ExportedSeries(
        series_id=series.series_id,
        program_id=series.program_id,
        pair_id=member.pair_id,
        participant_id=member.participant_id,
        role=member.role,
        other_participant_ids=[p for p in series.participant_ids if p != member.participant_id],
        zone=series.zone,
        duration_minutes=series.duration_minutes,
        ended=series.ended,
    )


def _session(session: Session) -> ExportedSession:
    return ExportedSession(
        session_id=session.session_id,
        series_id=session.series_id,
        program_id=session.program_id,
        sequence=session.sequence,
        participant_ids=list(session.participant_ids),
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        status=session.status,
        held_at=session.held_at,
        held_minutes=session.held_minutes,
        cancel_reason=session.cancel_reason,
        updated_at=session.updated_at,
    )


def export_router(export: PersonalDataExport, caller: CallerDependency) -> APIRouter:
    """``GET /v1/me/export``."""

    async def export_my_data(who: Principal) -> SchedulingExport:
        return SchedulingExport.of(await export.of(who))

    return kit_export_router(
        caller, service="scheduling", holds=_HOLDS, document=SchedulingExport, build=export_my_data
    )
