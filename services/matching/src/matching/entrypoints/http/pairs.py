"""Pair endpoints: list a program's pairs, read one, end one early."""

from datetime import datetime
from typing import Annotated, Literal, Self

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from matching.domain.pairs import Pair, PairStatus
from matching.usecases.pairs import PairService
from mentorship_contracts.types import PairEndReason
from mentorship_kit.auth import CallerDependency, Principal, program_manager
from mentorship_kit.program_access import ProgramManagers

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
PairId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PairView(BaseModel):
    """A pair, its score and explanation, and how it ended."""

    model_config = ConfigDict(from_attributes=True)

    pair_id: str
    program_id: str
    run_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    group_id: str | None
    score: float
    contributions: dict[str, float]
    is_rematch: bool
    status: PairStatus
    created_at: datetime
    ended_at: datetime | None
    end_reason: PairEndReason | None

    @classmethod
    def of(cls, pair: Pair) -> Self:
        """The view of ``pair``."""
        return cls.model_validate(pair)


class PairPage(BaseModel):
    """Pairs in id order; pass ``next_after`` as ``after`` for the next page."""

    pairs: list[PairView]
    next_after: str | None


class EndPairRequest(BaseModel):
    """Why a pair ends, and whether its people should be matched again."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["not_a_good_fit", "admin_decision", "completed"] = "admin_decision"
    rematch: bool = Field(
        default=True,
        description="Queue a re-match run for the freed people (early ends only).",
    )


def pairs_router(
    service: PairService, caller: CallerDependency, managers: ProgramManagers
) -> APIRouter:
    """Routes for pairs (admins and the program's managers only)."""
    router = APIRouter(prefix="/v1", tags=["pairs"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Manager = Annotated[Principal, Depends(program_manager(caller, managers.of))]  # noqa: N806

    @router.get("/programs/{program_id}/pairs", summary="List a program's pairs")
    async def list_pairs(
        program_id: ProgramId,
        _: Manager,
        status: Annotated[PairStatus | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> PairPage:
        pairs = await service.page(program_id, status, after, limit)
        return PairPage(
            pairs=[PairView.of(pair) for pair in pairs],
            next_after=pairs[-1].pair_id if len(pairs) == limit else None,
        )

    @router.get("/pairs/{pair_id}", summary="Read a pair")
    async def read(pair_id: PairId, who: Caller) -> PairView:
        pair = await service.get(pair_id)
        await managers.require(who, pair.program_id)
        return PairView.of(pair)

    @router.post("/pairs/{pair_id}/end", summary="End a pair (and re-match its people)")
    async def end(pair_id: PairId, request: EndPairRequest, who: Caller) -> PairView:
        await managers.require(who, (await service.get(pair_id)).program_id)
        pair = await service.end_by_admin(
            pair_id, PairEndReason(request.reason), rematch=request.rematch
        )
        return PairView.of(pair)

    return router
