"""The pairs scheduling knows of (admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from mentorship_kit.auth import CallerDependency, Principal
from scheduling.entrypoints.http.common import ResourceId
from scheduling.entrypoints.http.schemas import PairView
from scheduling.usecases.pairs import Pairs


def pairs_router(pairs: Pairs, admin: CallerDependency) -> APIRouter:
    """Routes for the pairs scheduling plans for."""
    router = APIRouter(prefix="/v1", tags=["pairs"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.get(
        "/pairs/{pair_id}",
        summary="A pair scheduling plans sessions for",
        responses={404: {"description": "No such pair."}},
    )
    async def get_pair(pair_id: ResourceId, _: Admin) -> PairView:
        return PairView.of(await pairs.known(pair_id))

    return router
