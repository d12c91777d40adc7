"""HTTP API of the analytics service: the reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from analytics.adapters.participants import ParticipantsReadModel
from analytics.domain.registrations import RegistrationSummary

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


def reports_router(participants: ParticipantsReadModel) -> APIRouter:
    """Routes serving the reports."""
    router = APIRouter(prefix="/v1", tags=["reports"])

    @router.get(
        "/programs/{program_id}/reports/registration",
        summary="Registration report: participants by role, capacity against demand",
    )
    async def registration_report(program_id: ProgramId) -> RegistrationSummary:
        return await participants.summary(program_id)

    return router
