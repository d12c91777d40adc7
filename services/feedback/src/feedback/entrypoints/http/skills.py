"""Skills assessment endpoints: the mentee rates themselves, their mentor rates them."""

from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from feedback.domain.skills import SkillsAssessment
from feedback.entrypoints.http.inputs import MenteeQuery
from feedback.usecases.skills import SkillsService
from mentorship_contracts.types import AssessmentMoment, RaterKind, Slug
from mentorship_kit.auth import CallerDependency, Principal

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]
Level = Annotated[int, Field(ge=1, le=5)]
RULES: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "`no_skills_chosen`: the mentee chose no skills at registration; "
        "`not_an_assessment_moment`: this rater does not rate then; `program_not_known`."
    }
}


class SkillsInput(BaseModel):
    """A level, 1 (beginner) to 5 (expert), for each skill the mentee chose to grow."""

    model_config = ConfigDict(extra="forbid")

    levels: dict[Slug, Level] = Field(
        min_length=1, max_length=20, description="Skill -> level 1-5, for every chosen skill."
    )


class AssessmentView(BaseModel):
    """A recorded assessment (the rater is not named)."""

    assessment_id: str
    program_id: str
    participant_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    levels: dict[str, int]
    assessed_at: datetime

    @classmethod
    def of(cls, assessment: SkillsAssessment) -> Self:
        """The view of a stored assessment."""
        return cls(**assessment.model_dump(exclude={"rater_key"}))


def skills_router(skills: SkillsService, caller: CallerDependency) -> APIRouter:
    """Routes of the skills assessments (participants with their own JWT)."""
    router = APIRouter(prefix="/v1", tags=["skills"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.put(
        "/programs/{program_id}/skills/self/{moment}",
        summary="A mentee rates their chosen skills (baseline or end; again: replaces)",
        responses=RULES,
    )
    async def self_assess(
        program_id: ResourceId, moment: AssessmentMoment, given: SkillsInput, who: Caller
    ) -> AssessmentView:
        return AssessmentView.of(await skills.self_assess(program_id, moment, given.levels, who))

    @router.put(
        "/pairs/{pair_id}/skills/mentor/{moment}",
        summary="The mentor rates the mentee's chosen skills (midpoint or end; again: replaces)",
        responses=RULES
        | {404: {"description": "No such pair or group."}, 403: {"description": "Not its mentor."}},
    )
    async def mentor_assess(
        pair_id: ResourceId,
        moment: AssessmentMoment,
        given: SkillsInput,
        who: Caller,
        mentee: MenteeQuery = None,
    ) -> AssessmentView:
        return AssessmentView.of(
            await skills.mentor_assess(pair_id, moment, given.levels, who, mentee)
        )

    return router
