"""HTTP API of the feedback service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from feedback.adapters.sessions import HeldSessions
from mentorship_kit.http_errors import ApiError

SessionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class FeedbackOpening(BaseModel):
    """Who may give feedback on a held session."""

    session_id: str
    pair_id: str
    participant_ids: list[str]


def feedback_router(held: HeldSessions) -> APIRouter:
    """Routes of the feedback service."""
    router = APIRouter(prefix="/v1", tags=["feedback"])

    @router.get(
        "/sessions/{session_id}/feedback-opening",
        summary="Whether feedback is open on a session, and for whom",
        responses={404: {"description": "The session was not held (or is unknown)."}},
    )
    async def feedback_opening(session_id: SessionId) -> FeedbackOpening:
        session = await held.sessions.get(session_id)
        if session is None:
            raise ApiError(404, "session_not_held", f"Session {session_id} has not been held.")
        return FeedbackOpening(
            session_id=session.session_id,
            pair_id=session.pair_id,
            participant_ids=list(session.participant_ids),
        )

    return router
