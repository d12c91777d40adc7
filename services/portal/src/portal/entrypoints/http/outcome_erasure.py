"""The admins' erasure of HRIS outcomes: ``/console/outcome-erasures``.

One form: the employee id, typed twice, then feedback deletes every business outcome recorded
about them (analytics follows its event). The rest of the person's data stays: erasing a whole
person is the erasure requests' page. Only organisation admins see the page; feedback refuses
anyone else too (the 403 page). Post-redirect-get, CSRF, each refusal beside its field.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import ForbiddenError, InvalidInputError, RuleError
from portal.entrypoints.http.pages import Pages, checked_form, flash, require_caller, see_other
from portal.usecases.erasure import OutcomeEraser
from portal.usecases.participant import Caller

PATH = "/console/outcome-erasures"
EMPLOYEE_FIELD = "employee_id"
CONFIRM_FIELD = "confirm_employee_id"
PSEUDONYM_KEY_MISSING = "pseudonym_key_missing"
"""Feedback's refusal when it cannot tell whose outcomes they are (no pseudonym key)."""
FIELD_MAX = 64
"""Longest id kept from the form (feedback's own limit; it checks the rest of the pattern)."""


def build_outcome_erasure_router(
    eraser: OutcomeEraser, pages: Pages, *, admin_role: str
) -> APIRouter:
    """The page and form that erase one employee's business outcomes."""
    router = APIRouter(prefix=PATH, include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    def admin_only(caller: Caller) -> Caller:
        if admin_role not in caller.roles:
            raise ForbiddenError("erasing outcomes is for organisation admins")
        return caller

    def form_page(
        request: Request, typed: dict[str, str], errors: dict[str, str], status_code: int = 200
    ) -> Response:
        return pages.render(
            request,
            "console/outcome_erasure.html",
            status_code,
            typed=typed,
            errors=errors,
            employee_field=EMPLOYEE_FIELD,
            confirm_field=CONFIRM_FIELD,
            field_max=FIELD_MAX,
        )

    @router.get("")
    async def page(request: Request, caller: CallerDep) -> Response:
        admin_only(caller)
        return form_page(request, {}, {})

    @router.post("")
    async def erase(request: Request, caller: CallerDep, form: FormDep) -> Response:
        admin_only(caller)
        typed = {
            name: str(form.get(name, "")).strip()[:FIELD_MAX]
            for name in (EMPLOYEE_FIELD, CONFIRM_FIELD)
        }
        translator = pages.translator(request)
        employee_id = typed[EMPLOYEE_FIELD]
        if not employee_id:
            error = translator.gettext("Enter the employee id whose outcomes to erase.")
            return form_page(request, typed, {EMPLOYEE_FIELD: error}, 422)
        if typed[CONFIRM_FIELD] != employee_id:
            error = translator.gettext(
                "Type the employee id %(employee_id)s again, exactly, to confirm.",
                employee_id=employee_id,
            )
            return form_page(request, typed, {CONFIRM_FIELD: error}, 422)
        try:
            done = await eraser.erase(caller, employee_id)
        except InvalidInputError as refused:
            if not any(field.endswith(EMPLOYEE_FIELD) for field, _ in refused.problems):
                raise
            error = translator.gettext(
                "This is not an employee id: up to 64 letters, digits, '.', '_', ':' and '-', "
                "starting with a letter or digit."
            )
            return form_page(request, typed, {EMPLOYEE_FIELD: error}, 422)
        except RuleError as refused:
            if refused.code != PSEUDONYM_KEY_MISSING:
                raise
            error = translator.gettext(
                "Outcomes cannot be erased yet: the feedback service runs without its "
                "pseudonym key (AUTH_PSEUDONYM_KEY). Ask whoever runs the platform to set it."
            )
            return form_page(request, typed, {"": error}, 409)
        person = f"{done.name} ({employee_id})" if done.name else employee_id
        flash(
            request,
            translator.ngettext(
                "%(num)d business outcome of %(person)s is erased. The reports drop it as "
                "analytics receives the erasure; an import after now records outcomes again.",
                "%(num)d business outcomes of %(person)s are erased. The reports drop them as "
                "analytics receives the erasure; an import after now records outcomes again.",
                done.erased.deleted,
                person=person,
            ),
        )
        return see_other(PATH)

    return router
