"""Registration endpoints: people register, update, withdraw; admins and managers import."""

from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from mentorship_contracts.types import Identifier, ParticipantRole
from mentorship_kit.auth import CallerDependency, Principal, program_manager
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.http_errors import ApiError, FieldProblem
from mentorship_kit.program_access import ManagersLookup, require_manager
from registration.domain.csv_import import RowProblem
from registration.domain.identity import Department, Email, PersonName
from registration.domain.questionnaire import AnswerValue
from registration.domain.registration import (
    Change,
    Decision,
    Registration,
    Status,
    Submission,
    normalise_department,
)
from registration.usecases.importing import ImportReport, ImportService
from registration.usecases.registering import RegistrationService

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
EmployeeRef = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        max_length=64,
        description="An employee id, or `me` for the caller.",
    ),
]
ME = "me"


class RegistrationRequest(BaseModel):
    """A registration: who registers and their answers to the program's questionnaire."""

    model_config = ConfigDict(extra="forbid")

    employee_id: Identifier | None = Field(
        default=None, description="Admins register anyone; others are registered as themselves."
    )
    name: PersonName
    email: Email
    department: Department | None = None
    manager_employee_id: Identifier | None = None
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers by question key (see the questionnaire)."
    )
    preferred_mentors: list[Identifier] = Field(
        default_factory=list, max_length=3, description="Up to three mentors, best first."
    )

    def submission(self, employee_id: str) -> Submission:
        """The domain submission of ``employee_id``."""
        return Submission(
            employee_id=employee_id,
            name=self.name,
            email=self.email,
            department=normalise_department(self.department),
            manager_employee_id=self.manager_employee_id,
            answers=self.answers,
            preferred_mentors=tuple(self.preferred_mentors),
        )


class RegistrationView(BaseModel):
    """A registration as its owner (or an admin) sees it."""

    model_config = ConfigDict(from_attributes=True)

    participant_id: str
    program_id: str
    employee_id: str
    name: str
    email: str
    department: str | None
    manager_employee_id: str | None
    status: Status
    role: ParticipantRole
    capacity: int
    answers: dict[str, AnswerValue]
    preferred_mentors: list[str]
    questionnaire_version: int
    registered_at: datetime
    updated_at: datetime
    withdrew_at: datetime | None

    @classmethod
    def of(cls, registration: Registration) -> Self:
        """The view of ``registration``."""
        return cls.model_validate(registration)


class RegistrationOutcome(RegistrationView):
    """A registration and what the request changed."""

    change: Change


class RegistrationPage(BaseModel):
    """Registrations in employee-id order; pass ``next_after`` as ``after`` for more."""

    registrations: list[RegistrationView]
    next_after: str | None


class ImportRowError(BaseModel):
    """Why one row of an import was not registered (``row`` is the file's line number).

    ``field`` names the field as a 422 of the registration API does, by its path in the
    registration request: ``body.email``, ``body.answers.<question key>``; empty when the
    row as a whole is wrong.
    """

    row: int
    field: str = Field(examples=["body.answers.capacity"])
    message: str


class ImportResult(BaseModel):
    """What an import did."""

    rows: int
    registered: int
    updated: int
    unchanged: int
    failed: int
    errors: list[ImportRowError]

    @classmethod
    def of(cls, report: ImportReport) -> Self:
        """The result of ``report``."""
        return cls(
            rows=report.rows,
            registered=report.registered,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=report.failed,
            errors=[row_error(problem) for problem in report.errors],
        )


def row_error(problem: RowProblem) -> ImportRowError:
    """A row problem as the API names it (``body.<field>``)."""
    field = f"body.{problem.field}" if problem.field else ""
    return ImportRowError(row=problem.row, field=field, message=problem.message)


async def _employee(
    reference: str, principal: Principal, program_id: str, managers_of: ManagersLookup
) -> str:
    """The employee a path names, checked against who asks.

    People act on their own registration; admins and the program's managers on anyone's.
    """
    if reference == ME:
        if principal.employee_id is None:
            raise ApiError(400, "no_employee", "The admin token names no employee; use an id.")
        return principal.employee_id
    if principal.may_act_for(reference):
        return reference
    try:
        await require_manager(principal, program_id, managers_of)
    except ForbiddenError:
        raise ApiError(403, "forbidden", "You can only act on your own registration.") from None
    return reference


async def _registrant(
    request: RegistrationRequest, principal: Principal, program_id: str, managers_of: ManagersLookup
) -> str:
    if request.employee_id is None:
        if principal.employee_id is None:
            raise ApiError(
                422,
                "validation_failed",
                "An admin registering someone must give their employee_id.",
                [FieldProblem("body.employee_id", "required when an admin registers someone")],
            )
        return principal.employee_id
    return await _employee(request.employee_id, principal, program_id, managers_of)


def _respond(decision: Decision, response: Response) -> RegistrationOutcome:
    if decision.change is not Change.REGISTERED:
        response.status_code = status.HTTP_200_OK
    view = RegistrationView.of(decision.registration)
    return RegistrationOutcome.model_validate(view.model_dump() | {"change": decision.change})


def registrations_router(
    service: RegistrationService,
    importer: ImportService,
    caller: CallerDependency,
    managers_of: ManagersLookup,
    *,
    import_max_bytes: int,
) -> APIRouter:
    """Routes for registrations (``managers_of``: the person ids of a program's managers)."""
    router = APIRouter(prefix="/v1/programs/{program_id}/registrations", tags=["registrations"])
    # Admins, and the managers of the program the path names (403 for anyone else).
    Manager = Annotated[Principal, Depends(program_manager(caller, managers_of))]  # noqa: N806
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        summary="Register (registering again updates the registration)",
        responses={
            200: {"description": "An existing registration was updated or is unchanged."},
            409: {"description": "Registration is not open."},
            422: {"description": "An answer does not fit the questionnaire."},
        },
    )
    async def register(
        program_id: ProgramId, request: RegistrationRequest, principal: Caller, response: Response
    ) -> RegistrationOutcome:
        employee_id = await _registrant(request, principal, program_id, managers_of)
        decision = await service.register(program_id, request.submission(employee_id))
        return _respond(decision, response)

    @router.get("", summary="List a program's registrations (admins and its managers)")
    async def list_registrations(
        program_id: ProgramId,
        _: Manager,
        registration_status: Annotated[Status | None, Query(alias="status")] = None,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> RegistrationPage:
        found = await service.page(program_id, registration_status, after, limit)
        return RegistrationPage(
            registrations=[RegistrationView.of(item) for item in found],
            next_after=found[-1].employee_id if len(found) == limit else None,
        )

    @router.get("/{employee_id}", summary="Read a registration", responses={404: {}})
    async def read(
        program_id: ProgramId, employee_id: EmployeeRef, principal: Caller
    ) -> RegistrationView:
        employee = await _employee(employee_id, principal, program_id, managers_of)
        registration = await service.get(program_id, employee)
        return RegistrationView.of(registration)

    @router.put(
        "/{employee_id}",
        summary="Update a registration's answers",
        responses={404: {}, 409: {}, 422: {}},
    )
    async def update(
        program_id: ProgramId,
        employee_id: EmployeeRef,
        request: RegistrationRequest,
        principal: Caller,
        response: Response,
    ) -> RegistrationOutcome:
        employee = await _employee(employee_id, principal, program_id, managers_of)
        if request.employee_id not in (None, employee):
            raise ApiError(
                422,
                "validation_failed",
                "employee_id differs from the path.",
                [FieldProblem("body.employee_id", f"differs from the path's {employee!r}")],
            )
        decision = await service.update(program_id, request.submission(employee))
        return _respond(decision, response)

    @router.post(
        "/{employee_id}/withdraw", summary="Withdraw from the program", responses={404: {}}
    )
    async def withdraw(
        program_id: ProgramId, employee_id: EmployeeRef, principal: Caller
    ) -> RegistrationView:
        employee = await _employee(employee_id, principal, program_id, managers_of)
        registration = await service.withdraw(program_id, employee)
        return RegistrationView.of(registration)

    @router.post(
        "/import",
        summary="Register everyone in an HRIS CSV export (admins and the program's managers)",
        description=(
            "Columns: employee_id, name, email (required), department, manager_employee_id, "
            "preferred_mentors, then question keys. Several choices per cell are separated "
            "by `;` or `|`. Every valid row is registered; the others are reported."
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        responses={409: {}, 413: {}, 422: {}},
    )
    async def import_csv(program_id: ProgramId, request: Request, _: Manager) -> ImportResult:
        body = await request.body()
        if len(body) > import_max_bytes:
            raise ApiError(413, "too_large", f"Imports are limited to {import_max_bytes} bytes.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, "csv_invalid", "The CSV file must be UTF-8 encoded.") from None
        return ImportResult.of(await importer.import_csv(program_id, text))

    return router
