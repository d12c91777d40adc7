"""Erasure requests: a participant asks, the admins list the open ones and erase."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from mentorship_kit.auth import CallerDependency, Principal
from registration.domain.erasure_requests import ErasureRequest
from registration.usecases.erasure_requests import ErasureRequestService


class ErasureRequestView(BaseModel):
    """An open request to erase a person."""

    request_id: str
    employee_id: str = Field(description="Whom to erase with DELETE /v1/people/{employee_id}.")
    person_id: str
    requested_at: datetime

    @classmethod
    def of(cls, request: ErasureRequest) -> "ErasureRequestView":
        """The view of ``request``."""
        return cls(
            request_id=request.request_id,
            employee_id=request.employee_id,
            person_id=request.person_id,
            requested_at=request.requested_at,
        )


class MyErasureRequest(BaseModel):
    """The caller's open erasure request, if they filed one."""

    request: ErasureRequestView | None


class OpenErasureRequests(BaseModel):
    """Every open erasure request, oldest first."""

    requests: list[ErasureRequestView]


def erasure_requests_router(
    service: ErasureRequestService, caller: CallerDependency, admin: CallerDependency
) -> APIRouter:
    """``POST|GET /v1/me/erasure-requests`` and the admins' ``GET /v1/erasure-requests``."""
    router = APIRouter(prefix="/v1", tags=["erasure requests"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.post(
        "/me/erasure-requests",
        summary="Ask the admins to erase everything about me",
        description=(
            "Files the caller's request (201) and announces it (ErasureRequested); while one is "
            "open, answers it again (200) and announces nothing. An admin completes it with "
            "DELETE /v1/people/{employee_id}, which closes it. The admin token names nobody "
            "(403)."
        ),
        status_code=status.HTTP_201_CREATED,
        responses={200: {"description": "A request was already open: that one."}, 403: {}},
    )
    async def file(who: Caller, response: Response) -> ErasureRequestView:
        request, new = await service.file(who)
        if not new:
            response.status_code = status.HTTP_200_OK
        return ErasureRequestView.of(request)

    @router.get(
        "/me/erasure-requests",
        summary="My open erasure request, if I filed one",
        responses={403: {}},
    )
    async def mine(who: Caller) -> MyErasureRequest:
        request = await service.mine(who)
        return MyErasureRequest(request=ErasureRequestView.of(request) if request else None)

    @router.get(
        "/erasure-requests",
        summary="The open erasure requests (admins), oldest first",
    )
    async def open_ones(_: Admin) -> OpenErasureRequests:
        return OpenErasureRequests(
            requests=[ErasureRequestView.of(r) for r in await service.open_ones()]
        )

    return router
