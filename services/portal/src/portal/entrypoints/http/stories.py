"""Impact stories: the participant's ``/me/stories`` and the console's program stories.

A participant lists their stories with their state, writes one for a program they take part
in (each mistake beside its field) and withdraws consent (the portal's confirmation, as for
every destructive action). A manager sees the program's stories awaiting approval, approves
them, and sees those published. CSRF on every form, post-redirect-get, gettext; a refusal of
the feedback service becomes a message on the page, never a failure.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from mentorship_kit.errors import ForbiddenError, NotFoundError, RuleError
from portal.domain.notifications import N_
from portal.domain.stories import STORY_FIELDS, TEXT_MAX, StoryDraft
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
from portal.usecases.stories import MyStories, StoryDesk, StoryModeration, StoryRefused

MY_STORIES = "/me/stories"
_FORM_MAX = TEXT_MAX * 2
"""Longer than any field may be, so the length check still sees an over-long text."""


def build_stories_router(
    desk: StoryDesk, moderation: StoryModeration, pages: Pages, *, admin_role: str
) -> APIRouter:
    """The participant's stories page and the console's stories page, with their forms."""
    router = APIRouter(include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    def my_page(
        request: Request,
        page: MyStories,
        draft: StoryDraft,
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Response:
        return pages.render(
            request, "stories.html", status_code, page=page, draft=draft, errors=errors
        )

    # ------------------------------------------------------------------ participants
    @router.get(MY_STORIES)
    async def my_stories(request: Request, caller: CallerDep) -> Response:
        page = await desk.page(caller)
        only = page.programs[0].program_id if len(page.programs) == 1 else ""
        return my_page(request, page, StoryDraft(program_id=only), {})

    @router.post(MY_STORIES)
    async def write_story(request: Request, caller: CallerDep, form: FormDep) -> Response:
        draft = StoryDraft.of({name: str(form.get(name, ""))[:_FORM_MAX] for name in STORY_FIELDS})
        page = await desk.page(caller)
        translator = pages.translator(request)
        try:
            await desk.write(caller, draft, page.programs)
        except StoryRefused as refused:
            errors = field_errors(translator, refused.by_field)
            return my_page(request, page, draft, errors, status_code=422)
        flash(
            request,
            translator.gettext(
                "Thank you: your story is sent. It is published once a program manager approves it."
            ),
        )
        return see_other(MY_STORIES)

    @router.post(f"{MY_STORIES}/{{story_id}}/withdraw-consent")
    async def withdraw_consent(
        request: Request, story_id: str, caller: CallerDep, _: FormDep
    ) -> Response:
        translator = pages.translator(request)
        try:
            await desk.withdraw_consent(caller, checked_id(story_id))
        except NotFoundError:
            flash(
                request, translator.gettext("That story is not one of yours, or no longer exists.")
            )
            return see_other(MY_STORIES)
        flash(
            request,
            translator.gettext("Your consent is withdrawn: the story is no longer published."),
        )
        return see_other(MY_STORIES)

    # ------------------------------------------------------------------ program managers
    @router.get("/console/programs/{program_id}/stories")
    async def program_stories(request: Request, program_id: str, caller: CallerDep) -> Response:
        page = await moderation.page(caller, checked_id(program_id))
        return pages.render(
            request,
            "console/stories.html",
            program=page.program,
            page=page,
            is_admin=admin_role in caller.roles,
            section="stories",
        )

    @router.post("/console/programs/{program_id}/stories/{story_id}/approve")
    async def approve_story(
        request: Request, program_id: str, story_id: str, caller: CallerDep, _: FormDep
    ) -> Response:
        program_id = checked_id(program_id)
        back = f"/console/programs/{program_id}/stories"
        translator = pages.translator(request)
        try:
            await moderation.approve(caller, program_id, checked_id(story_id))
        except ForbiddenError:
            message = N_("Only the organisation's admins approve stories: ask one to approve it.")
        except NotFoundError:
            message = N_("That story is not one of this program's any more.")
        except RuleError:
            message = N_("Its author withdrew consent: the story cannot be published.")
        else:
            message = N_("The story is approved: it is published.")
        flash(request, translator.gettext(message))
        return see_other(back)

    return router
