"""Program and questionnaire endpoints."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self, get_args

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
from mentorship_contracts.types import (
    Identifier,
    ProgramLifecycle,
    RegistrationStatus,
    UtcDatetime,
    utc_now,
)
from mentorship_kit.auth import CallerDependency, Principal, program_manager
from registration.domain.access import AccessPreview, ParticipantAccess
from registration.domain.launch import LaunchStep, StepState
from registration.domain.programs import (
    AgendaItem,
    Program,
    ProgramSettings,
    QuestionnaireVersion,
    ReadBack,
)
from registration.domain.questionnaire import QuestionKey, Questionnaire
from registration.domain.template import Template
from registration.usecases.programs import ProgramService

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class ProgramCreateRequest(ProgramSettings):
    """A new program's settings and the questionnaire template it starts from."""

    model_config = ConfigDict(extra="forbid")

    questionnaire_template: Template = Template.STANDARD
    lifecycle: Literal[ProgramLifecycle.DRAFT, ProgramLifecycle.REGISTRATION_OPEN] = Field(
        default=ProgramLifecycle.REGISTRATION_OPEN,
        description="registration_open (the default): people register within the window "
        "straight away; draft: the program is launched step by step (GET .../launch).",
    )


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


_NULLABLE = [name for name, field in ProgramSettings.model_fields.items() if _may_be_empty(field)]
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
            *(name for name in ProgramSettings.model_fields if name not in _NULLABLE),
            mode="before",
        )(_null_refused)
    },
    **{  # type: ignore[call-overload]
        name: _patch_field(field) for name, field in ProgramSettings.model_fields.items()
    },
)


class ProgramView(ProgramSettings):
    """A program with its registration status and questionnaire version."""

    program_id: str
    lifecycle: ProgramLifecycle
    registration_status: RegistrationStatus
    registration_closed_at: datetime | None
    questionnaire_version: int
    topics: ProgramTopics
    agenda: list[AgendaItem]
    cloned_from: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, program: Program) -> Self:
        """The view of ``program`` now."""
        return cls.model_validate(
            program.settings.model_dump()
            | {
                "program_id": program.program_id,
                "lifecycle": program.lifecycle,
                "agenda": list(program.agenda),
                "cloned_from": program.cloned_from,
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


class QuestionChangeView(BaseModel):
    """A question a version changed, and which of its fields."""

    key: str
    fields: list[str] = Field(description="The question's fields that changed (prompt, ...).")


class QuestionnaireVersionSummary(BaseModel):
    """One version of the questionnaire and what it changed from the one before it."""

    version: int
    created_at: datetime
    questions: int = Field(description="How many questions the version asks.")
    added: list[str] = Field(description="Keys of the questions it added (all, for version 1).")
    removed: list[str] = Field(description="Keys of the questions it removed.")
    changed: list[QuestionChangeView]
    moved: bool = Field(description="Whether the questions it kept are asked in a new order.")


class QuestionnaireVersionsView(BaseModel):
    """Every version of a program's questionnaire, newest first (read one with ?version=)."""

    program_id: str
    current_version: int
    versions: list[QuestionnaireVersionSummary]


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


class LifecycleRequest(BaseModel):
    """The state to move the program to."""

    model_config = ConfigDict(extra="forbid")

    to: ProgramLifecycle


class StepView(BaseModel):
    """One launch step."""

    step: LaunchStep
    title: str
    done: bool
    missing: list[str]


class LaunchView(BaseModel):
    """The launch checklist: every step, done or with what is missing."""

    program_id: str
    lifecycle: ProgramLifecycle
    steps: list[StepView]
    steps_left: int


class AccessPreviewView(BaseModel):
    """How many people may register."""

    eligible: int = Field(
        description="Active directory people allowed, plus invite-list "
        "people the directory does not know."
    )
    directory_active: int
    invited_outside_directory: int

    @classmethod
    def of(cls, found: AccessPreview) -> Self:
        """The view of ``found``."""
        return cls(
            eligible=found.eligible,
            directory_active=found.directory_active,
            invited_outside_directory=found.invited_outside_directory,
        )


class AgendaRequest(BaseModel):
    """The sessions' planned content."""

    model_config = ConfigDict(extra="forbid")

    agenda: list[AgendaItem] = Field(max_length=50)


class CohortRequest(BaseModel):
    """The next cohort's own name and dates; other settings may be changed too (as in PATCH)."""

    model_config = ConfigDict(extra="allow")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: date
    ends_on: date
    registration_opens_at: UtcDatetime
    registration_closes_at: UtcDatetime


class QuestionnaireImportRequest(BaseModel):
    """Which program's questionnaire to copy."""

    model_config = ConfigDict(extra="forbid")

    program_id: Identifier
    version: int | None = Field(default=None, ge=1, description="Its current one by default.")


class PoolQuestionsRequest(BaseModel):
    """Question pool keys to append to the questionnaire, in order."""

    model_config = ConfigDict(extra="forbid")

    keys: list[QuestionKey] = Field(min_length=1, max_length=100)


class TemplateRequest(BaseModel):
    """Which template to apply."""

    model_config = ConfigDict(extra="forbid")

    template: Template = Template.STANDARD


def programs_router(service: ProgramService, caller: CallerDependency) -> APIRouter:
    """Routes for programs and their questionnaires."""
    router = APIRouter(prefix="/v1/programs", tags=["programs"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    # Admins, and the managers of the program the path names (403 for anyone else).
    Manager = Annotated[  # noqa: N806 - a type alias
        Principal, Depends(program_manager(caller, service.managers_of))
    ]

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        summary="Create a program",
        description=(
            "A program starts with registration open (its window decides when people "
            'register), or as a draft (`"lifecycle": "draft"`) launched step by step: see '
            "`GET /v1/programs/{id}/launch`. Admins create programs; a caller with the "
            "program-manager role creates programs they then manage (they join `managers`)."
        ),
    )
    async def create(request: ProgramCreateRequest, principal: Caller) -> ProgramView:
        settings = ProgramSettings.model_validate(
            request.model_dump(exclude={"questionnaire_template", "lifecycle"})
        )
        program = await service.create(
            settings,
            request.questionnaire_template,
            ProgramLifecycle(request.lifecycle),
            creator=principal,
        )
        return ProgramView.of(program)

    @router.get(
        "",
        summary="List programs",
        description=(
            "Admins and participants see every program. A program manager (the "
            "program-manager role, or named in some program's `managers`) sees only the "
            "programs they manage, unless they ask for `managed=false` (every program, as a "
            "participant sees them); `managed=true` lists only the caller's own programs."
        ),
    )
    async def list_programs(
        principal: Caller,
        registration_status: Annotated[RegistrationStatus | None, Query()] = None,
        managed: Annotated[bool | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> ProgramPage:
        only = None if managed is False else await service.managed_by(principal)
        if only is not None and managed is None and not (principal.is_program_manager or only):
            only = None  # a participant who manages nothing sees every program
        programs = await service.page(registration_status, after, limit, only)
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
            "(a 422 names each setting that breaks the policy). A closed program no longer "
            "changes (409 `program_closed`)."
        ),
        responses={404: {}, 409: {"description": "The program is closed."}, 422: {}},
    )
    async def revise(program_id: ProgramId, patch: ProgramPatch, _: Manager) -> ProgramView:
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        return ProgramView.of(await service.revise(program_id, changes))

    @router.post(
        "/{program_id}/registration/close",
        summary="Close registration now",
        responses={404: {}},
    )
    async def close(program_id: ProgramId, _: Manager) -> ProgramView:
        return ProgramView.of(await service.close_registration(program_id))

    @router.post(
        "/{program_id}/lifecycle",
        summary="Move a program along its lifecycle",
        description=(
            "draft -> registration_open -> matching -> running -> closed (closed from any "
            "state before). Each move is checked: registration opens only with a role "
            "question and a window not yet over; matching closes registration; a closed "
            "program no longer changes. A refused move is a 409 whose code says why."
        ),
        responses={404: {}, 409: {}},
    )
    async def move(program_id: ProgramId, request: LifecycleRequest, _: Manager) -> ProgramView:
        return ProgramView.of(await service.transition(program_id, request.to))

    @router.get(
        "/{program_id}/launch",
        summary="The launch checklist: each step done or what it misses, and how many are left",
        responses={404: {}},
    )
    async def launch(program_id: ProgramId, _: Manager) -> LaunchView:
        return await _launch_view(program_id, await service.launch(program_id))

    @router.post(
        "/{program_id}/launch/{step}",
        summary="Mark a review step of the launch checklist done",
        description=(
            "Only the review steps (pairing_algorithm, participant_access, "
            "review_email_invites, review_pairing_process) are marked; the others are done by "
            "doing them (409 `step_not_reviewable`)."
        ),
        responses={404: {}, 409: {}},
    )
    async def mark(program_id: ProgramId, step: LaunchStep, _: Manager) -> LaunchView:
        return await _launch_view(program_id, await service.mark_reviewed(program_id, step))

    async def _launch_view(program_id: str, steps: list[StepState]) -> LaunchView:
        program = await service.get(program_id)
        return LaunchView(
            program_id=program_id,
            lifecycle=program.lifecycle,
            steps=[
                StepView(step=s.step, title=s.title, done=s.done, missing=list(s.missing))
                for s in steps
            ],
            steps_left=sum(1 for s in steps if not s.done),
        )

    @router.get("/{program_id}/access", summary="Who may register", responses={404: {}})
    async def access(program_id: ProgramId, _: Manager) -> ParticipantAccess:
        return (await service.get(program_id)).access

    @router.put(
        "/{program_id}/access",
        summary="Set who may register",
        description=(
            "`anyone` (the default), or any combination of `everyone_active` (everyone "
            "active in the directory), `rules` on directory attributes (departments, "
            "locations, seniorities, reports_to: everyone under someone; all conditions of a "
            "rule hold, any rule lets in) and an `invite_list` of employee ids. A "
            "registration from someone outside it is a 403 saying why."
        ),
        responses={404: {}, 409: {}, 422: {}},
    )
    async def set_access(
        program_id: ProgramId, request: ParticipantAccess, _: Manager
    ) -> ParticipantAccess:
        return (await service.set_access(program_id, request)).access

    @router.post(
        "/{program_id}/access/preview",
        summary="How many people may register (under the body's rules, or the program's)",
        responses={404: {}},
    )
    async def preview_access(
        program_id: ProgramId, _: Manager, request: ParticipantAccess | None = None
    ) -> AccessPreviewView:
        return AccessPreviewView.of(await service.preview_access(program_id, request))

    @router.put(
        "/{program_id}/agenda",
        summary="Plan the sessions' content",
        responses={404: {}, 409: {}},
    )
    async def set_agenda(program_id: ProgramId, request: AgendaRequest, _: Manager) -> ProgramView:
        return ProgramView.of(await service.set_agenda(program_id, request.agenda))

    @router.post(
        "/{program_id}/cohorts",
        status_code=status.HTTP_201_CREATED,
        summary="Create the program's next cohort (a draft)",
        description=(
            "Copies the questionnaire (current version), matching weights and rules, "
            "participant access and agenda; the body gives the cohort's name and dates and "
            "may change other settings."
        ),
        responses={404: {}, 422: {}},
    )
    async def next_cohort(program_id: ProgramId, request: CohortRequest, _: Manager) -> ProgramView:
        return ProgramView.of(
            await service.next_cohort(program_id, request.model_dump(exclude_unset=True))
        )

    @router.post(
        "/{program_id}/questionnaire/import",
        summary="Copy another program's questionnaire as this one's next version",
        responses={404: {}},
    )
    async def import_questionnaire(
        program_id: ProgramId, request: QuestionnaireImportRequest, _: Manager
    ) -> QuestionnaireView:
        version = await service.import_questionnaire(
            program_id, request.program_id, request.version
        )
        return _questionnaire_view(version)

    @router.post(
        "/{program_id}/questionnaire/questions",
        summary="Append questions from the question pool (a new version)",
        responses={404: {}, 422: {}},
    )
    async def add_pool_questions(
        program_id: ProgramId, request: PoolQuestionsRequest, _: Manager
    ) -> QuestionnaireView:
        return _questionnaire_view(await service.add_pool_questions(program_id, request.keys))

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

    @router.get(
        "/{program_id}/questionnaire/versions",
        summary="Every version of the questionnaire, newest first, with what each changed",
        description=(
            "Admins and the program's managers. Each version names the questions it added, "
            "removed and changed (with the fields that changed) since the version before it; "
            "read a whole version with `GET .../questionnaire?version=N`."
        ),
        responses={404: {}},
    )
    async def questionnaire_versions(
        program_id: ProgramId, _: Manager
    ) -> QuestionnaireVersionsView:
        listed = await service.questionnaire_versions(program_id)
        return QuestionnaireVersionsView(
            program_id=program_id,
            current_version=listed[0][0].version if listed else 0,
            versions=[
                QuestionnaireVersionSummary(
                    version=version.version,
                    created_at=version.created_at,
                    questions=len(version.questionnaire.questions),
                    added=list(changes.added),
                    removed=list(changes.removed),
                    changed=[
                        QuestionChangeView(key=key, fields=list(fields))
                        for key, fields in changes.changed
                    ],
                    moved=changes.moved,
                )
                for version, changes in listed
            ],
        )

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
        program_id: ProgramId, request: QuestionnaireRequest, _: Manager
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
        program_id: ProgramId, request: TemplateRequest, _: Manager
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
