"""The admins' erasure requests: ``/console/erasure-requests``.

The list, oldest first with the days left of the GDPR's month; one request's page, which says
what erasing does and asks to confirm by typing the employee id; the erasure itself (CSRF,
post-redirect-get). Registration refuses everyone but organisation admins (the 403 page).
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from portal.entrypoints.http.pages import (
    Pages,
    checked_form,
    checked_id,
    flash,
    require_caller,
    see_other,
)
from portal.usecases.erasure import ErasureDesk, OpenRequest
from portal.usecases.participant import Caller

CONFIRM_FIELD = "confirm_employee_id"


def build_erasure_router(desk: ErasureDesk, pages: Pages) -> APIRouter:
    """The erasure pages and form of the admins' console."""
    router = APIRouter(prefix="/console/erasure-requests", include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    def request_page(
        request: Request, found: OpenRequest, errors: dict[str, str], status_code: int = 200
    ) -> Response:
        return pages.render(
            request,
            "console/erasure_request.html",
            status_code,
            found=found,
            now=datetime.now(UTC),
            errors=errors,
            confirm_field=CONFIRM_FIELD,
        )

    @router.get("")
    async def open_requests(request: Request, caller: CallerDep) -> Response:
        found = await desk.open_requests(caller)
        return pages.render(
            request, "console/erasure_requests.html", requests=found, now=datetime.now(UTC)
        )

    @router.get("/{request_id}")
    async def one_request(request: Request, request_id: str, caller: CallerDep) -> Response:
        found = await desk.open_request(caller, checked_id(request_id))
        return request_page(request, found, {})

    @router.post("/{request_id}/erase")
    async def erase(
        request: Request, request_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        found = await desk.open_request(caller, checked_id(request_id))
        typed = str(form.get(CONFIRM_FIELD, "")).strip()[:64]
        translator = pages.translator(request)
        if typed != found.request.employee_id:
            message = translator.gettext(
                "Type the employee id %(employee_id)s exactly to confirm the erasure.",
                employee_id=found.request.employee_id,
            )
            return request_page(request, found, {CONFIRM_FIELD: message}, status_code=422)
        erased = await desk.erase(caller, found.request.request_id)
        flash(
            request,
            translator.ngettext(
                "%(employee_id)s is erased: %(num)d registration here, and every other service "
                "erases its copies as the event reaches it. The request is closed.",
                "%(employee_id)s is erased: %(num)d registrations here, and every other service "
                "erases its copies as the event reaches it. The request is closed.",
                erased.registrations_erased,
                employee_id=erased.employee_id,
            ),
        )
        return see_other("/console/erasure-requests")

    return router
