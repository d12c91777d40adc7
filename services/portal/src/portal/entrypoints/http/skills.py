"""Skills assessments: the mentee's "My skills" page and the mentor's view of their mentee.

The mentee rates themself at the start and the end, reads the calibration (self, mentor,
manager, peers' average) and asks their manager and peers for 360 input; the links to
forward are shown once, on the answer to that form (never in an address, a log or the
session). The mentor rates the mentee halfway and at the end. CSRF on every form,
post-redirect-get after a rating, gettext; feedback's refusals come back beside their field.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import NotFoundError
from portal.domain.skills import (
    ASK_MOMENTS,
    LEVELS,
    MENTOR_MOMENTS,
    SELF_MOMENTS,
    RatersAsked,
    RatersDraft,
    suggested_moment,
)
from portal.entrypoints.http.pages import (
    Pages,
    checked_form,
    checked_id,
    flash,
    require_caller,
    see_other,
)
from portal.entrypoints.http.refusals import field_errors
from portal.usecases.participant import Caller
from portal.usecases.skills import (
    GroupMentees,
    MenteeSkills,
    MySkills,
    SkillsDesk,
    SkillsRefused,
)

_FORM_MAX = 300
"""Longer than any value these forms take (a level, an address, a number)."""


def my_skills_path(program_id: str) -> str:
    """The mentee's skills page in a program."""
    return f"/programs/{program_id}/skills"


def mentee_skills_path(pair_id: str, mentee: str | None = None) -> str:
    """The mentor's view of their mentee's skills (a group's: ``mentee`` names which)."""
    return f"/pairs/{pair_id}/skills" + (f"?mentee={mentee}" if mentee else "")


def _checked_moment(moment: str, allowed: tuple[str, ...]) -> str:
    """A rating form's moment, one of ``allowed`` (another address is not found)."""
    if moment not in allowed:
        raise NotFoundError(moment)
    return moment


def _checked_mentee(mentee: str | None) -> str | None:
    """The ``?mentee=`` of a mentor's address (a participant id), if any."""
    return None if mentee is None else checked_id(mentee)


def _values(form: FormData) -> dict[str, str]:
    return {key: str(value)[:_FORM_MAX] for key, value in form.items()}


def build_skills_router(desk: SkillsDesk, pages: Pages, *, base_url: str) -> APIRouter:
    """The skills pages and their forms."""
    router = APIRouter(include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806
    rater_base = base_url.rstrip("/")

    def my_page(request: Request, page: MySkills, status_code: int = 200, **state: Any) -> Response:
        context: dict[str, Any] = {
            "chosen": {},
            "self_errors": {},
            "raters_errors": {},
            "failed_form": "",
            "draft": RatersDraft(),
            "asked": None,
        } | state
        return pages.render(
            request,
            "skills.html",
            status_code,
            page=page,
            levels=LEVELS,
            self_moments=SELF_MOMENTS,
            ask_moments=ASK_MOMENTS,
            rater_base=rater_base,
            now=datetime.now(UTC),
            **context,
        )

    def mentor_page(
        request: Request, page: MenteeSkills | GroupMentees, status_code: int = 200, **state: Any
    ) -> Response:
        if isinstance(page, GroupMentees):
            return pages.render(request, "group_mentees.html", status_code, page=page)
        context: dict[str, Any] = {"chosen": {}, "errors": {}, "failed_form": ""} | state
        return pages.render(
            request,
            "mentee_skills.html",
            status_code,
            page=page,
            levels=LEVELS,
            mentor_moments=MENTOR_MOMENTS,
            **context,
        )

    # A form's answer is rendered at the address it was posted to; opened there (the
    # language switch, a bookmark) those addresses lead back to their page.
    @router.get("/programs/{program_id}/skills/self/{moment}")
    @router.get("/programs/{program_id}/skills/raters")
    async def back_to_my_skills(program_id: str) -> Response:
        return see_other(my_skills_path(checked_id(program_id)))

    @router.get("/pairs/{pair_id}/skills/mentor/{moment}")
    async def back_to_mentee_skills(pair_id: str, mentee: str | None = None) -> Response:
        return see_other(mentee_skills_path(checked_id(pair_id), _checked_mentee(mentee)))

    # ------------------------------------------------------------------ the mentee
    @router.get("/programs/{program_id}/skills")
    async def my_skills(request: Request, program_id: str, caller: CallerDep) -> Response:
        page = await desk.mine(caller, checked_id(program_id))
        today = datetime.now(UTC).date()
        moment = suggested_moment(page.program.starts_on, page.program.ends_on, today)
        return my_page(request, page, draft=RatersDraft(moment=moment))

    @router.post("/programs/{program_id}/skills/self/{moment}")
    async def rate_myself(
        request: Request, program_id: str, moment: str, caller: CallerDep, form: FormDep
    ) -> Response:
        moment = _checked_moment(moment, SELF_MOMENTS)
        page = await desk.mine(caller, checked_id(program_id))
        translator = pages.translator(request)
        try:
            await desk.rate_self(caller, page, moment, _values(form))
        except SkillsRefused as refused:
            return my_page(
                request,
                page,
                422,
                chosen={moment: refused.chosen},
                self_errors=field_errors(translator, refused.by_field),
                failed_form=f"self-{moment}",
            )
        flash(
            request,
            translator.gettext("Your ratings at the start are saved.")
            if moment == "baseline"
            else translator.gettext("Your ratings at the end are saved."),
        )
        return see_other(f"{my_skills_path(page.program.program_id)}#self-{moment}")

    @router.post("/programs/{program_id}/skills/raters")
    async def ask_raters(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        page = await desk.mine(caller, checked_id(program_id))
        draft = RatersDraft.of(_values(form))
        translator = pages.translator(request)
        try:
            asked: RatersAsked = await desk.ask(caller, page, draft)
        except SkillsRefused as refused:
            return my_page(
                request,
                page,
                422,
                draft=draft,
                raters_errors=field_errors(translator, refused.by_field),
            )
        # Rendered, not redirected: the links to forward are shown this once and kept nowhere.
        return my_page(request, page, asked=asked, draft=RatersDraft(moment=draft.moment))

    # ------------------------------------------------------------------ the mentor
    @router.get("/pairs/{pair_id}/skills")
    async def mentee_skills(
        request: Request, pair_id: str, caller: CallerDep, mentee: str | None = None
    ) -> Response:
        page = await desk.mentee(caller, checked_id(pair_id), _checked_mentee(mentee))
        return mentor_page(request, page)

    @router.post("/pairs/{pair_id}/skills/mentor/{moment}")
    async def rate_mentee(  # noqa: PLR0917 - FastAPI passes the request's parts
        request: Request,
        pair_id: str,
        moment: str,
        caller: CallerDep,
        form: FormDep,
        mentee: str | None = None,
    ) -> Response:
        moment = _checked_moment(moment, MENTOR_MOMENTS)
        page = await desk.mentee(caller, checked_id(pair_id), _checked_mentee(mentee))
        if isinstance(page, GroupMentees):  # a group's form always names its mentee
            raise NotFoundError(f"which mentee of {pair_id}")
        translator = pages.translator(request)
        try:
            await desk.rate_mentee(caller, page, moment, _values(form))
        except SkillsRefused as refused:
            return mentor_page(
                request,
                page,
                422,
                chosen={moment: refused.chosen},
                errors=field_errors(translator, refused.by_field),
                failed_form=f"mentor-{moment}",
            )
        flash(
            request,
            translator.gettext("Your ratings halfway are saved.")
            if moment == "midpoint"
            else translator.gettext("Your ratings at the end are saved."),
        )
        if form.get("back") == "pair":  # sent from the pair page: back to it
            return see_other(f"/pairs/{page.series.pair_id}#mentor-{moment}")
        return see_other(f"{mentee_skills_path(page.series.pair_id)}{page.query}#mentor-{moment}")

    return router
