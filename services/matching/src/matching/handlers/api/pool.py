"""HTTP API of the matching service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from matching.adapters.pool import MatchingPool
from mentorship_contracts.types import ParticipantRole

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PoolSummary(BaseModel):
    """Who waits to be matched in a program."""

    program_id: str
    mentors: int
    mentees: int
    both: int


def matching_router(pool: MatchingPool) -> APIRouter:
    """Routes of the matching service."""
    router = APIRouter(prefix="/v1", tags=["pool"])

    @router.get("/programs/{program_id}/pool", summary="Participants waiting to be matched")
    async def pool_summary(program_id: ProgramId) -> PoolSummary:
        counts = await pool.role_counts(program_id)
        return PoolSummary(
            program_id=program_id,
            mentors=counts[ParticipantRole.MENTOR],
            mentees=counts[ParticipantRole.MENTEE],
            both=counts[ParticipantRole.BOTH],
        )

    return router
