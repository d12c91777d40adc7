"""People endpoints: erasure and contact lookup (admins and the notifications service only)."""

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, StringConstraints

from mentorship_kit.auth import Authenticator, CallerDependency, Principal
from mentorship_kit.http_errors import ApiError
from registration.usecases.people import PeopleService

Reference = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]

NOTIFIER = "notifications-service"
"""Who a request made with the notifications service's credential is."""

_BEARER = HTTPBearer(
    auto_error=False,
    description="The notifications service's credential (NOTIFICATIONS_SERVICE_TOKEN), or an "
    "admin token or JWT where admins may call too.",
)


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


MAX_CONTACTS = 1000
"""Most participant ids one bulk contact lookup may name."""


class ContactsQuery(BaseModel):
    """Participants whose contacts are wanted."""

    participant_ids: Annotated[
        list[
            Annotated[
                str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)
            ]
        ],
        Field(min_length=1, max_length=MAX_CONTACTS),
    ]


class Contacts(BaseModel):
    """The contacts found, and the ids registration does not know."""

    contacts: list[Contact]
    missing: list[str]


class PersonContact(BaseModel):
    """How to reach a person by person id (events never carry this)."""

    person_id: str
    name: str
    email: str
    time_zone: str | None
    """The zone of their latest registration; null for someone who never registered."""
    active: bool
    """False once the directory deactivated them."""


class ContactReaders:
    """Who may read contact details: the notifications service's credential, and admins."""

    def __init__(self, authenticator: Authenticator, notifier_token: str | None) -> None:
        self._authenticator = authenticator
        self._notifier_token = notifier_token.encode() if notifier_token else None

    def _is_notifier(self, token: str) -> bool:
        return self._notifier_token is not None and hmac.compare_digest(
            token.encode(), self._notifier_token
        )

    def dependencies(
        self,
    ) -> tuple[Callable[..., Awaitable[str]], Callable[..., Awaitable[str]]]:
        """``(notifier, notifier_or_admin)``: each returns who is calling."""

        async def notifier(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
        ) -> str:
            if credentials is None or not credentials.credentials:
                raise ApiError(401, "unauthenticated", "Send an Authorization: Bearer <token>.")
            if not self._is_notifier(credentials.credentials):
                raise ApiError(
                    403,
                    "forbidden",
                    "Only the notifications service's credential may read a person's contact.",
                )
            return NOTIFIER

        async def notifier_or_admin(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
        ) -> str:
            token = credentials.credentials if credentials else None
            if token and self._is_notifier(token):
                return NOTIFIER
            authenticate = self._authenticator.authenticate
            principal: Principal = (
                await asyncio.to_thread(authenticate, token)
                if self._authenticator.fetches_keys
                else authenticate(token)
            )
            if not principal.is_admin:
                raise ApiError(403, "forbidden", "This operation needs the admin role.")
            return principal.actor

        return notifier, notifier_or_admin


def people_router(
    people: PeopleService, admin: CallerDependency, readers: ContactReaders
) -> APIRouter:
    """Routes for people."""
    router = APIRouter(prefix="/v1", tags=["people"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    notifier, notifier_or_admin = readers.dependencies()
    Notifier = Annotated[str, Depends(notifier)]  # noqa: N806 - a type alias
    Reader = Annotated[str, Depends(notifier_or_admin)]  # noqa: N806 - a type alias

    @router.delete(
        "/people/{employee_id}",
        summary="Erase a person (GDPR): here, and in every service through ParticipantErased",
    )
    async def erase(employee_id: Reference, _: Admin) -> Erasure:
        erased = await people.erase(employee_id)
        return Erasure(employee_id=employee_id, registrations_erased=erased)

    @router.get(
        "/participants/{participant_id}/contact",
        summary="Contact details of a participant (admins and the notifications service)",
        responses={401: {}, 403: {}, 404: {}},
    )
    async def contact(participant_id: Reference, _: Reader) -> Contact:
        registration = await people.participant(participant_id)
        return Contact(
            participant_id=participant_id,
            name=registration.name,
            email=registration.email,
            time_zone=registration.inputs.profile.time_zone,
        )

    @router.post(
        "/participants/contacts",
        summary="Contact details of many participants at once (admins and the notifications "
        "service)",
        description=(
            f"Up to {MAX_CONTACTS} participant ids; what `GET /v1/participants/{{id}}/contact` "
            "answers for each known one, and the unknown ids under `missing`. A notifier sending "
            "a batch of messages reads its recipients in one request instead of one each."
        ),
        responses={401: {}, 403: {}, 422: {}},
    )
    async def contacts(query: ContactsQuery, _: Reader) -> Contacts:
        found = await people.participants(query.participant_ids)
        known = {registration.participant_id for registration in found}
        return Contacts(
            contacts=[
                Contact(
                    participant_id=registration.participant_id,
                    name=registration.name,
                    email=registration.email,
                    time_zone=registration.inputs.profile.time_zone,
                )
                for registration in found
            ],
            missing=[pid for pid in dict.fromkeys(query.participant_ids) if pid not in known],
        )

    @router.get(
        "/people/{person_id}/contact",
        summary="Contact details of a person by person id (the notifications service only)",
        description=(
            "How the notifications service reaches someone who may not be a participant: an "
            "invitee, a program manager. The directory's name and first e-mail address, else "
            "the person's latest registration's; the zone of their latest registration. Only "
            "the notifications service's credential (`NOTIFICATIONS_SERVICE_TOKEN`) may call "
            "it: admins and participants are refused (403)."
        ),
        responses={401: {}, 403: {}, 404: {}},
    )
    async def person_contact(person_id: Reference, _: Notifier) -> PersonContact:
        found = await people.person_contact(person_id)
        return PersonContact(
            person_id=found.person_id,
            name=found.name,
            email=found.email,
            time_zone=found.time_zone,
            active=found.active,
        )

    return router
