"""The pairs scheduling knows of (admins and the program's managers)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.program_access import ProgramManagers
from scheduling.entrypoints.http.common import ResourceId
from scheduling.entrypoints.http.schemas import PairView
from scheduling.usecases.pairs import Pairs


def pairs_router(pairs: Pairs, caller: CallerDependency, managers: ProgramManagers) -> APIRouter:
    """Routes for the pairs scheduling plans for (admins and the program's managers)."""
    router = APIRouter(prefix="/v1", tags=["pairs"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get(
        "/pairs/{pair_id}",
        summary="A pair scheduling plans sessions for",
        responses={404: {"description": "No such pair."}},
    )
    async def get_pair(pair_id: ResourceId, who: Caller) -> PairView:
        known = await pairs.known(pair_id)
        await managers.require(who, known.pair.program_id)
        return PairView.of(known)

    return router
