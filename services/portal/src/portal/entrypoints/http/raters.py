"""The rater's page: a manager or peer answers a mentee's 360 request through their link.

Public (no sign-in): the token in the address is the credential. It is never logged, and
the page sends no referrer (the portal's ``Referrer-Policy: no-referrer``) and loads nothing
from elsewhere (its CSP), so the address never reaches a third party. The form carries the
portal's CSRF token: a visitor without an account still gets a session cookie holding it
(signed, ``SameSite=Lax``), so a form posted from another site is refused.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import NotFoundError, RuleError
from portal.entrypoints.http.pages import Pages, checked_form, see_other
from portal.usecases.raters import LEVEL_FIELD, LEVELS, RaterAnswerRefused, RaterAnswers

THANKS = "/skills/rater-answered"
GONE = 410
CONFLICT = 409
ALREADY_ANSWERED = "link_already_answered"


def build_rater_router(raters: RaterAnswers, pages: Pages) -> APIRouter:
    """The rater link's form, its answer and the thank-you page."""
    router = APIRouter(include_in_schema=False)
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806 - a type alias

    def unusable(request: Request, reason: str) -> Response:
        status = {"expired": GONE, "answered": CONFLICT}.get(reason, 404)
        return pages.render(request, "rater_link_unusable.html", status, reason=reason)

    @router.get(THANKS)
    async def thanks(request: Request) -> Response:
        return pages.render(request, "rater_thanks.html")

    @router.get("/skills/rater-links/{token}")
    async def rater_form(request: Request, token: str) -> Response:
        try:
            form = await raters.form(token)
        except NotFoundError:
            return unusable(request, "unknown")
        except RuleError as refused:
            if refused.code == ALREADY_ANSWERED:
                return unusable(request, "answered")
            raise
        return pages.render(
            request, "rater.html", form=form, token=token, chosen={}, missing=[], levels=LEVELS
        )

    @router.post("/skills/rater-links/{token}")
    async def rater_answer(request: Request, token: str, submitted: FormDep) -> Response:
        values = {key: str(value) for key, value in submitted.items()}
        try:
            await raters.answer(token, values)
        except NotFoundError:
            return unusable(request, "unknown")
        except RaterAnswerRefused as refused:
            form = await raters.form(token)
            chosen = {
                skill: values.get(f"{LEVEL_FIELD}{skill}", "")
                for skill in form.skills
                if skill not in refused.missing
            }
            return pages.render(
                request,
                "rater.html",
                422,
                form=form,
                token=token,
                chosen=chosen,
                missing=refused.missing,
                levels=LEVELS,
            )
        except RuleError as refused:
            if refused.code == "link_expired":
                return unusable(request, "expired")
            if refused.code == ALREADY_ANSWERED:
                return unusable(request, "answered")
            raise
        return see_other(THANKS)

    return router
