"""The outcomes report's endpoints, as JSON and as CSV (program managers only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from analytics.domain.mentor_impact import (
    CURSOR_PATTERN,
    DEFAULT_PAGE,
    MAX_PAGE,
    MentorImpactReport,
)
from analytics.domain.outcome_report import OutcomesReport
from analytics.domain.skills_growth import SkillsGrowthReport
from analytics.entrypoints.http.csv_export import list_csv, to_csv
from analytics.entrypoints.http.reports import CSV_MEDIA_TYPE, ProgramId
from analytics.usecases.outcomes import OutcomeReports
from analytics.usecases.skills_growth import SkillsGrowthReports
from mentorship_kit.auth import CallerDependency, Principal


def outcomes_router(service: OutcomeReports, manager: CallerDependency) -> APIRouter:
    """The outcomes report's routes (``manager``: admins and the program's managers).

    Mounted before the generic ``{name}.csv`` route, which would take ``outcomes.csv``.
    """
    router = APIRouter(prefix="/v1", tags=["reports"])
    Manager = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias
    path = "/programs/{program_id}/reports/outcomes"

    @router.get(
        path,
        summary="Business outcomes of participants against a comparison group",
        description=(
            "Promotion, internal move and retention rates of the program's mentees and, "
            "separately, its mentors, against non-participants of the same department, "
            "seniority and tenure band over the program's period: the difference with its 95% "
            "interval, the groups' sizes and warnings. Groups of fewer than five people are "
            "never shown."
        ),
    )
    async def outcomes(program_id: ProgramId, _: Manager) -> OutcomesReport:
        return await service.outcomes(program_id)

    @router.get(
        f"{path}.csv",
        summary="The outcomes report as CSV (field,value rows)",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
    )
    async def outcomes_csv(program_id: ProgramId, _: Manager) -> Response:
        return Response(
            content=to_csv(await service.outcomes(program_id)),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{program_id}-outcomes.csv"'},
        )

    @router.get(
        "/programs/{program_id}/reports/mentors",
        summary="Each mentor's impact: mentees, sessions, hours, rating, mentees' goals and growth",
        description=(
            "A page of the program's mentors, most sessions held first (then by participant "
            "id). `next_cursor`, passed as `cursor`, gives the next page; it is null on the "
            "last. An average rating of fewer than five distinct mentees, and a skills growth "
            "of fewer than five mentees, are never shown (`average_rating_hidden`, "
            "`skills_growth_hidden`)."
        ),
    )
    async def mentors(
        program_id: ProgramId,
        _: Manager,
        limit: Annotated[
            int, Query(ge=1, le=MAX_PAGE, description="Mentors per page.")
        ] = DEFAULT_PAGE,
        cursor: Annotated[
            str | None,
            Query(
                max_length=512,
                pattern=CURSOR_PATTERN,
                description=(
                    "The `next_cursor` of the page before, as it was given (another is a 422 "
                    "naming `cursor`)."
                ),
            ),
        ] = None,
    ) -> MentorImpactReport:
        return await service.mentor_impact(program_id, cursor=cursor, limit=limit)

    @router.get(
        "/programs/{program_id}/reports/mentors.csv",
        summary="The mentor impact view as CSV (field,value rows), every mentor",
        description="Streamed a page of mentors at a time; rows as the JSON's, unpaged.",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}}},
    )
    async def mentors_csv(program_id: ProgramId, _: Manager) -> StreamingResponse:
        return StreamingResponse(
            list_csv({"program_id": program_id}, "mentors", service.every_mentor(program_id)),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{program_id}-mentors.csv"'},
        )

    return router


def skills_growth_router(service: SkillsGrowthReports, manager: CallerDependency) -> APIRouter:
    """The skills growth report's routes (admins and the program's managers).

    Mounted before the generic ``{name}.csv`` route, which would take ``skills-growth.csv``.
    """
    router = APIRouter(prefix="/v1", tags=["reports"])
    Admin = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias
    path = "/programs/{program_id}/reports/skills-growth"

    @router.get(
        path,
        summary="Skills growth: the change from baseline to end per skill and rater kind",
        description=(
            "Per skill and rater kind (self, mentor, manager, peers' average), the mean change "
            "from the first rating (the mentor's: the midpoint) to the end over the mentees "
            "rated at both, with its 95% t interval; and the share of mentees whose self and "
            "mentor ratings both rose, with its Wilson interval. Groups of fewer than five "
            "mentees are never shown."
        ),
    )
    async def growth(program_id: ProgramId, _: Admin) -> SkillsGrowthReport:
        return await service.growth(program_id)

    @router.get(
        f"{path}.csv",
        summary="The skills growth report as CSV (field,value rows)",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
    )
    async def growth_csv(program_id: ProgramId, _: Admin) -> Response:
        return Response(
            content=to_csv(await service.growth(program_id)),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{program_id}-skills-growth.csv"'
            },
        )

    return router
