"""Outcome endpoints: the HRIS import of business outcomes and their erasure (admins only)."""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from feedback.domain.outcomes import EMPLOYEE_ID_PATTERN
from feedback.usecases.outcome_erasure import OutcomeErasure
from feedback.usecases.outcomes import OutcomeImport, OutcomeImportReport
from mentorship_contracts.types import OutcomeKind
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.http_errors import ApiError

_DESCRIPTION = (
    "Each row: `employee_id`, `kind` (hired, promotion, role_change, department_change, exit, "
    "performance_band), `date` (YYYY-MM-DD, not in the future), `voluntary` (true/false, "
    "required for an exit and only there) and `band` (1-5, required for a performance band "
    "and only there). Every valid row is recorded under the employee's pseudonymous person "
    "id (the employee id is not kept) and announced as `OutcomeRecorded`; the same outcome "
    "(person, kind, day) imported again changes nothing. Every other row is reported with "
    "its line and field."
)


class OutcomeRowInput(BaseModel):
    """One outcome, as a row of the CSV import."""

    model_config = ConfigDict(extra="forbid")

    employee_id: str = Field(max_length=200)
    kind: str = Field(max_length=200, examples=[OutcomeKind.PROMOTION.value])
    date: str = Field(max_length=200, examples=["2027-03-01"])
    voluntary: bool | None = None
    band: int | None = None


class OutcomeImportInput(BaseModel):
    """Outcomes to record (at most 10,000 at a time)."""

    model_config = ConfigDict(extra="forbid")

    outcomes: list[OutcomeRowInput] = Field(max_length=10_000)


class OutcomeRowError(BaseModel):
    """Why one row was not recorded: its line (CSV: 1 is the header; JSON: 1 is the first)."""

    row: int
    field: str = Field(examples=["body.date"])
    message: str


class OutcomeImportResult(BaseModel):
    """What an outcome import did."""

    rows: int
    recorded: int
    unchanged: int
    failed: int
    errors: list[OutcomeRowError]

    @classmethod
    def of(cls, report: OutcomeImportReport) -> Self:
        """The result of ``report``."""
        return cls(
            rows=report.rows,
            recorded=report.recorded,
            unchanged=report.unchanged,
            failed=len({problem.line for problem in report.errors}),
            errors=[
                OutcomeRowError(
                    row=problem.line,
                    field=f"body.{problem.field}" if problem.field else "",
                    message=problem.message,
                )
                for problem in report.errors
            ],
        )


class OutcomeErasureInput(BaseModel):
    """The employee whose outcomes to erase."""

    model_config = ConfigDict(extra="forbid")

    employee_id: str = Field(pattern=EMPLOYEE_ID_PATTERN, max_length=64, examples=["e-1042"])


class OutcomeErasureResult(BaseModel):
    """What an erasure did: 0 deleted for a repeat, or an employee with no outcome."""

    deleted: int
    erased_at: datetime


def outcomes_router(
    service: OutcomeImport,
    erasure: OutcomeErasure,
    admin: CallerDependency,
    *,
    import_max_bytes: int,
) -> APIRouter:
    """Routes of the outcome import and erasure."""
    router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.post(
        "/import",
        summary="Import business outcomes from an HRIS CSV export",
        description=f"Columns: employee_id, kind, date, voluntary, band. {_DESCRIPTION}",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        responses={409: {}, 413: {}, 422: {}},
    )
    async def import_csv(request: Request, _: Admin) -> OutcomeImportResult:
        body = await request.body()
        if len(body) > import_max_bytes:
            raise ApiError(413, "too_large", f"Imports are limited to {import_max_bytes} bytes.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, "csv_invalid", "The CSV file must be UTF-8 encoded.") from None
        return OutcomeImportResult.of(await service.import_csv(text))

    @router.post(
        "",
        summary="Record business outcomes sent as JSON",
        description=_DESCRIPTION,
        responses={409: {}},
    )
    async def record(given: OutcomeImportInput, _: Admin) -> OutcomeImportResult:
        rows = [row.model_dump(exclude_none=True) for row in given.outcomes]
        return OutcomeImportResult.of(await service.import_rows(rows))

    @router.post(
        "/erasures",
        summary="Erase every business outcome recorded about an employee",
        description=(
            "The right to erasure: deletes every outcome recorded under the employee's "
            "pseudonymous person id and announces `OutcomesErased` (person id and time) in "
            "the same transaction; analytics then drops every outcome of theirs recorded "
            "before, however often it is replayed, and keeps those a later import records. "
            "Idempotent: a repeat, or an employee with no outcome, deletes nothing "
            "(`deleted` 0) and is announced again. Without `AUTH_PSEUDONYM_KEY`, a 409 "
            "`pseudonym_key_missing`."
        ),
        responses={409: {}},
    )
    async def erase(given: OutcomeErasureInput, _: Admin) -> OutcomeErasureResult:
        erased = await erasure.erase(given.employee_id)
        return OutcomeErasureResult(deleted=erased.deleted, erased_at=erased.erased_at)

    return router
