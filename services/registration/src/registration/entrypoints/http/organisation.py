"""The organisation's shared settings: the standard template's lists and the question pool."""

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.http_errors import ApiError
from registration.domain.question_pool import PoolQuestion, PoolSource
from registration.domain.questionnaire import Choice, Question
from registration.domain.template import MAX_LIST_CHOICES, ChoiceList, OrganisationChoices
from registration.usecases.organisation import OrganisationService

QuestionKeyPath = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class ChoicesView(BaseModel):
    """The lists the standard template offers (locations are offices; remote is always first)."""

    locations: list[Choice]
    time_zones: list[Choice]
    languages: list[Choice]

    @classmethod
    def of(cls, lists: OrganisationChoices) -> Self:
        """The view of ``lists``."""
        return cls(
            locations=list(lists.locations),
            time_zones=list(lists.time_zones),
            languages=list(lists.languages),
        )


class ChoicesRequest(BaseModel):
    """A list's new choices, in the order the questionnaire shows them."""

    model_config = ConfigDict(extra="forbid")

    choices: list[Choice] = Field(min_length=1, max_length=MAX_LIST_CHOICES)


class PoolQuestionView(BaseModel):
    """A question of the pool and where it comes from."""

    source: PoolSource
    question: Question

    @classmethod
    def of(cls, item: PoolQuestion) -> Self:
        """The view of ``item``."""
        return cls(source=item.source, question=item.question)


def organisation_router(
    service: OrganisationService, admin: CallerDependency, any_manager: CallerDependency
) -> APIRouter:
    """Routes for the organisation's lists and question pool.

    Admins change them; program managers read them (to build their questionnaires).
    """
    router = APIRouter(prefix="/v1", tags=["organisation"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    AnyManager = Annotated[Principal, Depends(any_manager)]  # noqa: N806 - a type alias

    @router.get("/organisation/choices", summary="The template's offices, time zones, languages")
    async def choices(_: AnyManager) -> ChoicesView:
        return ChoicesView.of(await service.choices())

    @router.put(
        "/organisation/choices/{name}",
        summary="Replace one of the template's lists (offices, time zones or languages)",
        description=(
            "Programs created, and templates applied, from then on offer the new list; "
            "existing questionnaires keep theirs. Location keys are lower-case slugs (remote "
            "is always offered), time zones IANA names, languages ISO 639 codes."
        ),
        responses={422: {}},
    )
    async def set_list(name: ChoiceList, request: ChoicesRequest, _: Admin) -> ChoicesView:
        return ChoicesView.of(await service.set_list(name, request.choices))

    @router.get("/question-pool", summary="The standard questions and the organisation's own")
    async def question_pool(_: AnyManager) -> list[PoolQuestionView]:
        return [PoolQuestionView.of(item) for item in await service.pool()]

    @router.put(
        "/question-pool/{key}",
        summary="Add or replace a custom question of the pool",
        responses={422: {}},
    )
    async def save_question(key: QuestionKeyPath, question: Question, _: Admin) -> Question:
        if question.key != key:
            raise ApiError(422, "validation_failed", "body.key: differs from the path.")
        return await service.save_question(question)

    @router.delete(
        "/question-pool/{key}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Remove a custom question (questionnaires that ask it keep it)",
        responses={404: {}},
    )
    async def delete_question(key: QuestionKeyPath, _: Admin) -> None:
        await service.delete_question(key)

    return router
