"""The console's operations pages and forms, under ``/console/programs/{program_id}``.

Clone a program for a new cohort; access rules with the eligible count, invitations and
their funnel; forbid a pair and what-if runs; end a pair and re-match; the health flags
with a next step each. The same machinery as `portal.entrypoints.http.console`: sign-in,
CSRF on every form, post-redirect-get, gettext; a program the services refuse the caller is
the 403 page.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import InvalidInputError, NotFoundError, RuleError
from portal.domain.operations import (
    CLONE_FIELDS,
    FLAG_KINDS,
    MAX_RULES,
    SENIORITIES,
    access_form,
)
from portal.domain.refusals import INVITATION_LABELS
from portal.entrypoints.http.pages import (
    Pages,
    checked_form,
    checked_id,
    flash,
    require_caller,
    see_other,
)
from portal.entrypoints.http.refusals import field_errors, refusal_lines
from portal.usecases.console import SettingsRefused
from portal.usecases.operations import END_REASONS, ProgramOperations
from portal.usecases.participant import Caller

MAX_CHANGES = 10_000


def _rules_of(form: FormData) -> list[dict[str, Any]]:
    """The access form's rules, by their index in the form."""
    try:
        count = min(int(str(form.get("rule_count", "0"))), MAX_RULES)
    except ValueError:
        count = 0
    return [
        {
            "departments": str(form.get(f"rule_{i}_departments", ""))[:5000],
            "locations": str(form.get(f"rule_{i}_locations", ""))[:5000],
            "seniorities": [str(v) for v in form.getlist(f"rule_{i}_seniorities")],
            "reports_to": str(form.get(f"rule_{i}_reports_to", ""))[:64],
        }
        for i in range(count)
    ]


def build_operations_router(  # noqa: PLR0915 - one function per route, closed over the wiring
    operations: ProgramOperations, pages: Pages
) -> APIRouter:
    """The operations pages and forms of the program manager's console."""
    router = APIRouter(prefix="/console/programs/{program_id}", include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    # ------------------------------------------------------------------ clone
    @router.get("/clone")
    async def clone_form(request: Request, program_id: str, caller: CallerDep) -> Response:
        program, values = await operations.clone_form(caller, program_id)
        return pages.render(
            request,
            "console/clone.html",
            program=program,
            values=values,
            errors={},
            section="overview",
        )

    @router.post("/clone")
    async def clone(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values = {name: str(form.get(name, ""))[:200] for name in CLONE_FIELDS}
        try:
            cohort = await operations.clone(caller, program_id, values)
        except SettingsRefused as refused:
            program, _ = await operations.clone_form(caller, program_id)
            return pages.render(
                request,
                "console/clone.html",
                422,
                program=program,
                values=values,
                errors=field_errors(pages.translator(request), refused.by_field),
                section="overview",
            )
        flash(
            request,
            pages.translator(request).gettext(
                "The next cohort is created as a draft, with the same questionnaire, "
                "settings and rules.",
            ),
        )
        return see_other(f"/console/programs/{cohort.program_id}")

    # ------------------------------------------------------------------ access and invitations
    async def access_page(
        request: Request,
        caller: Caller,
        program_id: str,
        *,
        form: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        previewed: Any = None,
        status_code: int = 200,
    ) -> Response:
        page = await operations.access_page(caller, program_id)
        return pages.render(
            request,
            "console/access.html",
            status_code,
            program=page.program,
            page=page,
            form=form or access_form(page.access),
            errors=errors or {},
            previewed=previewed,
            seniorities=SENIORITIES,
            section="access",
        )

    @router.get("/access")
    async def access(request: Request, program_id: str, caller: CallerDep) -> Response:
        return await access_page(request, caller, program_id)

    @router.post("/access")
    async def save_access(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values: dict[str, Any] = {
            "who": "restricted" if form.get("who") == "restricted" else "anyone",
            "everyone_active": form.get("everyone_active") == "yes",
            "rules": _rules_of(form),
            "invite_list": str(form.get("invite_list", ""))[:2_000_000],
        }
        shown = {**values, "rules": [*values["rules"]]}
        try:
            if form.get("action") == "preview":
                counted = await operations.preview(caller, program_id, values)
                return await access_page(request, caller, program_id, form=shown, previewed=counted)
            await operations.save_access(caller, program_id, values)
        except SettingsRefused as refused:
            return await access_page(
                request,
                caller,
                program_id,
                form=shown,
                errors=field_errors(pages.translator(request), refused.by_field),
                status_code=422,
            )
        except RuleError as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/access")
        flash(request, pages.translator(request).gettext("Who may register is saved."))
        return see_other(f"/console/programs/{program_id}/access")

    @router.post("/invitations")
    async def invite(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        names = ("reminders", "remind_after_days", "max_reminders")
        values = {name: str(form.get(name, ""))[:20] for name in names}
        try:
            result = await operations.invite(caller, program_id, values)
        except SettingsRefused as refused:
            translator = pages.translator(request)
            flash(request, refusal_lines(translator, refused, INVITATION_LABELS))
            return see_other(f"/console/programs/{program_id}/access#invite")
        except RuleError as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/access#invite")
        translator = pages.translator(request)
        message = translator.ngettext(
            "%(num)d person invited", "%(num)d people invited", result.invited
        )
        if result.pending:
            message += " " + translator.gettext(
                "(%(pending)s when registration opens).", pending=result.pending
            )
        else:
            message += "."
        flash(request, message)
        return see_other(f"/console/programs/{program_id}/access#funnel")

    # ------------------------------------------------------------------ matching
    @router.post("/matching/runs/{run_id}/forbid")
    async def forbid(
        request: Request, program_id: str, run_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        mentee = checked_id(str(form.get("mentee", "")))
        mentor = checked_id(str(form.get("mentor", "")))
        try:
            run = await operations.forbid(caller, program_id, checked_id(run_id), mentee, mentor)
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/matching/runs/{run_id}")
        flash(
            request,
            pages.translator(request).gettext(
                "The pair is forbidden: matching runs again without it."
            ),
        )
        return see_other(f"/console/programs/{program_id}/matching/runs/{run.run_id}")

    @router.post("/matching/what-if")
    async def what_if(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        text = str(form.get("max_changes", "")).strip()
        max_changes = int(text) if text.isdigit() else -1
        if not 0 <= max_changes <= MAX_CHANGES:
            flash(
                request,
                pages.translator(request).gettext("Enter how many pairs may change, e.g. 5."),
            )
            return see_other(f"/console/programs/{program_id}/matching#what-if")
        try:
            run = await operations.what_if(caller, program_id, max_changes)
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/matching")
        flash(request, pages.translator(request).gettext("The what-if run has started."))
        return see_other(f"/console/programs/{program_id}/matching/runs/{run.run_id}")

    # ------------------------------------------------------------------ pairs
    @router.post("/pairs/{pair_id}/end")
    async def end_pair(
        request: Request, program_id: str, pair_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        reason = str(form.get("reason", ""))
        if reason not in END_REASONS:
            return pages.error(request, 404)
        rematch = form.get("rematch") == "yes"
        try:
            await operations.end_pair(caller, program_id, checked_id(pair_id), reason, rematch)
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/pairs")
        flash(
            request,
            pages.translator(request).gettext(
                "The pair is ended. A re-match run is queued for the mentee: approve its "
                "proposal under Matching.",
            )
            if rematch
            else pages.translator(request).gettext("The pair is ended."),
        )
        return see_other(f"/console/programs/{program_id}/pairs")

    # ------------------------------------------------------------------ health
    @router.get("/health")
    async def health(request: Request, program_id: str, caller: CallerDep) -> Response:
        page = await operations.health(caller, program_id)
        return pages.render(
            request,
            "console/health.html",
            program=page.program,
            page=page,
            kinds=FLAG_KINDS,
            section="health",
        )

    @router.post("/pairs/{pair_id}/nudge")
    async def nudge(
        request: Request, program_id: str, pair_id: str, caller: CallerDep, _: FormDep
    ) -> Response:
        try:
            await operations.nudge(caller, program_id, checked_id(pair_id))
        except (RuleError, InvalidInputError, NotFoundError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/health")
        flash(
            request, pages.translator(request).gettext("Both members of the pair are sent a nudge.")
        )
        return see_other(f"/console/programs/{program_id}/health")

    return router
