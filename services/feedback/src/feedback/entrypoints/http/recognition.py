"""Mentor recognition endpoints (admins, acting for a manager or applying a program rule)."""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from feedback.domain.recognition import Recognition, RecognitionRule
from feedback.usecases.recognition import RecognitionService
from mentorship_contracts.types import RecognitionSource
from mentorship_kit.auth import CallerDependency, Principal

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]


class RecognitionView(BaseModel):
    """A mentor's recognition."""

    recognition_id: str
    program_id: str
    participant_id: str
    source: RecognitionSource
    sessions_held: int
    average_rating: float | None
    recognized_at: datetime

    @classmethod
    def of(cls, recognition: Recognition) -> Self:
        """The view of ``recognition``."""
        return cls.model_validate(recognition.model_dump())


class RecognitionList(BaseModel):
    """Recognitions."""

    recognitions: list[RecognitionView]


class ManagerRecognitionInput(BaseModel):
    """The mentor a manager recognises."""

    model_config = ConfigDict(extra="forbid")

    mentor_participant_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)


class RuleInput(BaseModel):
    """A program rule: at least so many held sessions, at least this average mentee rating."""

    model_config = ConfigDict(extra="forbid")

    min_sessions: int = Field(ge=1, le=1000, examples=[6])
    min_average_rating: float = Field(ge=1, le=5, examples=[4.5])


def recognition_router(service: RecognitionService, admin: CallerDependency) -> APIRouter:
    """Routes of mentor recognition."""
    router = APIRouter(prefix="/v1/programs/{program_id}/recognitions", tags=["recognition"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.get("", summary="The program's mentor recognitions")
    async def recognitions(program_id: ProgramId, _: Admin) -> RecognitionList:
        found = await service.of_program(program_id)
        return RecognitionList(recognitions=[RecognitionView.of(r) for r in found])

    @router.post(
        "",
        summary="Recognise a mentor (a manager's recognition, given through an admin)",
        responses={404: {}},
    )
    async def by_manager(
        program_id: ProgramId, given: ManagerRecognitionInput, _: Admin
    ) -> RecognitionView:
        return RecognitionView.of(await service.by_manager(program_id, given.mentor_participant_id))

    @router.post(
        "/by-rule",
        summary="Recognise every mentor meeting a rule (held sessions, mentees' average rating)",
    )
    async def by_rule(program_id: ProgramId, given: RuleInput, _: Admin) -> RecognitionList:
        found = await service.by_rule(
            program_id, RecognitionRule(given.min_sessions, given.min_average_rating)
        )
        return RecognitionList(recognitions=[RecognitionView.of(r) for r in found])

    return router
