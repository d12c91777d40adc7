"""Session endpoints: list, read, reschedule, cancel, mark held or missed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from mentorship_contracts.types import SessionCancelReason
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.http_errors import ApiError
from scheduling.domain.sessions import RESCHEDULE_GRACE, Session
from scheduling.handlers.api.views import SeriesView, SessionList, SessionView
from scheduling.handlers.sessions import RescheduleScope, SessionService

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]


class RescheduleRequest(BaseModel):
    """Where a session moves."""

    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime = Field(
        description="The new start, with its UTC offset; at most "
        f"{RESCHEDULE_GRACE.days} days after the program's last day."
    )
    duration_minutes: int | None = Field(default=None, ge=5, le=480)
    scope: RescheduleScope = Field(
        default=RescheduleScope.THIS,
        description="`this` session only, or it and every `following` scheduled one "
        "(moved by the same wall-clock shift in the series' time zone).",
    )


class CancelRequest(BaseModel):
    """Why a session is cancelled (defaults to the caller's request)."""

    model_config = ConfigDict(extra="forbid")

    reason: SessionCancelReason | None = Field(
        default=None,
        description="Members may give `participant_request` only; the other reasons are an "
        "admin's or the system's.",
    )


class HeldRequest(BaseModel):
    """When a session actually took place and how long it lasted."""

    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime | None = Field(
        default=None,
        description="From 30 minutes before the planned start until now; defaults to the "
        "planned start (or now, if that is still to come).",
    )
    duration_minutes: int | None = Field(
        default=None, ge=1, le=600, description="Defaults to the planned length."
    )


def person_of(caller: Principal) -> str:
    """The caller's person id, or a 403 saying why there is none."""
    if caller.person_id is None:
        raise ApiError(
            403,
            "forbidden",
            "This operation is for participants: call with your own token "
            "(and the services need AUTH_PSEUDONYM_KEY).",
        )
    return caller.person_id


def sessions_router(
    service: SessionService, caller: CallerDependency, admin: CallerDependency
) -> APIRouter:
    """Routes for sessions (members of the pair, or admins)."""
    router = APIRouter(prefix="/v1", tags=["sessions"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    async def view(session: Session) -> SessionView:
        return SessionView.of(session, await service.zones(session.participant_ids))

    async def views(sessions: list[Session]) -> SessionList:
        ids = sorted({p for session in sessions for p in session.participant_ids})
        zones = await service.zones(ids)
        return SessionList(sessions=[SessionView.of(session, zones) for session in sessions])

    @router.get("/pairs/{pair_id}/sessions", summary="A pair's (or group's) series and sessions")
    async def pair_sessions(pair_id: ResourceId, who: Caller) -> SeriesView:
        series, sessions = await service.series(pair_id, who)
        zones = await service.zones([member.participant_id for member in series.members])
        return SeriesView.of(series, sessions, zones)

    @router.get("/me/sessions", summary="The caller's sessions in every program")
    async def my_sessions(who: Caller) -> SessionList:
        return await views(await service.of_person(person_of(who)))

    @router.get(
        "/participants/{participant_id}/sessions", summary="A participant's sessions (admin)"
    )
    async def participant_sessions(participant_id: ResourceId, _: Admin) -> SessionList:
        return await views(await service.of_participant(participant_id))

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
