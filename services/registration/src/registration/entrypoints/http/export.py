"""The right-of-access document: what registration holds about the caller, section by section."""

from datetime import datetime
from typing import Literal, Self

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mentorship_contracts.types import DirectorySource, ParticipantRole, Seniority
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.export_route import export_router as kit_export_router
from mentorship_kit.exports import (
    ExportSection,
    PersonalDataDocument,
    subject,
)
from registration.domain.directory import DirectoryEntry
from registration.domain.invitations import Invitation, InvitationStatus
from registration.domain.questionnaire import AnswerValue
from registration.domain.registration import Registration, Status
from registration.usecases.export import PersonalData, PersonalDataExport

_HOLDS = (
    "their directory entry, their registrations in every program (answers, picked "
    "mentors, when they registered, changed and withdrew), the invitations they "
    "were sent, the programs they manage and the pairs registration knows them in. "
    "Each section describes itself."
)
"""What the export holds, as its OpenAPI description says it."""


class ExportedDirectoryEntry(BaseModel):
    """You as the organisation's directory knows you."""

    employee_id: str
    name: str | None
    emails: list[str]
    department: str | None
    location: str | None
    title: str | None
    seniority: Seniority | None
    manager_employee_id: str | None
    active: bool
    source: DirectorySource = Field(description="Who described you last (SCIM, HRIS, you).")
    updated_at: datetime | None


class ExportedRegistration(BaseModel):
    """A registration of yours in a program, with your answers and its history."""

    participant_id: str
    program_id: str
    employee_id: str
    name: str
    email: str
    department: str | None
    manager_employee_id: str | None
    role: ParticipantRole
    capacity: int
    answers: dict[str, AnswerValue]
    preferred_mentors: list[str]
    questionnaire_version: int
    status: Status
    registered_at: datetime
    updated_at: datetime = Field(description="When you last changed the registration.")
    withdrew_at: datetime | None = Field(description="When you withdrew, if you did.")


class ExportedInvitation(BaseModel):
    """An invitation to register you were sent (or are due to be sent)."""

    invitation_id: str
    program_id: str
    department: str | None
    status: InvitationStatus
    created_at: datetime
    sent_at: datetime | None
    reminders_sent: int
    next_reminder_at: datetime | None
    registered_at: datetime | None


class ExportedManagedProgram(BaseModel):
    """A program whose managers list names you."""

    program_id: str


class ExportedPairing(BaseModel):
    """A pair the person is in, as registration learned it from matching."""

    pair_id: str
    program_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    group_id: str | None
    ended: bool


class RegistrationSections(BaseModel):
    """Every kind of record registration keeps about a person."""

    directory: ExportSection[ExportedDirectoryEntry]
    registrations: ExportSection[ExportedRegistration]
    invitations: ExportSection[ExportedInvitation]
    managed_programs: ExportSection[ExportedManagedProgram]
    pairings: ExportSection[ExportedPairing]


class RegistrationExport(PersonalDataDocument[RegistrationSections]):
    """Everything the registration service holds about the caller."""

    service: Literal["registration"] = "registration"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        return cls(
            generated_at=data.generated_at,
            subject=subject(data.person_id, (r.participant_id for r in data.registrations)),
            sections=RegistrationSections(
                directory=ExportSection(
                    description=(
                        "You as the organisation's directory knows you: name, e-mails, "
                        "department, location, title, seniority, manager, and who said so."
                    ),
                    items=[_entry(data.directory_entry)] if data.directory_entry else [],
                ),
                registrations=ExportSection(
                    description=(
                        "Your registrations in every program, active or withdrawn: your "
                        "answers to the questionnaire, the mentors you picked, when you "
                        "registered, last changed it and withdrew."
                    ),
                    items=[_registration(r) for r in data.registrations],
                ),
                invitations=ExportSection(
                    description=(
                        "The invitations to register you were sent, when, and how many "
                        "reminders followed."
                    ),
                    items=[_invitation(i) for i in data.invitations],
                ),
                managed_programs=ExportSection(
                    description="The programs you manage (their managers list names you).",
                    items=[
                        ExportedManagedProgram(program_id=program_id)
                        for program_id in data.managed_program_ids
                    ],
                ),
                pairings=ExportSection(
                    description=(
                        "The pairs you are in, as registration learned them from matching (so "
                        "that the people paired with you may read your profile while the pair "
                        "lasts): pair, program, both participant ids, group, whether it ended."
                    ),
                    items=[
                        ExportedPairing(
                            pair_id=p.pair_id,
                            program_id=p.program_id,
                            mentor_participant_id=p.mentor_participant_id,
                            mentee_participant_id=p.mentee_participant_id,
                            group_id=p.group_id,
                            ended=p.ended,
                        )
                        for p in data.pairings
                    ],
                ),
            ),
        )


def _entry(entry: DirectoryEntry) -> ExportedDirectoryEntry:
    return ExportedDirectoryEntry(
        employee_id=entry.employee_id,
        name=entry.name,
        emails=list(entry.emails),
        department=entry.department,
        location=entry.location,
        title=entry.title,
        seniority=entry.seniority,
        manager_employee_id=entry.manager_employee_id,
        active=entry.active,
        source=entry.source,
        updated_at=entry.updated_at,
    )


def _registration(registration: Registration) -> ExportedRegistration:
    return ExportedRegistration(
        participant_id=registration.participant_id,
        program_id=registration.program_id,
        employee_id=registration.employee_id,
        name=registration.name,
        email=registration.email,
        department=registration.department,
        manager_employee_id=registration.manager_employee_id,
        role=registration.role,
        capacity=registration.capacity,
        answers=registration.answers,
        preferred_mentors=list(registration.preferred_mentors),
        questionnaire_version=registration.questionnaire_version,
        status=registration.status,
        registered_at=registration.registered_at,
        updated_at=registration.updated_at,
        withdrew_at=registration.withdrew_at,
    )


def _invitation(invitation: Invitation) -> ExportedInvitation:
    return ExportedInvitation(
        invitation_id=invitation.invitation_id,
        program_id=invitation.program_id,
        department=invitation.department,
        status=invitation.status,
        created_at=invitation.created_at,
        sent_at=invitation.sent_at,
        reminders_sent=invitation.reminders_sent,
        next_reminder_at=invitation.next_reminder_at,
        registered_at=invitation.registered_at,
    )


def export_router(export: PersonalDataExport, caller: CallerDependency) -> APIRouter:
    """``GET /v1/me/export``."""

    async def export_my_data(who: Principal) -> RegistrationExport:
        return RegistrationExport.of(await export.of(who))

    return kit_export_router(
        caller,
        service="registration",
        holds=_HOLDS,
        document=RegistrationExport,
        build=export_my_data,
    )
