"""The participant pages: FastAPI routes rendering Jinja2 templates.

Every form posts to the portal with a CSRF token and answers with a redirect (post, redirect,
get), so everything works without JavaScript; with it, htmx swaps a session's row in place.
Refusals of the services become pages: 403, 404, 503, or the form again with each problem
beside its field.
"""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.api import ServiceUnavailable, SignInRequired
from portal.adapters.identity import IdentityProvider, SignInFailed
from portal.domain import sessions as session_rules
from portal.domain.models import Question, QuestionKind, Questionnaire
from portal.domain.questionnaire import FIELD_PREFIX, is_shown
from portal.domain.refusals import MENTOR_CHOICE_LABELS, path_field
from portal.domain.skills import LEVELS as SKILL_LEVELS
from portal.domain.skills import MENTOR_MOMENTS
from portal.domain.why import labelled, why_matched
from portal.entrypoints.http.held_answers import (
    FEEDBACK_OWN_WORDS,
    AgreementAnswer,
    FeedbackAnswer,
    FitAnswer,
    FormAnswer,
    GoalAnswer,
    HeldForm,
    SurveyAnswer,
    field_of,
)
from portal.entrypoints.http.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, negotiate
from portal.entrypoints.http.refusals import (
    NO_LABELS,
    field_errors,
    problem_lines,
    refusal_lines,
    refused_fields,
    rule_text,
)
from portal.entrypoints.http.security import CSRF_FIELD, csrf_token, csrf_valid
from portal.entrypoints.http.unsent import Unsent, keep_sent_form, unsent
from portal.usecases.participant import (
    Caller,
    FeedbackPage,
    ParticipantPortal,
    PreferencesRefused,
    RegistrationRefused,
)
from portal.usecases.skills import SkillsDesk

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
_USER = "user"
_LANGUAGE = "lang"
_FLASH = "flash"
SURVEY_KINDS = ("mid_program", "closing")
FIT_CONCERNS = ("goals_mismatch", "skills_mismatch", "availability", "communication", "other")


class NotSignedIn(Exception):  # noqa: N818 - names the situation
    """A page that needs a signed-in person was asked for without one."""


class CsrfRejected(Exception):  # noqa: N818
    """A form came without this session's CSRF token."""


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every page is rendered with."""

    request: Request
    translator: Translator
    caller: Caller | None


def make_environment() -> Environment:
    """The templates' environment (autoescaped; i18n through the per-request callables)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.filters["dom_id"] = dom_id
    return environment


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def checked_id(value: str) -> str:
    """An id from a form or query, refused (404) when it cannot be one."""
    if not _ID.match(value):
        raise NotFoundError("no such id")
    return value


def dom_id(value: str) -> str:
    """``value`` made safe as an HTML id and CSS selector (letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", value)


def language_of(request: Request) -> str:
    """The language chosen in the session, else the browser's preference."""
    chosen = request.session.get(_LANGUAGE)
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", DEFAULT_LANGUAGE))


def current_caller(request: Request) -> Caller | None:
    """The signed-in person, if any (and if their sign-in has not expired)."""
    user = request.session.get(_USER)
    if not isinstance(user, dict):
        return None
    expires_at = user.get("expires_at") or 0
    if expires_at and expires_at < datetime.now(UTC).timestamp():
        request.session.pop(_USER, None)
        return None
    return Caller(
        subject=str(user["sub"]),
        name=str(user.get("name", "")),
        email=str(user.get("email", "")),
        token=str(user["token"]),
        roles=tuple(str(role) for role in user.get("roles") or ()),
    )


def require_caller(request: Request) -> Caller:
    """The signed-in person; pages without one send people to sign in."""
    caller = current_caller(request)
    if caller is None:
        raise NotSignedIn
    return caller


async def checked_form(request: Request) -> FormData:
    """The submitted form, once its CSRF token checks out."""
    form = await request.form()
    if not csrf_valid(request, form.get(CSRF_FIELD)):
        raise CsrfRejected
    keep_sent_form(request, form)
    return form


def flash(request: Request, message: str | Sequence[str]) -> None:
    """A message for the next page (shown once, announced to screen readers).

    Several messages (a refusal's problems) are shown as a list, one item each.
    """
    messages = [message] if isinstance(message, str) else [m for m in message if m]
    request.session[_FLASH] = messages[0] if len(messages) == 1 else messages


def see_other(url: str) -> RedirectResponse:
    """Go to ``url`` after a form (303)."""
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only paths of the portal itself are followed after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


class Pages:
    """Renders templates with the context every page needs."""

    def __init__(self, environment: Environment, translations: dict[str, Any]) -> None:
        self._environment = environment
        self._translations = translations

    def translator(self, request: Request) -> Translator:
        """The person's language."""
        language = language_of(request)
        return Translator(language, self._translations[language])

    def render(
        self,
        request: Request,
        template: str,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """The page ``template`` filled with ``context``."""
        translator = self.translator(request)
        caller = current_caller(request)
        message = request.session.pop(_FLASH, None)
        variables = {
            "request": request,
            "lang": translator.language,
            "languages": LANGUAGES,
            "caller": caller,
            "csrf_token": csrf_token(request),
            "csrf_field": CSRF_FIELD,
            "flash": message,
            "when": translator.when,
            "day": translator.day,
            "percent": translator.percent,
            "language_name": translator.language_name,
            "t": translator,
            "field_prefix": FIELD_PREFIX,
            "QuestionKind": QuestionKind,
            "is_shown": is_shown,
            "zone": _zone,
            **translator.jinja_callables(),
            **context,
        }
        html = self._environment.get_template(template).render(variables)
        return HTMLResponse(html, status_code=status_code)

    def error(
        self, request: Request, status_code: int, detail: str = "", unsent: Unsent | None = None
    ) -> HTMLResponse:
        """The error page of ``status_code``; ``unsent``: what a form it cut short sent."""
        return self.render(
            request, "error.html", status_code, status=status_code, detail=detail, unsent=unsent
        )


def question_helpers(questionnaire: Questionnaire, translator: Translator) -> dict[str, Any]:
    """What the registration form shows about questions: prompts, branching conditions."""
    by_key = {question.key: question for question in questionnaire.questions}
    prompts = {key: question.prompt for key, question in by_key.items()}
    prompts |= {
        "name": translator.gettext("Name"),
        "email": translator.gettext("Work e-mail"),
        "department": translator.gettext("Department (optional)"),
        "preferred_mentors": translator.gettext("Mentors you would like (mentees, optional)"),
    }

    def branch_labels(question: Question) -> str:
        condition = question.show_if
        if condition is None:
            return ""
        source = by_key.get(condition.question)
        labels = [source.label_of(key) if source else key for key in condition.any_of]
        return translator.gettext(" or ").join(f"“{label}”" for label in labels)

    return {"prompts": prompts, "branch_labels": branch_labels}


def _mentee(mentee: str | None) -> str | None:
    """The ``?mentee=`` of a group's page (a participant id), if any; a malformed one: 404."""
    return None if mentee is None else checked_id(mentee)


def _mentee_view(path: str, mentee: str | None) -> str:
    """``path`` (a group's page) as it shows ``mentee``'s pair, when one is picked."""
    return path if mentee is None else f"{path}?mentee={quote(mentee)}"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def build_router(  # noqa: PLR0915 - one function per route, closed over the wiring
    portal: ParticipantPortal,
    identity: IdentityProvider,
    pages: Pages,
    base_url: str,
    *,
    skills: SkillsDesk | None = None,
) -> APIRouter:
    """Every page and form of the participant portal."""
    router = APIRouter(include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    # ------------------------------------------------------------------ signing in and out
    @router.get("/signin")
    async def sign_in(request: Request, next: str | None = None) -> Response:  # noqa: A002
        request.session["next"] = _safe_next(next)
        try:
            return await identity.redirect_to_sign_in(request, language_of(request))
        except Exception:
            logger.exception("the identity provider cannot be reached")
            return pages.error(request, 503)

    @router.get("/auth/callback")
    async def callback(request: Request) -> Response:
        try:
            signed_in = await identity.complete_sign_in(request)
        except SignInFailed as failure:
            logger.warning("sign-in refused", extra={"reason": str(failure)})
            return pages.error(request, 401)
        target = _safe_next(request.session.pop("next", None))
        language = request.session.get(_LANGUAGE)
        request.session.clear()  # a new session on sign-in: nothing carried over
        if language:
            request.session[_LANGUAGE] = language
        request.session[_USER] = {
            "sub": signed_in.subject,
            "name": signed_in.name,
            "email": signed_in.email,
            "token": signed_in.access_token,
            "expires_at": signed_in.expires_at,
            "roles": list(signed_in.roles),
        }
        return RedirectResponse(target, status_code=303)

    @router.post("/signout")
    async def sign_out(request: Request, _: FormDep) -> Response:
        language = request.session.get(_LANGUAGE)
        request.session.clear()
        if language:
            request.session[_LANGUAGE] = language
        try:
            target = await identity.sign_out_url(f"{base_url.rstrip('/')}/")
        except Exception:  # noqa: BLE001 - the portal's own session is gone either way
            target = None
        return see_other(target or "/")

    @router.post("/language")
    async def choose_language(request: Request, form: FormDep) -> Response:
        language = str(form.get("language", ""))
        if language in LANGUAGES:
            request.session[_LANGUAGE] = language
        return see_other(_safe_next(str(form.get("next", "/"))))

    # ------------------------------------------------------------------ home
    @router.get("/")
    async def home(request: Request) -> Response:
        caller = current_caller(request)
        if caller is None:
            return pages.render(request, "welcome.html")
        overview = await portal.home(caller)
        joined = [s for s in overview.programs if s.registration is not None]
        return pages.render(
            request,
            "home.html",
            home=overview,
            programs_by_id={s.program.program_id: s.program for s in overview.programs},
            zones={
                s.program.program_id: str(
                    (s.registration.answers.get("time_zone") if s.registration else None)
                    or s.program.time_zone
                )
                for s in joined
            },
        )

    # ------------------------------------------------------------------ registering
    @router.get("/programs/{program_id}/register")
    async def registration_form(request: Request, program_id: str, caller: CallerDep) -> Response:
        form = await portal.registration_form(caller, program_id)
        answers = form.registration.answers if form.registration else {}
        identity_values = {
            "name": form.registration.name if form.registration else caller.name,
            "email": form.registration.email if form.registration else caller.email,
            "department": (form.registration.department or "") if form.registration else "",
        }
        picks = list(form.registration.preferred_mentors) if form.registration else []
        return pages.render(
            request,
            "register.html",
            form=form,
            answers=answers,
            identity=identity_values,
            picks=picks,
            errors={},
            **question_helpers(form.questionnaire, pages.translator(request)),
        )

    @router.post("/programs/{program_id}/register")
    async def register(
        request: Request, program_id: str, caller: CallerDep, submitted: FormDep
    ) -> Response:
        values = {key: [str(v) for v in submitted.getlist(key)] for key in submitted}
        identity_values = {
            key: str(submitted.get(key, "")) for key in ("name", "email", "department")
        }
        try:
            await portal.register(caller, program_id, values, identity_values)
        except RegistrationRefused as refused:
            form = await portal.registration_form(caller, program_id)
            answers = {
                key.removeprefix(FIELD_PREFIX): (v if len(v) > 1 else v[0])
                for key, v in values.items()
                if key.startswith(FIELD_PREFIX) and v
            }
            return pages.render(
                request,
                "register.html",
                422,
                form=form,
                answers=answers,
                identity=identity_values,
                picks=[str(v) for v in submitted.getlist("preferred_mentors")],
                errors=field_errors(pages.translator(request), refused.by_field),
                **question_helpers(form.questionnaire, pages.translator(request)),
            )
        except RuleError as refused:
            flash(request, rule_text(pages.translator(request), refused))
            return see_other(f"/programs/{program_id}/register")
        flash(request, pages.translator(request).gettext("Your registration is saved."))
        return see_other("/")

    @router.post("/programs/{program_id}/withdraw")
    async def withdraw(
        request: Request, program_id: str, caller: CallerDep, _: FormDep
    ) -> Response:
        try:
            await portal.withdraw(caller, program_id)
        except RuleError as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other("/")
        flash(request, pages.translator(request).gettext("You have withdrawn from the program."))
        return see_other("/")

    # ------------------------------------------------------------------ my match
    @router.get("/pairs/{pair_id}")
    async def pair(
        request: Request, pair_id: str, caller: CallerDep, mentee: str | None = None
    ) -> Response:
        return await pair_page(request, caller, pair_id, _mentee(mentee))

    async def pair_page(
        request: Request,
        caller: Caller,
        pair_id: str,
        mentee: str | None = None,
        *,
        agreement: HeldForm[AgreementAnswer] | None = None,
        fit: HeldForm[FitAnswer] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """The pair's page; ``agreement``, ``fit``: a form sent back, held as written."""
        page = await portal.pair(
            caller, pair_id, with_match=True, with_agreements=True, mentee=mentee
        )
        reasons = [
            (
                match,
                why_matched(
                    match.contributions,
                    match.weights,
                    match.in_common,
                    pick_bonus=match.pick_bonus,
                ),
            )
            for match in page.matches or ()
        ]
        mentee_skills = await skills.for_pair(caller, page) if skills else None
        return pages.render(
            request,
            "pair.html",
            status_code,
            page=page,
            held_agreement=agreement,
            held_fit=fit,
            mentee_skills=mentee_skills,
            skill_levels=SKILL_LEVELS,
            mentor_moments=MENTOR_MOMENTS,
            concerns=FIT_CONCERNS,
            reasons=reasons,
            labelled=lambda values: labelled(values, page.labels),
        )

    @router.post("/pairs/{pair_id}/agreement")
    async def save_agreement(
        request: Request, pair_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        async def show(held: HeldForm[AgreementAnswer], status_code: int) -> HTMLResponse:
            return await pair_page(
                request, caller, pair_id, agreement=held, status_code=status_code
            )

        answer = AgreementAnswer.sent(form)
        saving = partial(portal.save_agreement, caller, pair_id)
        if sent_back := await _held_unless_saved(request, answer, saving, show):
            return sent_back
        flash(request, pages.translator(request).gettext("The agreement is saved."))
        return see_other(f"/pairs/{pair_id}#agreement")

    @router.post("/pairs/{pair_id}/agreement/acknowledge")
    async def acknowledge(
        request: Request,
        pair_id: str,
        caller: CallerDep,
        form: FormDep,
        mentee: str | None = None,
    ) -> Response:
        # ?mentee=: a group's mentor acknowledging the agreement of the mentee she reads.
        picked = _mentee(mentee)
        version = str(form.get("version", ""))
        acknowledging = portal.acknowledge(
            caller, pair_id, int(version) if version.isdigit() else 0, picked
        )
        if await _attempt(request, acknowledging):
            flash(request, pages.translator(request).gettext("You acknowledged the agreement."))
        return see_other(f"{_mentee_view(f'/pairs/{pair_id}', picked)}#agreement")

    @router.post("/pairs/{pair_id}/fit")
    async def fit(request: Request, pair_id: str, caller: CallerDep, form: FormDep) -> Response:
        async def show(held: HeldForm[FitAnswer], status_code: int) -> HTMLResponse:
            return await pair_page(request, caller, pair_id, fit=held, status_code=status_code)

        answer = FitAnswer.sent(form, FIT_CONCERNS)
        saving = partial(portal.answer_fit, caller, pair_id)
        if sent_back := await _held_unless_saved(request, answer, saving, show):
            return sent_back
        flash(request, pages.translator(request).gettext("Thank you: your answer is saved."))
        return see_other(f"/pairs/{pair_id}")

    # ------------------------------------------------------------------ sessions
    @router.get("/pairs/{pair_id}/sessions")
    async def sessions(
        request: Request, pair_id: str, caller: CallerDep, mentee: str | None = None
    ) -> Response:
        page = await portal.pair(
            caller, pair_id, with_calendar=True, with_names=True, mentee=_mentee(mentee)
        )
        return pages.render(
            request,
            "sessions.html",
            page=page,
            mentee_feedback=await portal.mentee_feedback(caller, page),
            now=datetime.now(UTC),
            can_move=session_rules.can_move,
            can_mark=session_rules.can_mark,
            local_start=session_rules.local_start,
        )

    async def _session_answer(
        request: Request, caller: Caller, session_id: str, mentee: str | None = None
    ) -> Response:
        """The sessions page again (the group's mentor's ``mentee`` view kept), or the row."""
        session = await portal.session(caller, session_id)
        if not _is_htmx(request):
            back = _mentee_view(f"/pairs/{session.pair_id}/sessions", mentee)
            return see_other(f"{back}#session-{dom_id(session_id)}")
        page = await portal.pair(
            caller, session.pair_id, with_names=mentee is not None, mentee=mentee
        )
        return pages.render(
            request,
            "session_row.html",
            page=page,
            session=session,
            # A session is marked held only now: no one has given feedback on it yet.
            reading=page.reading if page.reads_mentee else None,
            mentee_feedback={},
            now=datetime.now(UTC),
            can_move=session_rules.can_move,
            can_mark=session_rules.can_mark,
            local_start=session_rules.local_start,
        )

    async def _session_view(caller: Caller, session_id: str, mentee: str | None) -> str | None:
        """The ``?mentee=`` view an action on a session comes back to.

        A malformed id, or one not of the session's series' mentees, is the 404 page before
        the action is taken.
        """
        picked = _mentee(mentee)
        if picked is not None:
            await portal.check_mentee_of_session(caller, session_id, picked)
        return picked

    def _session_action(
        name: str, action: Callable[[Caller, str], Awaitable[object]], message: str
    ) -> None:
        async def act(
            request: Request,
            session_id: str,
            caller: CallerDep,
            _: FormDep,
            mentee: str | None = None,
        ) -> Response:
            picked = await _session_view(caller, session_id, mentee)
            if await _attempt(request, action(caller, session_id)):
                flash(request, pages.translator(request).gettext(message))
            return await _session_answer(request, caller, session_id, picked)

        router.add_api_route(f"/sessions/{{session_id}}/{name}", act, methods=["POST"])

    _session_action("held", portal.mark_held, "The session is marked as held.")
    _session_action("missed", portal.mark_missed, "The session is marked as missed.")
    _session_action("cancel", portal.cancel, "The session is cancelled.")

    @router.post("/sessions/{session_id}/reschedule")
    async def reschedule(
        request: Request,
        session_id: str,
        caller: CallerDep,
        form: FormDep,
        mentee: str | None = None,
    ) -> Response:
        picked = await _session_view(caller, session_id, mentee)
        zone = _zone(str(form.get("time_zone", "UTC")))
        scope = "following" if form.get("scope") == "following" else "this"
        try:
            local = datetime.fromisoformat(f"{form.get('date', '')}T{form.get('time', '')}")
        except ValueError:
            flash(request, pages.translator(request).gettext("Give a valid date and time."))
            return await _session_answer(request, caller, session_id, picked)
        starts_at = local.replace(tzinfo=zone)
        if await _attempt(request, portal.reschedule(caller, session_id, starts_at, scope)):
            flash(request, pages.translator(request).gettext("The session is moved."))
        return await _session_answer(request, caller, session_id, picked)

    # ------------------------------------------------------------------ feedback
    @router.get("/sessions/{session_id}/feedback")
    async def feedback_form(request: Request, session_id: str, caller: CallerDep) -> Response:
        page = await portal.feedback_page(caller, session_id)
        return feedback_form_page(request, page)

    @router.post("/sessions/{session_id}/feedback")
    async def give_feedback(
        request: Request, session_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        page = await portal.feedback_page(caller, session_id)
        topics = page.program.topics
        answer = FeedbackAnswer.sent(form, (*topics.skills, *topics.goals))

        async def show(held: HeldForm[FeedbackAnswer], status_code: int) -> HTMLResponse:
            return feedback_form_page(request, page, status_code, held)

        saving = partial(portal.give_feedback, caller, session_id)
        if sent_back := await _held_unless_saved(
            request, answer, saving, show, own_words=FEEDBACK_OWN_WORDS
        ):
            return sent_back
        flash(request, pages.translator(request).gettext("Thank you: your feedback is saved."))
        return see_other(f"/pairs/{page.session.pair_id}")

    def feedback_form_page(
        request: Request,
        page: FeedbackPage,
        status_code: int = 200,
        held: HeldForm[FeedbackAnswer] | None = None,
    ) -> HTMLResponse:
        """The feedback form holding what was sent (``held``), else my earlier answer."""
        return pages.render(
            request,
            "feedback.html",
            status_code,
            page=page,
            answer=held.answer if held else FeedbackAnswer.given(page.mine),
            held=held,
            local_start=session_rules.local_start,
        )

    # ------------------------------------------------------------------ development plan
    @router.get("/pairs/{pair_id}/plan")
    async def plan(
        request: Request, pair_id: str, caller: CallerDep, mentee: str | None = None
    ) -> Response:
        return await plan_page(request, caller, pair_id, _mentee(mentee))

    async def plan_page(
        request: Request,
        caller: Caller,
        pair_id: str,
        mentee: str | None = None,
        *,
        goal: HeldForm[GoalAnswer] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """The pair's development plan; ``goal``: a goal form sent back, held as written."""
        page = await portal.pair(caller, pair_id, with_names=True, mentee=mentee)
        return pages.render(request, "plan.html", status_code, page=page, held_goal=goal)

    @router.post("/pairs/{pair_id}/goals")
    async def add_goal(
        request: Request, pair_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        async def show(held: HeldForm[GoalAnswer], status_code: int) -> HTMLResponse:
            return await plan_page(request, caller, pair_id, goal=held, status_code=status_code)

        saving = partial(portal.add_goal, caller, pair_id)
        if sent_back := await _held_unless_saved(request, GoalAnswer.sent(form), saving, show):
            return sent_back
        flash(request, pages.translator(request).gettext("The goal is added."))
        return see_other(f"/pairs/{pair_id}/plan")

    @router.post("/goals/{goal_id}")
    async def update_goal(
        request: Request, goal_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        pair_id = str(form.get("pair_id", ""))
        change: dict[str, Any] = {
            "milestones_reached": [int(str(i)) for i in form.getlist("reached") if str(i).isdigit()]
        }
        percent = str(form.get("progress_percent", ""))
        if percent.isdigit():
            change["progress_percent"] = int(percent)
        if await _attempt(request, portal.update_goal(caller, goal_id, change)):
            flash(request, pages.translator(request).gettext("Your progress is saved."))
        return see_other(f"/pairs/{quote(pair_id)}/plan" if pair_id else "/")

    # ------------------------------------------------------------------ choosing mentors
    @router.get("/programs/{program_id}/mentors")
    async def mentors(request: Request, program_id: str, caller: CallerDep) -> Response:
        choice = await portal.mentor_choice(caller, program_id)
        if not choice.program.mentees_choose:
            return pages.error(request, 404)
        return pages.render(
            request,
            "mentors.html",
            choice=choice,
            why=lambda candidate: (
                why_matched(candidate.contributions, choice.candidates.weights, candidate.in_common)
                if choice.candidates
                else None
            ),
            labelled=lambda values: labelled(values, choice.labels),
            errors={},
        )

    @router.post("/programs/{program_id}/mentors")
    async def choose_mentors(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        picks = [str(form.get(f"pick-{position}", "")) for position in range(3)]
        try:
            await portal.save_picks(caller, program_id, picks)
        except RegistrationRefused as refused:
            translator = pages.translator(request)
            flash(request, problem_lines(translator, refused.form_problems, MENTOR_CHOICE_LABELS))
            return see_other(f"/programs/{program_id}/mentors")
        except RuleError as refused:
            flash(request, rule_text(pages.translator(request), refused))
            return see_other(f"/programs/{program_id}/mentors")
        flash(request, pages.translator(request).gettext("Your choice of mentors is saved."))
        return see_other(f"/programs/{program_id}/mentors")

    # ------------------------------------------------------------------ surveys
    @router.get("/programs/{program_id}/surveys/{kind}")
    async def survey(request: Request, program_id: str, kind: str, caller: CallerDep) -> Response:
        if kind not in SURVEY_KINDS:
            return pages.error(request, 404)
        return await survey_form_page(request, caller, program_id, kind)

    @router.post("/programs/{program_id}/surveys/{kind}")
    async def answer_survey(
        request: Request, program_id: str, kind: str, caller: CallerDep, form: FormDep
    ) -> Response:
        if kind not in SURVEY_KINDS:
            return pages.error(request, 404)

        async def show(held: HeldForm[SurveyAnswer], status_code: int) -> HTMLResponse:
            return await survey_form_page(
                request, caller, program_id, kind, held=held, status_code=status_code
            )

        saving = partial(portal.answer_survey, caller, program_id, kind)
        if sent_back := await _held_unless_saved(request, SurveyAnswer.sent(form), saving, show):
            return sent_back
        flash(request, pages.translator(request).gettext("Thank you: your answers are saved."))
        return see_other("/")

    async def survey_form_page(
        request: Request,
        caller: Caller,
        program_id: str,
        kind: str,
        *,
        held: HeldForm[SurveyAnswer] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """The survey form holding what was sent (``held``), else my earlier answers.

        A form sent back is shown without asking feedback for the survey again (as open): it
        may not answer, or not know the program yet (its refusal says the rest).
        """
        if held is not None:
            program, offer = await portal.program(caller, program_id), None
            answer = held.answer
        else:
            program, offers = await asyncio.gather(
                portal.program(caller, program_id), portal.surveys(caller, program_id)
            )
            offer = next((o for o in offers if o.kind == kind), None)
            answer = SurveyAnswer.given(offer.my_answers if offer else None)
        return pages.render(
            request,
            "survey.html",
            status_code,
            program=program,
            kind=kind,
            offer=offer,
            answer=answer,
            held=held,
        )

    # ------------------------------------------------------------------ my data
    @router.get("/me/data")
    async def my_data(request: Request, caller: CallerDep) -> Response:
        overview, erasure = await asyncio.gather(
            portal.home(caller), portal.erasure_request(caller)
        )
        return pages.render(request, "my_data.html", home=overview, erasure=erasure)

    @router.post("/me/data/erasure-request")
    async def request_erasure(request: Request, caller: CallerDep, _: FormDep) -> Response:
        await portal.request_erasure(caller)
        flash(
            request,
            pages.translator(request).gettext(
                "Your erasure request was sent to the admins: they will erase your data."
            ),
        )
        return see_other("/me/data")

    @router.get("/me/data/export.json")
    async def export(caller: CallerDep) -> Response:
        bundle = await portal.export(caller)
        body = {
            "subject": bundle.subject,
            "exported_at": bundle.exported_at.isoformat(),
            "services": bundle.services,
            "not_available": bundle.unavailable,
        }
        return Response(
            json.dumps(body, indent=2, default=str),
            media_type="application/json",
            headers={"content-disposition": 'attachment; filename="my-mentorship-data.json"'},
        )

    @router.get("/me/notifications")
    async def notifications(request: Request, caller: CallerDep) -> Response:
        form = await portal.notification_preferences(caller)
        return pages.render(request, "notifications.html", form=form, errors={})

    @router.post("/me/notifications")
    async def save_notifications(request: Request, caller: CallerDep, form: FormDep) -> Response:
        values = {key: [str(v) for v in form.getlist(key)] for key in form}
        try:
            await portal.save_notification_preferences(caller, values)
        except PreferencesRefused as refused:
            errors = field_errors(pages.translator(request), refused.by_field)
            return pages.render(
                request, "notifications.html", 422, form=refused.form, errors=errors
            )
        flash(
            request, pages.translator(request).gettext("Your notification preferences are saved.")
        )
        return see_other("/me/notifications")

    async def _held_unless_saved[Answer: FormAnswer](
        request: Request,
        answer: Answer,
        saving: Callable[[dict[str, Any]], Awaitable[object]],
        show: Callable[[HeldForm[Answer], int], Awaitable[HTMLResponse]],
        *,
        own_words: Mapping[str, str] = NO_LABELS,
    ) -> HTMLResponse | None:
        """Save a participant's form: ``None`` once saved, else the form sent back holding it.

        A refusal's problems go beside the form's fields they name (``own_words``: the page's
        message for a field, said instead of the service's); a rule's refusal is said at the
        top, as the form may not be on the page; a service not answering leaves it unsaved.
        """
        translator = pages.translator(request)
        try:
            await saving(answer.request())
        except InvalidInputError as refused:
            errors = refused_fields(translator, refused, field_of(answer))
            errors |= {
                name: translator.gettext(words)
                for name, words in own_words.items()
                if name in errors
            }
            return await show(HeldForm(answer, errors), 422)
        except RuleError as refused:
            flash(request, refusal_lines(translator, refused))
            return await show(HeldForm(answer), 409)
        except ServiceUnavailable as failure:
            form = type(answer).__name__
            logger.warning(
                "a form was not saved (%s): %s",
                form,
                failure,
                extra={"form": form, "error": str(failure)},
            )
            return await show(HeldForm(answer, unsaved=True), 503)
        return None

    async def _attempt(request: Request, call: Awaitable[object]) -> bool:
        """Run a form's action; a refusal the person can fix becomes a message."""
        try:
            await call
        except RuleError as refused:
            # The portal's own refusals are catalogued (a service's pass through unchanged).
            flash(request, rule_text(pages.translator(request), refused))
            return False
        except InvalidInputError as refused:
            problems = [(path_field(path), message) for path, message in refused.problems]
            flash(request, problem_lines(pages.translator(request), problems))
            return False
        return True

    return router


def install_error_pages(app: Any, pages: Pages) -> None:
    """Refusals and failures as pages (and "sign in" where a sign-in is missing)."""

    async def not_signed_in(request: Request, _: Exception) -> Response:
        if request.method != "GET":
            return RedirectResponse("/signin", status_code=303)
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)

    async def sign_in_again(request: Request, _: Exception) -> Response:
        request.session.pop(_USER, None)
        return await not_signed_in(request, _)

    async def forbidden(request: Request, _: Exception) -> Response:
        return pages.error(request, 403)

    async def csrf(request: Request, _: Exception) -> Response:
        return pages.error(request, 403, "csrf")

    async def not_found(request: Request, _: Exception) -> Response:
        return pages.error(request, 404)

    async def refused(request: Request, error: Exception) -> Response:
        return pages.error(request, 409, str(error))

    async def unavailable(request: Request, error: Exception) -> Response:
        logger.warning("a service failed: %s", error, extra={"error": str(error)})
        return pages.error(request, 503, unsent=unsent(request))

    async def failed(request: Request, error: Exception) -> Response:
        logger.error("a page failed", exc_info=error)
        return pages.error(request, 500, unsent=unsent(request))

    app.add_exception_handler(Exception, failed)
    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(SignInRequired, sign_in_again)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(CsrfRejected, csrf)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ServiceUnavailable, unavailable)
    app.add_exception_handler(RuleError, refused)
