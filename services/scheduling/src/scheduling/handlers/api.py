"""HTTP API of the scheduling service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from mentorship_kit.http_errors import ApiError
from scheduling.adapters.pairs import SchedulingPairs

PairId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PairView(BaseModel):
    """A pair as scheduling knows it."""

    pair_id: str
    program_id: str
    active: bool


def scheduling_router(store: SchedulingPairs) -> APIRouter:
    """Routes of the scheduling service."""
    router = APIRouter(prefix="/v1", tags=["pairs"])

    @router.get(
        "/pairs/{pair_id}",
        summary="A pair scheduling plans sessions for",
        responses={404: {"description": "No such pair."}},
    )
    async def get_pair(pair_id: PairId) -> PairView:
        document = await store.pairs.get_document(pair_id)
        if document is None:
            raise ApiError(404, "pair_not_found", f"No pair {pair_id} is known to scheduling.")
        return PairView(
            pair_id=pair_id,
            program_id=document["state"]["program_id"],
            active=not document.get("ended", False),
        )

    return router
