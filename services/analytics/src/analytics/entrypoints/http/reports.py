"""Report endpoints: each report as JSON and as CSV (admins and the program's managers)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from analytics.domain.reports import (
    DEFAULT_LIST_LIMIT,
    HealthReport,
    PairingReport,
    RegistrationReport,
    ScoresReport,
    SessionsReport,
    SkillsReport,
)
from analytics.entrypoints.http.csv_export import to_csv
from analytics.usecases.rebuild import Rebuilder
from analytics.usecases.reports import ReportName, ReportService
from mentorship_kit.auth import CallerDependency, Principal

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
ListLimit = Annotated[
    int,
    Query(
        ge=0,
        le=10_000,
        description="Most items each list of the health report holds (totals count them all).",
    ),
]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class RebuildResult(BaseModel):
    """What rebuilding a program's aggregates from its documents found and corrected."""

    program_id: str
    documents: int
    documents_corrected: int
    counters_corrected: int
    entries_corrected: int
    heads_corrected: int = Field(
        default=0, description="Stored first rows of a long list that differed from the recount."
    )


def reports_router(
    service: ReportService,
    rebuilder: Rebuilder,
    manager: CallerDependency,
    admin: CallerDependency,
) -> APIRouter:
    """Routes serving the reports, and rebuilding a program's aggregates.

    ``manager``: admins and the program's managers (the reports); ``admin``: the rebuild.
    """
    router = APIRouter(prefix="/v1", tags=["reports"])
    Manager = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    base = "/programs/{program_id}/reports"

    @router.get(f"{base}/registration", summary="Registrations: roles, capacity, by day, answers")
    async def registration(program_id: ProgramId, _: Manager) -> RegistrationReport:
        return await service.registration(program_id)

    @router.get(f"{base}/pairing", summary="Pairs, match rate, scores, unmatched, endings")
    async def pairing(program_id: ProgramId, _: Manager) -> PairingReport:
        return await service.pairing(program_id)

    @router.get(f"{base}/sessions", summary="Sessions by status, over time, the funnel")
    async def sessions(program_id: ProgramId, _: Manager) -> SessionsReport:
        return await service.sessions(program_id)

    @router.get(f"{base}/scores", summary="Ratings, pairing fit, surveys (NPS)")
    async def scores(program_id: ProgramId, _: Manager) -> ScoresReport:
        return await service.scores(program_id)

    @router.get(f"{base}/skills", summary="Topics discussed most, goal completion")
    async def skills(program_id: ProgramId, _: Manager) -> SkillsReport:
        return await service.skills(program_id)

    @router.get(f"{base}/health", summary="Health flags that need attention")
    async def health(
        program_id: ProgramId, _: Manager, limit: ListLimit = DEFAULT_LIST_LIMIT
    ) -> HealthReport:
        return await service.health(program_id, limit)

    @router.get(
        f"{base}/{{name}}.csv",
        summary="A report as CSV (field,value rows)",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
    )
    async def as_csv(
        program_id: ProgramId, name: ReportName, _: Manager, limit: ListLimit = DEFAULT_LIST_LIMIT
    ) -> Response:
        body = to_csv(await service.report(program_id, name, limit))
        return Response(
            content=body,
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{program_id}-{name}.csv"'},
        )

    @router.post(
        "/programs/{program_id}/aggregates/rebuild",
        summary="Rebuild a program's counters and links from its read-model documents",
    )
    async def rebuild(program_id: ProgramId, _: Admin) -> RebuildResult:
        summary = await rebuilder.rebuild(program_id)
        return RebuildResult(
            program_id=summary.program_id,
            documents=summary.documents,
            documents_corrected=summary.documents_corrected,
            counters_corrected=summary.counters_corrected,
            entries_corrected=summary.entries_corrected,
            heads_corrected=summary.heads_corrected,
        )

    return router
