"""HTTP API of the registration service."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import Identifier, ParticipantRole, Slug
from registration.handlers.registering import Register, RegistrationService

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class RegistrationRequest(BaseModel):
    """A person's registration for a program."""

    model_config = ConfigDict(extra="forbid")

    employee_id: Identifier
    role: ParticipantRole
    capacity: int | None = Field(
        default=None,
        ge=0,
        le=50,
        description="Mentees a mentor takes on (default 1); omit it for mentees.",
    )
    department: Slug | None = None
    manager_employee_id: Identifier | None = None
    profile: MatchingProfile = MatchingProfile()

    @model_validator(mode="after")
    def _capacity_fits_role(self) -> Self:
        if self.role is ParticipantRole.MENTEE:
            if self.capacity:
                msg = "capacity applies to mentors only; omit it for a mentee"
                raise ValueError(msg)
        elif self.capacity == 0:
            msg = "a mentor's capacity must be at least 1"
            raise ValueError(msg)
        return self

    @property
    def stored_capacity(self) -> int:
        """The capacity to store: 0 for mentees, 1 when a mentor gave none."""
        if self.role is ParticipantRole.MENTEE:
            return 0
        return self.capacity or 1


class RegistrationResponse(BaseModel):
    """The stored registration's ids."""

    participant_id: str
    person_id: str
    program_id: str
    created: bool


def registration_router(service: RegistrationService) -> APIRouter:
    """Routes for registering participants."""
    router = APIRouter(prefix="/v1", tags=["participants"])

    @router.post(
        "/programs/{program_id}/participants",
        status_code=status.HTTP_201_CREATED,
        summary="Register a participant (again: update the registration)",
        responses={200: {"description": "An existing registration was updated."}},
    )
    async def register(
        program_id: ProgramId, request: RegistrationRequest, response: Response
    ) -> RegistrationResponse:
        outcome = await service.register(
            Register(
                program_id=program_id,
                employee_id=request.employee_id,
                role=request.role,
                capacity=request.stored_capacity,
                department=request.department,
                manager_employee_id=request.manager_employee_id,
                profile=request.profile,
            )
        )
        if not outcome.created:
            response.status_code = status.HTTP_200_OK
        registration = outcome.registration
        return RegistrationResponse(
            participant_id=registration.participant_id,
            person_id=registration.person_id,
            program_id=registration.program_id,
            created=outcome.created,
        )

    return router
