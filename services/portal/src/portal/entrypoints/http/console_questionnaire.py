"""The console's questionnaire editor: routes under ``/console/programs/{id}/questionnaire``.

Questions from the organisation's pool or written (every kind registration supports, with
its matching meaning and branching), edited in place, removed; the participant's form as a
preview (the very template the register page uses); every version and what it changed.
Each form carries the version it was read at: a save over a newer version is refused
with a message and the current questionnaire shown again.
"""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import NotFoundError, RuleError
from portal.domain.console import (
    MEANING_FEEDS,
    MEANINGS,
    QUESTION_FIELDS,
    QUESTION_KINDS,
    question_form,
)
from portal.entrypoints.http.pages import (
    Pages,
    checked_form,
    flash,
    question_helpers,
    require_caller,
    see_other,
)
from portal.entrypoints.http.refusals import field_errors, refusal_lines
from portal.usecases.console import SettingsRefused
from portal.usecases.participant import Caller
from portal.usecases.questionnaire_editor import QuestionnaireEditor


def _version_of(form: FormData) -> int | None:
    raw = str(form.get("version", ""))
    return int(raw) if raw.isdigit() else None


def build_questionnaire_router(  # noqa: PLR0915 - one function per route, closed over the wiring
    editor: QuestionnaireEditor, pages: Pages
) -> APIRouter:
    """Every page and form of the questionnaire editor."""
    router = APIRouter(prefix="/console/programs/{program_id}", include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    def editor_form(request: Request, template: str, status_code: int, **context: Any) -> Response:
        return pages.render(
            request,
            template,
            status_code,
            kinds=QUESTION_KINDS,
            meanings=MEANINGS,
            feeds=MEANING_FEEDS,
            section="questionnaire",
            **context,
        )

    async def editor_page(
        request: Request,
        caller: Caller,
        program_id: str,
        *,
        values: dict[str, str] | None = None,
        shown_if: list[str] | None = None,
        errors: Mapping[str, str | list[str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        """The editor; ``errors`` by field (the pool's may be a list: one per key refused)."""
        page = await editor.page(caller, program_id)
        return editor_form(
            request,
            "console/questionnaire.html",
            status_code,
            program=page.program,
            questionnaire=page.questionnaire,
            pool=page.pool,
            pool_available=page.pool_available,
            values=values or {"kind": "single_choice"},
            shown_if=shown_if or [],
            errors=errors or {},
        )

    def refused_save(request: Request, program_id: str, refused: RuleError) -> Response:
        """A save refused by a rule: someone saved a version since (or another rule)."""
        translator = pages.translator(request)
        if refused.code == "questionnaire_changed":
            flash(
                request,
                translator.gettext(
                    "Someone saved a new version since you opened the page: nothing was "
                    "changed. Here is the current questionnaire; make your change again."
                ),
            )
        else:
            flash(request, refusal_lines(pages.translator(request), refused))
        return see_other(f"/console/programs/{program_id}/questionnaire")

    def saved(request: Request, program_id: str, message: str) -> Response:
        flash(request, message)
        return see_other(f"/console/programs/{program_id}/questionnaire")

    @router.get("/questionnaire")
    async def questionnaire(request: Request, program_id: str, caller: CallerDep) -> Response:
        return await editor_page(request, caller, program_id)

    @router.post("/questionnaire/questions")
    async def add_question(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values = {name: str(form.get(name, "")) for name in QUESTION_FIELDS}
        shown_if = [str(v) for v in form.getlist("show_if")]
        try:
            version = await editor.add_question(
                caller, program_id, values, shown_if, version=_version_of(form)
            )
        except SettingsRefused as refused:
            return await editor_page(
                request,
                caller,
                program_id,
                values=values,
                shown_if=shown_if,
                errors=field_errors(pages.translator(request), refused.by_field),
                status_code=422,
            )
        except RuleError as refused:
            return refused_save(request, program_id, refused)
        return saved(
            request,
            program_id,
            pages.translator(request).gettext(
                "The question is added (version %(version)s).", version=version
            ),
        )

    @router.post("/questionnaire/pool")
    async def add_from_pool(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        keys = [str(v) for v in form.getlist("pool_key")]
        try:
            version = await editor.add_from_pool(caller, program_id, keys)
        except SettingsRefused as refused:
            lines = refusal_lines(pages.translator(request), refused)  # one per key, never none
            return await editor_page(
                request,
                caller,
                program_id,
                errors={"pool": lines[0] if len(lines) == 1 else lines},
                status_code=422,
            )
        except RuleError as refused:
            return refused_save(request, program_id, refused)
        return saved(
            request,
            program_id,
            pages.translator(request).gettext(
                "The questions of the pool are added (version %(version)s).", version=version
            ),
        )

    @router.get("/questionnaire/questions/{key}")
    async def edit_form(request: Request, program_id: str, key: str, caller: CallerDep) -> Response:
        program, current, question = await editor.question(caller, program_id, key)
        values, shown_if = question_form(question)
        return editor_form(
            request,
            "console/question_edit.html",
            200,
            program=program,
            questionnaire=current,
            question=question,
            values=values,
            shown_if=shown_if,
            errors={},
        )

    @router.post("/questionnaire/questions/{key}")
    async def edit_question(
        request: Request, program_id: str, key: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values = {name: str(form.get(name, "")) for name in QUESTION_FIELDS}
        shown_if = [str(v) for v in form.getlist("show_if")]
        try:
            version = await editor.edit_question(
                caller, program_id, key, values, shown_if, version=_version_of(form)
            )
        except SettingsRefused as refused:
            program, current, question = await editor.question(caller, program_id, key)
            return editor_form(
                request,
                "console/question_edit.html",
                422,
                program=program,
                questionnaire=current,
                question=question,
                values=values,
                shown_if=shown_if,
                errors=field_errors(pages.translator(request), refused.by_field),
            )
        except RuleError as refused:
            return refused_save(request, program_id, refused)
        return saved(
            request,
            program_id,
            pages.translator(request).gettext(
                "The question is saved (version %(version)s).", version=version
            ),
        )

    @router.post("/questionnaire/questions/{key}/remove")
    async def remove_question(
        request: Request, program_id: str, key: str, caller: CallerDep, form: FormDep
    ) -> Response:
        try:
            version = await editor.remove_question(
                caller, program_id, key, version=_version_of(form)
            )
        except SettingsRefused as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/questionnaire")
        except RuleError as refused:
            return refused_save(request, program_id, refused)
        return saved(
            request,
            program_id,
            pages.translator(request).gettext(
                "The question is removed (version %(version)s).", version=version
            ),
        )

    async def version_page(
        request: Request, caller: Caller, program_id: str, number: int | None
    ) -> Response:
        page = await editor.version(caller, program_id, number)
        return pages.render(
            request,
            "console/questionnaire_version.html",
            program=page.program,
            version=page.version,
            before=page.before,
            summary=page.summary,
            questions=page.form.questions,
            answers={},
            errors={},
            feeds=MEANING_FEEDS,
            current=number is None,
            section="questionnaire",
            **question_helpers(page.form, pages.translator(request)),
        )

    @router.get("/questionnaire/preview")
    async def preview(request: Request, program_id: str, caller: CallerDep) -> Response:
        return await version_page(request, caller, program_id, None)

    @router.get("/questionnaire/versions")
    async def versions(request: Request, program_id: str, caller: CallerDep) -> Response:
        program, listed = await editor.versions(caller, program_id)
        return pages.render(
            request,
            "console/questionnaire_versions.html",
            program=program,
            listed=listed,
            section="questionnaire",
        )

    @router.get("/questionnaire/versions/{number}")
    async def version(
        request: Request, program_id: str, number: int, caller: CallerDep
    ) -> Response:
        if number < 1:
            raise NotFoundError("no such version")
        return await version_page(request, caller, program_id, number)

    return router
