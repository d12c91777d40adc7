"""Session endpoints: list, read, reschedule, cancel, mark held or missed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from mentorship_kit.auth import CallerDependency, Principal
from scheduling.domain.sessions import Session
from scheduling.entrypoints.http.common import ResourceId, person_of
from scheduling.entrypoints.http.schemas import (
    CancelRequest,
    HeldRequest,
    RescheduleRequest,
    SeriesBeingPlannedView,
    SeriesView,
    SessionList,
    SessionView,
)
from scheduling.usecases.sessions import PlannedSeries, SessionService

RETRY_AFTER_S = 2
"""What a 202 "being planned" answer suggests waiting before asking again."""


def sessions_router(service: SessionService, caller: CallerDependency) -> APIRouter:
    """Routes for sessions (members of the pair, admins, or the program's managers)."""
    router = APIRouter(prefix="/v1", tags=["sessions"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    async def view(session: Session) -> SessionView:
        return SessionView.of(session, await service.zones(session.participant_ids))

    async def views(sessions: list[Session]) -> SessionList:
        ids = sorted({p for session in sessions for p in session.participant_ids})
        zones = await service.zones(ids)
        return SessionList(sessions=[SessionView.of(session, zones) for session in sessions])

    @router.get(
        "/pairs/{pair_id}/sessions",
        summary="A pair's (or group's) series and sessions",
        response_model=SeriesView,
        responses={
            202: {
                "model": SeriesBeingPlannedView,
                "description": "The pair is known but its series is not planned yet (new "
                "pairs are planned in batches, a few seconds after matching creates them; a "
                "pair whose program is not known yet waits for it). No sessions yet: ask "
                "again after `Retry-After` seconds.",
                "headers": {
                    "Retry-After": {
                        "description": "Seconds to wait before asking again.",
                        "schema": {"type": "integer"},
                    }
                },
            },
            403: {"description": "Neither a member of the pair nor an admin."},
            404: {"description": "No such pair (or group) is known to scheduling."},
        },
    )
    async def pair_sessions(pair_id: ResourceId, who: Caller) -> SeriesView | Response:
        found = await service.series(pair_id, who)
        if not isinstance(found, PlannedSeries):
            body = SeriesBeingPlannedView.of(found.series_id, found.pairs)
            return JSONResponse(
                body.model_dump(mode="json"),
                status_code=202,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        zones = await service.zones([member.participant_id for member in found.series.members])
        return SeriesView.of(found.series, found.sessions, zones)

    @router.get("/me/sessions", summary="The caller's sessions in every program")
    async def my_sessions(who: Caller) -> SessionList:
        return await views(await service.of_person(person_of(who)))

    @router.get(
        "/participants/{participant_id}/sessions",
        summary="A participant's sessions (admins; a program manager: in their programs)",
    )
    async def participant_sessions(participant_id: ResourceId, who: Caller) -> SessionList:
        return await views(await service.of_participant(participant_id, who))

    @router.get("/sessions/{session_id}", summary="Read a session")
    async def read(session_id: ResourceId, who: Caller) -> SessionView:
        _, session = await service.session(session_id, who)
        return await view(session)

    @router.post(
        "/sessions/{session_id}/reschedule",
        summary="Move a future session, or it and the rest of its series",
    )
    async def reschedule(
        session_id: ResourceId, request: RescheduleRequest, who: Caller
    ) -> SessionList:
        moved = await service.reschedule(
            session_id, request.starts_at, request.duration_minutes, request.scope, who
        )
        return await views(moved)

    @router.post("/sessions/{session_id}/cancel", summary="Cancel a future session")
    async def cancel(
        session_id: ResourceId, who: Caller, request: CancelRequest | None = None
    ) -> SessionView:
        return await view(
            await service.cancel(session_id, request.reason if request else None, who)
        )

    @router.post("/sessions/{session_id}/held", summary="Mark a session held (once)")
    async def held(
        session_id: ResourceId, who: Caller, request: HeldRequest | None = None
    ) -> SessionView:
        request = request or HeldRequest()
        return await view(
            await service.mark_held(session_id, request.held_at, request.duration_minutes, who)
        )

    @router.post("/sessions/{session_id}/missed", summary="Mark a session missed")
    async def missed(session_id: ResourceId, who: Caller) -> SessionView:
        return await view(await service.mark_missed(session_id, who))

    return router
