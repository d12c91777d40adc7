"""People endpoints: erasure and contact lookup (admins and trusted services only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from mentorship_kit.auth import CallerDependency, Principal
from registration.usecases.people import PeopleService

Reference = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class Erasure(BaseModel):
    """What an erasure removed."""

    employee_id: str
    registrations_erased: int


class Contact(BaseModel):
    """How to reach a participant (events never carry this)."""

    participant_id: str
    name: str
    email: str
    time_zone: str


def people_router(people: PeopleService, admin: CallerDependency) -> APIRouter:
    """Routes for people."""
    router = APIRouter(prefix="/v1", tags=["people"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.delete(
        "/people/{employee_id}",
        summary="Erase a person (GDPR): here, and in every service through ParticipantErased",
    )
    async def erase(employee_id: Reference, _: Admin) -> Erasure:
        erased = await people.erase(employee_id)
        return Erasure(employee_id=employee_id, registrations_erased=erased)

    @router.get(
        "/participants/{participant_id}/contact",
        summary="Contact details of a participant, e.g. for a notifier",
        responses={404: {}},
    )
    async def contact(participant_id: Reference, _: Admin) -> Contact:
        registration = await people.participant(participant_id)
        return Contact(
            participant_id=participant_id,
            name=registration.name,
            email=registration.email,
            time_zone=registration.inputs.profile.time_zone,
        )

    return router
