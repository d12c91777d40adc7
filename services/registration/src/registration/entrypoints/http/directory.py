"""Directory endpoints: the HRIS import and reading who the directory knows (admins)."""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from mentorship_contracts.types import DirectorySource, Seniority
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.http_errors import ApiError
from registration.domain.directory import DirectoryEntry
from registration.entrypoints.http.registrations import ImportRowError, row_error
from registration.usecases.directory import DirectoryImportReport, DirectoryService

EmployeeId = Annotated[str, Path(max_length=256)]


class PersonView(BaseModel):
    """A person as the directory knows them."""

    employee_id: str
    person_id: str
    name: str | None
    emails: list[str]
    department: str | None
    location: str | None
    title: str | None
    seniority: Seniority | None
    manager_employee_id: str | None
    active: bool
    source: DirectorySource
    updated_at: datetime | None

    @classmethod
    def of(cls, entry: DirectoryEntry) -> Self:
        """The view of ``entry``."""
        return cls(
            employee_id=entry.employee_id,
            person_id=entry.person_id,
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


class PeoplePage(BaseModel):
    """People in employee-id order; pass ``next_after`` as ``after`` for more."""

    people: list[PersonView]
    next_after: str | None


class DirectoryImportResult(BaseModel):
    """What a directory import did."""

    rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    failed: int
    errors: list[ImportRowError]

    @classmethod
    def of(cls, report: DirectoryImportReport) -> Self:
        """The result of ``report``."""
        return cls(
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            deactivated=report.deactivated,
            failed=report.failed,
            errors=[row_error(problem) for problem in report.errors],
        )


def directory_router(
    service: DirectoryService, admin: CallerDependency, *, import_max_bytes: int
) -> APIRouter:
    """Routes for the directory."""
    router = APIRouter(prefix="/v1/directory", tags=["directory"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.post(
        "/import",
        summary="Import the organisation's people from an HRIS CSV export",
        description=(
            "Columns: employee_id (required), name, email, department, location, title, "
            "seniority, manager_employee_id, active. Each valid row creates or updates the "
            "person; an `active` of false deactivates them, which withdraws them from every "
            "open program (left_organisation). Bad rows are reported with their line and "
            "field."
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        responses={413: {}, 422: {}},
    )
    async def import_people(request: Request, _: Admin) -> DirectoryImportResult:
        body = await request.body()
        if len(body) > import_max_bytes:
            raise ApiError(413, "too_large", f"Imports are limited to {import_max_bytes} bytes.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, "csv_invalid", "The CSV file must be UTF-8 encoded.") from None
        return DirectoryImportResult.of(await service.import_csv(text))

    @router.get("/people", summary="The directory's people")
    async def people(
        _: Admin,
        active: Annotated[bool | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=256)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> PeoplePage:
        found = await service.page(after=after, limit=limit, active=active)
        return PeoplePage(
            people=[PersonView.of(entry) for entry in found],
            next_after=found[-1].employee_id if len(found) == limit else None,
        )

    @router.get("/people/{employee_id}", summary="One person", responses={404: {}})
    async def person(employee_id: EmployeeId, _: Admin) -> PersonView:
        entry = await service.entry(employee_id)
        if entry is None:
            raise ApiError(
                404, "person_not_found", f"The directory does not know employee {employee_id}."
            )
        return PersonView.of(entry)

    return router
