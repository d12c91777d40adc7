"""A pair member's profile, for the people they are paired with (and admins, managers)."""

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from mentorship_kit.auth import CallerDependency, Principal
from registration.domain.partners import PartnerProfile
from registration.usecases.partners import PartnerProfiles

ParticipantId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PartnerProfileView(BaseModel):
    """Who a participant is, as the people paired with them see it."""

    participant_id: str
    program_id: str
    role: str
    name: str = Field(description="The directory's name, else the registration's.")
    title: str | None = Field(description="The directory's job title; null when unknown.")
    department: str | None = Field(
        description="The directory's department, else the one registered with; null if none."
    )
    in_directory: bool = Field(
        description="False when the directory has no entry for the person (no title then)."
    )
    skills_offered: list[str] = Field(description="Choice values of the skills they offer.")
    skills_wanted: list[str] = Field(description="Choice values of the skills they want.")
    goals_achieved: list[str]
    goals_wanted: list[str]
    interests: list[str]
    languages: list[str]

    @classmethod
    def of(cls, profile: PartnerProfile) -> Self:
        """The view of a domain profile."""
        return cls(
            participant_id=profile.participant_id,
            program_id=profile.program_id,
            role=profile.role,
            name=profile.name,
            title=profile.title,
            department=profile.department,
            in_directory=profile.in_directory,
            skills_offered=list(profile.skills_offered),
            skills_wanted=list(profile.skills_wanted),
            goals_achieved=list(profile.goals_achieved),
            goals_wanted=list(profile.goals_wanted),
            interests=list(profile.interests),
            languages=list(profile.languages),
        )


def partners_router(profiles: PartnerProfiles, caller: CallerDependency) -> APIRouter:
    """``GET /v1/participants/{participant_id}/profile``."""
    router = APIRouter(prefix="/v1", tags=["pair members"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get(
        "/participants/{participant_id}/profile",
        summary="A participant's profile, for the people paired with them",
        description=(
            "Name, title and department from the directory (the registration's name and "
            "department when the directory has no entry), role, and what they offer and want "
            "(choice values of the program's questionnaire). A participant reads the profile of "
            "the people they are paired with, only while the pair is active (registration "
            "follows matching's PairCreated and PairEnded); admins and the program's managers "
            "read any participant's. Anyone else gets 403, whether or not the participant "
            "exists; 404 when an allowed caller asks for an erased participant."
        ),
        responses={403: {}, 404: {}},
    )
    async def profile(participant_id: ParticipantId, who: Caller) -> PartnerProfileView:
        return PartnerProfileView.of(await profiles.profile(who, participant_id))

    return router
