"""The pool endpoint: who waits in a program, a page at a time, and the counts by role."""

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from matching.domain.pool import PoolMember, PoolPage
from matching.usecases.pool import PoolService
from mentorship_contracts.events.participant import MatchingProfile
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.auth import CallerDependency, Principal

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class PoolMemberView(BaseModel):
    """A participant as matching sees them: role, room, and the answers it compares."""

    participant_id: str
    person_id: str
    role: ParticipantRole
    capacity: int = Field(description="Mentees the participant takes as a mentor (0: mentee).")
    department: str | None
    reporting_line: list[str] = Field(
        description="person_ids of the managers as registered, the direct manager first (runs "
        "walk every manager edge matching knows, so they may see further)."
    )
    profile: MatchingProfile
    pairs_as_mentee: int = Field(description="Active pairs with this participant as mentee.")
    pairs_as_mentor: int = Field(description="Active pairs with this participant as mentor.")
    room: int = Field(description="Mentees they may still take (capacity left).")
    waiting: bool = Field(
        description="A run could still match them: a mentee without a mentor, or a mentor "
        "with room (peer programs: not yet paired)."
    )

    @classmethod
    def of(cls, member: PoolMember) -> Self:
        """The view of ``member``."""
        person = member.participant
        return cls(
            participant_id=person.participant_id,
            person_id=person.person_id,
            role=person.role,
            capacity=person.capacity,
            department=person.department,
            reporting_line=list(person.reporting_line),
            profile=person.profile,
            pairs_as_mentee=member.pairs_as_mentee,
            pairs_as_mentor=member.pairs_as_mentor,
            room=member.room,
            waiting=member.waiting,
        )


class PoolView(BaseModel):
    """Who is in a program's pool: counts by role (all of it) and one page of people."""

    program_id: str
    mentors: int = Field(description="Participants registered as mentors.")
    mentees: int = Field(description="Participants registered as mentees.")
    both: int = Field(description="Participants registered as both.")
    participants: list[PoolMemberView] = Field(description="This page, in participant id order.")
    next_after: str | None = Field(description="Pass as `after` for the next page.")

    @classmethod
    def of(cls, page: PoolPage) -> Self:
        """The view of ``page``."""
        return cls(
            program_id=page.program_id,
            mentors=page.counts[ParticipantRole.MENTOR],
            mentees=page.counts[ParticipantRole.MENTEE],
            both=page.counts[ParticipantRole.BOTH],
            participants=[PoolMemberView.of(member) for member in page.members],
            next_after=page.next_after,
        )


def pool_router(service: PoolService, manager: CallerDependency) -> APIRouter:
    """Who waits in a program's pool (admins and the program's managers only)."""
    router = APIRouter(prefix="/v1", tags=["pool"])
    Manager = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias

    @router.get(
        "/programs/{program_id}/pool",
        summary="Participants waiting to be matched: counts by role and a page of people",
    )
    async def pool(
        program_id: ProgramId,
        _: Manager,
        role: Annotated[ParticipantRole | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[
            int,
            Query(ge=0, le=500, description="People per page; 0: the counts alone (no page)."),
        ] = 100,
    ) -> PoolView:
        page = await service.page(program_id, role=role, after=after, limit=limit)
        return PoolView.of(page)

    return router
