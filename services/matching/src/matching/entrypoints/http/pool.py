"""HTTP API of the matching service."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from matching.adapters.pool import MatchingPool
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.auth import CallerDependency, Principal

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PoolSummary(BaseModel):
    """Who waits to be matched in a program."""

    program_id: str
    mentors: int
    mentees: int
    both: int


def pool_router(pool: MatchingPool, admin: CallerDependency) -> APIRouter:
    """Who waits in a program's pool (program managers only)."""
    router = APIRouter(prefix="/v1", tags=["pool"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.get("/programs/{program_id}/pool", summary="Participants waiting to be matched")
    async def pool_summary(program_id: ProgramId, _: Admin) -> PoolSummary:
        counts = await pool.role_counts(program_id)
        return PoolSummary(
            program_id=program_id,
            mentors=counts[ParticipantRole.MENTOR],
            mentees=counts[ParticipantRole.MENTEE],
            both=counts[ParticipantRole.BOTH],
        )

    return router
