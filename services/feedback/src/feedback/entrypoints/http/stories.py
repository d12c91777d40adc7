"""Impact story endpoints: participants write, a manager (admin) approves, approved are listed."""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from feedback.domain.stories import Story
from feedback.usecases.stories import StoryService
from mentorship_kit.auth import CallerDependency, Principal

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class StoryInput(BaseModel):
    """An impact story, and the author's consent to publish it."""

    model_config = ConfigDict(extra="forbid")

    title: Line
    text: Text
    consent_to_publish: bool = Field(description="Required: a story is shared only with consent.")


class StoryView(BaseModel):
    """An impact story."""

    story_id: str
    program_id: str
    participant_id: str
    title: str
    text: str
    consent_to_publish: bool
    approved: bool
    written_at: datetime
    approved_at: datetime | None

    @classmethod
    def of(cls, story: Story) -> Self:
        """The view of ``story``."""
        return cls.model_validate(story.model_dump())


class StoryList(BaseModel):
    """Stories."""

    stories: list[StoryView]


def stories_router(
    service: StoryService, caller: CallerDependency, admin: CallerDependency
) -> APIRouter:
    """Routes of impact stories."""
    router = APIRouter(prefix="/v1", tags=["stories"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.post(
        "/programs/{program_id}/stories",
        status_code=201,
        summary="Write an impact story (a participant, with consent to publish)",
    )
    async def write(program_id: ResourceId, given: StoryInput, who: Caller) -> StoryView:
        story = await service.write(
            program_id, given.title, given.text, given.consent_to_publish, who
        )
        return StoryView.of(story)

    @router.get("/programs/{program_id}/stories", summary="The program's approved stories")
    async def approved(
        program_id: ResourceId,
        who: Caller,
        pending: Annotated[bool, Query(description="Admins: those awaiting approval too.")] = False,
    ) -> StoryList:
        stories = await service.of_program(program_id, approved_only=not (pending and who.is_admin))
        return StoryList(stories=[StoryView.of(s) for s in stories])

    @router.get(
        "/me/stories",
        summary="Your own impact stories, in every program",
        description=(
            "The stories the caller wrote, newest first, whatever their state: awaiting "
            "approval, approved, or with consent withdrawn. Only with a participant's own "
            "token: the admin token names nobody (403)."
        ),
        responses={403: {"description": "The token names no participant (the admin token)."}},
    )
    async def mine(who: Caller) -> StoryList:
        return StoryList(stories=[StoryView.of(s) for s in await service.mine(who)])

    @router.post(
        "/stories/{story_id}/approve",
        summary="Approve a story for publishing (a manager, through an admin)",
        responses={404: {}, 409: {}},
    )
    async def approve(story_id: ResourceId, _: Admin) -> StoryView:
        return StoryView.of(await service.approve(story_id))

    @router.post(
        "/stories/{story_id}/withdraw-consent",
        summary="Withdraw consent to publish your story",
        responses={404: {}},
    )
    async def withdraw(story_id: ResourceId, who: Caller) -> StoryView:
        return StoryView.of(await service.withdraw(story_id, who))

    return router
