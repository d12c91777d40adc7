"""Invitation endpoints: invite eligible people, list invitations, reach an invitee."""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel

from mentorship_kit.auth import CallerDependency, Principal, program_manager
from mentorship_kit.program_access import ManagersLookup
from registration.domain.invitations import (
    Invitation,
    InvitationOutcome,
    InvitationPlan,
    InvitationStatus,
)
from registration.usecases.invitations import InvitationService
from registration.usecases.people import PeopleService

Reference = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class InvitationView(BaseModel):
    """One invitation."""

    invitation_id: str
    program_id: str
    employee_id: str
    status: InvitationStatus
    sent_at: datetime | None
    reminders_sent: int
    next_reminder_at: datetime | None
    registered_at: datetime | None

    @classmethod
    def of(cls, invitation: Invitation) -> Self:
        """The view of ``invitation``."""
        return cls(
            invitation_id=invitation.invitation_id,
            program_id=invitation.program_id,
            employee_id=invitation.employee_id,
            status=invitation.status,
            sent_at=invitation.sent_at,
            reminders_sent=invitation.reminders_sent,
            next_reminder_at=invitation.next_reminder_at,
            registered_at=invitation.registered_at,
        )


class NotEligible(BaseModel):
    """Someone who was not invited, and why."""

    employee_id: str
    reason: str


class InvitationResult(BaseModel):
    """What an invitation request did."""

    invited: int
    sent: int
    pending: int
    already_invited: list[str]
    already_registered: list[str]
    not_eligible: list[NotEligible]

    @classmethod
    def of(cls, outcome: InvitationOutcome) -> Self:
        """The result of ``outcome``."""
        sent = sum(1 for item in outcome.invited if item.status is InvitationStatus.SENT)
        return cls(
            invited=len(outcome.invited),
            sent=sent,
            pending=len(outcome.invited) - sent,
            already_invited=list(outcome.already_invited),
            already_registered=list(outcome.already_registered),
            not_eligible=[
                NotEligible(employee_id=employee, reason=reason)
                for employee, reason in outcome.not_eligible
            ],
        )


class InvitationPage(BaseModel):
    """Invitations in employee-id order; pass ``next_after`` as ``after`` for more."""

    invitations: list[InvitationView]
    next_after: str | None


class InviteeContact(BaseModel):
    """How to reach an invited person (events never carry this)."""

    invitation_id: str
    name: str | None
    email: str | None


def invitations_router(
    service: InvitationService,
    people: PeopleService,
    caller: CallerDependency,
    admin: CallerDependency,
    managers_of: ManagersLookup,
) -> APIRouter:
    """Routes for invitations (a program's: its managers too; contacts: admins only)."""
    router = APIRouter(prefix="/v1", tags=["invitations"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    Manager = Annotated[Principal, Depends(program_manager(caller, managers_of))]  # noqa: N806

    @router.post(
        "/programs/{program_id}/invitations",
        status_code=status.HTTP_201_CREATED,
        summary="Invite the eligible people (or a chosen subset) to register",
        description=(
            "Each person is invited once; registered people are not. Invitations go out at "
            "once when registration is open, or when it opens (InvitationSent). People who "
            "have not registered `remind_after_days` later are reminded, up to "
            "`max_reminders` times (InvitationReminderSent), until they register or "
            "registration closes."
        ),
        responses={404: {}, 409: {}},
    )
    async def invite(program_id: Reference, plan: InvitationPlan, _: Manager) -> InvitationResult:
        return InvitationResult.of(await service.invite(program_id, plan))

    @router.get("/programs/{program_id}/invitations", summary="A program's invitations")
    async def list_invitations(
        program_id: Reference,
        _: Manager,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> InvitationPage:
        found = await service.page(program_id, after, limit)
        return InvitationPage(
            invitations=[InvitationView.of(item) for item in found],
            next_after=found[-1].employee_id if len(found) == limit else None,
        )

    @router.get(
        "/invitations/{invitation_id}/contact",
        summary="How to reach an invited person, e.g. for a notifier",
        responses={404: {}},
    )
    async def contact(invitation_id: Reference, _: Admin) -> InviteeContact:
        invitation = await service.get(invitation_id)
        entry = await people.invitee(invitation.employee_id)
        return InviteeContact(
            invitation_id=invitation_id,
            name=entry.name,
            email=entry.emails[0] if entry.emails else None,
        )

    return router
