"""Program and questionnaire endpoints."""

from datetime import datetime
from typing import Annotated, Any, Self, get_args

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from mentorship_contracts.events import ProgramTopics
from mentorship_contracts.events.program import ProgramDetails
from mentorship_contracts.types import RegistrationStatus, utc_now
from mentorship_kit.auth import CallerDependency, Principal
from registration.domain.programs import (
    Program,
    ProgramSettings,
    QuestionnaireVersion,
    ReadBack,
)
from registration.domain.questionnaire import Questionnaire
from registration.domain.template import Template
from registration.usecases.programs import ProgramService

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class ProgramCreateRequest(ProgramSettings):
    """A new program's settings and the questionnaire template it starts from."""

    model_config = ConfigDict(extra="forbid")

    questionnaire_template: Template = Template.STANDARD


def _may_be_empty(field: FieldInfo) -> bool:
    return type(None) in get_args(field.annotation)


def _left_out(schema: dict[str, Any]) -> None:
    """A left-out setting keeps its value: the document shows no default for it."""
    schema.pop("default", None)


def _patch_field(field: FieldInfo) -> tuple[Any, Any]:
    """The setting as a PATCH takes it: same type and constraints, optional, no default."""
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[(annotation, *field.metadata)]
    description = field.description or ""
    if _may_be_empty(field):
        description = f"{description} null clears it.".strip()
    return annotation, Field(
        default=None, description=description or None, json_schema_extra=_left_out
    )


def _null_refused(value: Any, info: ValidationInfo) -> Any:
    if value is None:
        raise PydanticCustomError(
            "null_refused",
            "null is accepted only by settings that may be empty; leave {field} out to keep it",
            {"field": info.field_name},
        )
    return value


_NULLABLE = [name for name, field in ProgramDetails.model_fields.items() if _may_be_empty(field)]
ProgramPatch: type[BaseModel] = create_model(
    "ProgramPatch",
    __config__=ConfigDict(extra="forbid"),
    __doc__=(
        "Settings to change: a setting left out stays as it is. null is accepted only by the "
        f"settings that may be empty ({', '.join(_NULLABLE)}), and clears them; null for any "
        "other setting is refused (422 naming it)."
    ),
    __validators__={
        "_null_refused": field_validator(
            *(name for name in ProgramDetails.model_fields if name not in _NULLABLE),
            mode="before",
        )(_null_refused)
    },
    **{  # type: ignore[call-overload]
        name: _patch_field(field) for name, field in ProgramDetails.model_fields.items()
    },
)


class ProgramView(ProgramSettings):
    """A program with its registration status and questionnaire version."""

    program_id: str
    registration_status: RegistrationStatus
    registration_closed_at: datetime | None
    questionnaire_version: int
    topics: ProgramTopics
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, program: Program) -> Self:
        """The view of ``program`` now."""
        return cls.model_validate(
            program.settings.model_dump()
            | {
                "program_id": program.program_id,
                "registration_status": program.registration_status(utc_now()),
                "registration_closed_at": program.registration_closed_at,
                "questionnaire_version": program.questionnaire_version,
                "topics": program.topics,
                "created_at": program.created_at,
                "updated_at": program.updated_at,
            }
        )


class ProgramPage(BaseModel):
    """Programs in id order; pass ``next_after`` as ``after`` for the next page."""

    programs: list[ProgramView]
    next_after: str | None


class QuestionnaireView(Questionnaire):
    """One version of a program's questionnaire."""

    program_id: str
    version: int
    created_at: datetime


class QuestionnaireRequest(Questionnaire):
    """A questionnaire to store as the next version.

    What a GET answered may be sent back as it is: the read-only fields (program_id, version,
    created_at) are accepted when they are the current version's and refused, by name, when
    not (a version other than the current one is a 409: the questionnaire changed since it
    was read). Each may be left out.
    """

    program_id: str | None = Field(default=None, description="Read-only: the program's id.")
    version: int | None = Field(
        default=None, ge=1, description="Read-only: the version this edit starts from."
    )
    created_at: datetime | None = Field(
        default=None, description="Read-only: when the version this edit starts from was made."
    )

    def questionnaire(self) -> Questionnaire:
        """The questions alone."""
        return Questionnaire(questions=self.questions)

    def read_back(self) -> ReadBack | None:
        """The read-only fields sent back, if any."""
        if (self.program_id, self.version, self.created_at) == (None, None, None):
            return None
        return ReadBack(self.program_id, self.version, self.created_at)


class TemplateRequest(BaseModel):
    """Which template to apply."""

    model_config = ConfigDict(extra="forbid")

    template: Template = Template.STANDARD


def programs_router(
    service: ProgramService, caller: CallerDependency, admin: CallerDependency
) -> APIRouter:
    """Routes for programs and their questionnaires."""
    router = APIRouter(prefix="/v1/programs", tags=["programs"])
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.post("", status_code=status.HTTP_201_CREATED, summary="Create a program")
    async def create(request: ProgramCreateRequest, _: Admin) -> ProgramView:
        settings = ProgramSettings.model_validate(
            request.model_dump(exclude={"questionnaire_template"})
        )
        return ProgramView.of(await service.create(settings, request.questionnaire_template))

    @router.get("", summary="List programs")
    async def list_programs(
        _: Caller,
        registration_status: Annotated[RegistrationStatus | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> ProgramPage:
        programs = await service.page(registration_status, after, limit)
        return ProgramPage(
            programs=[ProgramView.of(program) for program in programs],
            next_after=programs[-1].program_id if len(programs) == limit else None,
        )

    @router.get("/{program_id}", summary="Read a program", responses={404: {}})
    async def read(program_id: ProgramId, _: Caller) -> ProgramView:
        return ProgramView.of(await service.get(program_id))

    @router.patch(
        "/{program_id}",
        summary="Change a program's settings",
        description=(
            "Send only the settings to change; a setting left out stays as it is. `null` is "
            "accepted only by settings that may be empty (`max_group_size`, e.g. with "
            '`{"format": "one_on_one", "max_group_size": null}`) and clears them; `null` for any '
            "other setting is refused with a 422 naming it. The result is checked as a whole "
            "(a 422 names each setting that breaks the policy)."
        ),
        responses={404: {}, 422: {}},
    )
    async def revise(program_id: ProgramId, patch: ProgramPatch, _: Admin) -> ProgramView:
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        return ProgramView.of(await service.revise(program_id, changes))

    @router.post(
        "/{program_id}/registration/close",
        summary="Close registration now",
        responses={404: {}},
    )
    async def close(program_id: ProgramId, _: Admin) -> ProgramView:
        return ProgramView.of(await service.close_registration(program_id))

    @router.get(
        "/{program_id}/questionnaire",
        summary="Read the questionnaire (the current version unless one is named)",
        responses={404: {}},
    )
    async def questionnaire(
        program_id: ProgramId,
        _: Caller,
        version: Annotated[int | None, Query(ge=1)] = None,
    ) -> QuestionnaireView:
        return _questionnaire_view(await service.questionnaire(program_id, version))

    @router.put(
        "/{program_id}/questionnaire",
        summary="Replace the questionnaire (stored as a new version)",
        description=(
            "The body is the questions, optionally with the read-only fields of the version "
            "the edit starts from, so that what `GET` answered can be edited and sent back. "
            "Each read-only field sent must be the current version's: `program_id` and "
            "`created_at` otherwise give a 422 naming them, and a `version` other than the "
            "current one a 409 (`questionnaire_changed`: someone saved a version since)."
        ),
        responses={
            404: {},
            409: {"description": "The edit starts from a version that is no longer current."},
            422: {},
        },
    )
    async def replace(
        program_id: ProgramId, request: QuestionnaireRequest, _: Admin
    ) -> QuestionnaireView:
        version = await service.replace_questionnaire(
            program_id, request.questionnaire(), request.read_back()
        )
        return _questionnaire_view(version)

    @router.post(
        "/{program_id}/questionnaire/template",
        summary="Apply a template as the questionnaire's new version",
        responses={404: {}},
    )
    async def apply_template(
        program_id: ProgramId, request: TemplateRequest, _: Admin
    ) -> QuestionnaireView:
        return _questionnaire_view(await service.apply_template(program_id, request.template))

    return router


def _questionnaire_view(version: QuestionnaireVersion) -> QuestionnaireView:
    return QuestionnaireView(
        program_id=version.program_id,
        version=version.version,
        created_at=version.created_at,
        questions=version.questionnaire.questions,
    )
