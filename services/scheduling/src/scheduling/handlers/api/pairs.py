"""The pairs scheduling knows of (admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.http_errors import ApiError
from scheduling.adapters.pairs import SchedulingPairs
from scheduling.handlers.api.sessions import ResourceId


class PairView(BaseModel):
    """A pair as scheduling knows it."""

    pair_id: str
    program_id: str
    active: bool


def pairs_router(store: SchedulingPairs, admin: CallerDependency) -> APIRouter:
    """Routes for the pairs scheduling plans for."""
    router = APIRouter(prefix="/v1", tags=["pairs"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.get(
        "/pairs/{pair_id}",
        summary="A pair scheduling plans sessions for",
        responses={404: {"description": "No such pair."}},
    )
    async def get_pair(pair_id: ResourceId, _: Admin) -> PairView:
        document = await store.pairs.get_document(pair_id)
        if document is None:
            raise ApiError(404, "pair_not_found", f"No pair {pair_id} is known to scheduling.")
        return PairView(
            pair_id=pair_id,
            program_id=document["state"]["program_id"],
            active=not document.get("ended", False),
        )

    return router
