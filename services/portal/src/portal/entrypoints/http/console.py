"""The program manager's console: FastAPI routes under ``/console`` rendering Jinja2 templates.

The same machinery as the participant pages (`portal.entrypoints.http.pages`): sign-in,
layout, CSRF on every form, post-redirect-get, gettext; htmx only follows a run's progress.
Every refusal of a service becomes the portal's error page (403 when a service says the
program is not the caller's), or the form again with each problem beside its field.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.domain.console import (
    CADENCES,
    FORMATS,
    GOALS,
    MATCHING_MODES,
    PROPOSAL_SORTS,
    SETTINGS_FIELDS,
    WEIGHTS,
    RegistrationFilter,
    criterion_maxima,
    default_settings,
    matching_form,
    registrations_csv,
    score_bars,
    settings_of,
    sort_pairs,
)
from portal.domain.dashboard import charts, key_figures, topic_label
from portal.domain.refusals import PROGRAM_LABELS
from portal.entrypoints.http.pages import (
    Pages,
    checked_form,
    checked_id,
    flash,
    require_caller,
    see_other,
)
from portal.entrypoints.http.refusals import field_errors, refusal_lines, translated_labels
from portal.usecases.console import ProgramConsole, SettingsRefused
from portal.usecases.participant import Caller

REVIEW_STEPS = frozenset(
    {"pairing_algorithm", "participant_access", "review_email_invites", "review_pairing_process"}
)
MOVES = frozenset({"registration_open", "matching", "closed"})
ROLES = ("mentee", "mentor", "both")
STATUSES = ("active", "withdrawn")
MAX_IMPORT_BYTES = 5_000_000


def _csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def build_console_router(  # noqa: PLR0915 - one function per route, closed over the wiring
    console: ProgramConsole, pages: Pages, *, admin_role: str
) -> APIRouter:
    """Every page and form of the program manager's console."""
    router = APIRouter(prefix="/console", include_in_schema=False)
    CallerDep = Annotated[Caller, Depends(require_caller)]  # noqa: N806 - a type alias
    FormDep = Annotated[FormData, Depends(checked_form)]  # noqa: N806

    def settings_page(
        request: Request,
        values: dict[str, str],
        errors: dict[str, str],
        program: Any = None,
        status_code: int = 200,
    ) -> Response:
        return pages.render(
            request,
            "console/program_form.html",
            status_code,
            values=values,
            errors=errors,
            error_labels=translated_labels(pages.translator(request), PROGRAM_LABELS),
            program=program,
            goals=GOALS,
            formats=FORMATS,
            cadences=CADENCES,
            matching_modes=MATCHING_MODES,
            section="settings",
        )

    # ------------------------------------------------------------------ programs
    @router.get("")
    async def home(request: Request, caller: CallerDep) -> Response:
        cards = await console.programs(caller)
        return pages.render(
            request, "console/home.html", cards=cards, is_admin=admin_role in caller.roles
        )

    @router.get("/programs/new")
    async def new_program(request: Request, _: CallerDep) -> Response:
        return settings_page(request, default_settings(datetime.now(UTC).date()), {})

    @router.post("/programs")
    async def create_program(request: Request, caller: CallerDep, form: FormDep) -> Response:
        values = {name: str(form.get(name, "")) for name in SETTINGS_FIELDS}
        try:
            program = await console.create(caller, values)
        except SettingsRefused as refused:
            return settings_page(
                request,
                values,
                field_errors(pages.translator(request), refused.by_field),
                status_code=422,
            )
        flash(
            request,
            pages.translator(request).gettext(
                "The program is created as a draft. Next: the steps left."
            ),
        )
        return see_other(f"/console/programs/{program.program_id}")

    @router.get("/programs/{program_id}")
    async def program_page(request: Request, program_id: str, caller: CallerDep) -> Response:
        card = await console.program(caller, program_id)
        return pages.render(
            request,
            "console/program.html",
            program=card.program,
            launch=card.launch,
            review_steps=REVIEW_STEPS,
            section="overview",
        )

    @router.get("/programs/{program_id}/settings")
    async def settings_form(request: Request, program_id: str, caller: CallerDep) -> Response:
        card = await console.program(caller, program_id)
        return settings_page(request, settings_of(card.program), {}, card.program)

    @router.post("/programs/{program_id}/settings")
    async def save_settings(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values = {name: str(form.get(name, "")) for name in SETTINGS_FIELDS}
        try:
            await console.revise(caller, program_id, values)
        except SettingsRefused as refused:
            card = await console.program(caller, program_id)
            return settings_page(
                request,
                values,
                field_errors(pages.translator(request), refused.by_field),
                card.program,
                422,
            )
        flash(request, pages.translator(request).gettext("The program's settings are saved."))
        return see_other(f"/console/programs/{program_id}")

    MATCHING_FIELDS = (  # noqa: N806 - a constant of the routes
        *(f"weight_{name}" for name in WEIGHTS),
        "max_time_zone_gap_hours",
        "reporting_line_depth",
        "min_cross_department_share",
        "max_pairs_per_department",
        "require_shared_language",
        "in_person_required",
        "maximise_worst_pair",
    )

    async def matching_settings_page(
        request: Request,
        caller: Caller,
        program_id: str,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        card = await console.program(caller, program_id)
        return pages.render(
            request,
            "console/matching_settings.html",
            status_code,
            program=card.program,
            values=values or matching_form(card.program.matching),
            errors=errors or {},
            weights=WEIGHTS,
            section="matching",
        )

    @router.get("/programs/{program_id}/matching/settings")
    async def matching_settings(request: Request, program_id: str, caller: CallerDep) -> Response:
        return await matching_settings_page(request, caller, program_id)

    @router.post("/programs/{program_id}/matching/settings")
    async def save_matching_settings(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        values = {name: str(form.get(name, "")) for name in MATCHING_FIELDS}
        try:
            await console.save_matching_settings(caller, program_id, values)
        except SettingsRefused as refused:
            return await matching_settings_page(
                request,
                caller,
                program_id,
                values=values,
                errors=field_errors(pages.translator(request), refused.by_field),
                status_code=422,
            )
        flash(request, pages.translator(request).gettext("The matching settings are saved."))
        return see_other(f"/console/programs/{program_id}/matching/settings")

    @router.post("/programs/{program_id}/launch/{step}")
    async def mark_reviewed(
        request: Request, program_id: str, step: str, caller: CallerDep, _: FormDep
    ) -> Response:
        if step not in REVIEW_STEPS:
            return pages.error(request, 404)
        await console.mark_reviewed(caller, program_id, step)
        flash(request, pages.translator(request).gettext("The step is marked as reviewed."))
        return see_other(f"/console/programs/{program_id}#step-{step}")

    @router.post("/programs/{program_id}/lifecycle")
    async def move(request: Request, program_id: str, caller: CallerDep, form: FormDep) -> Response:
        to = str(form.get("to", ""))
        if to not in MOVES:
            return pages.error(request, 404)
        try:
            await console.move(caller, program_id, to)
        except RuleError as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}")
        messages = {
            "registration_open": pages.translator(request).gettext("Registration is open."),
            "matching": pages.translator(request).gettext(
                "Registration is closed: the program is matching."
            ),
            "closed": pages.translator(request).gettext("The program is closed."),
        }
        flash(request, messages[to])
        return see_other(f"/console/programs/{program_id}")

    @router.post("/programs/{program_id}/agenda")
    async def agenda(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        try:
            await console.set_agenda(caller, program_id, str(form.get("agenda", "")))
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}#step-plan_session_content")
        flash(request, pages.translator(request).gettext("The sessions' content is planned."))
        return see_other(f"/console/programs/{program_id}#step-plan_session_content")

    # ------------------------------------------------------------------ registrations
    def narrowed_by(request: Request) -> RegistrationFilter:
        query = request.query_params
        return RegistrationFilter(
            search=query.get("q", "")[:200],
            role=query.get("role", "") if query.get("role", "") in ROLES else "",
            department=query.get("department", "")[:200],
            status=query.get("status", "") if query.get("status", "") in STATUSES else "",
        )

    async def registrations_page(
        request: Request,
        caller: Caller,
        program_id: str,
        status_code: int = 200,
        **extra: Any,
    ) -> Response:
        narrowed = narrowed_by(request)
        table = await console.registrations(caller, program_id, narrowed)
        return pages.render(
            request,
            "console/registrations.html",
            status_code,
            program=table.program,
            table=table,
            narrowed=narrowed,
            roles=ROLES,
            statuses=STATUSES,
            section="registrations",
            **extra,
        )

    @router.get("/programs/{program_id}/registrations")
    async def registrations(request: Request, program_id: str, caller: CallerDep) -> Response:
        return await registrations_page(request, caller, program_id)

    @router.get("/programs/{program_id}/registrations.csv")
    async def registrations_export(
        request: Request, program_id: str, caller: CallerDep
    ) -> Response:
        table = await console.registrations(caller, program_id, narrowed_by(request))
        return _csv_response(registrations_csv(table.shown), f"registrations-{program_id}.csv")

    @router.post("/programs/{program_id}/registrations/import")
    async def import_registrations(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        upload = form.get("file")
        content = await upload.read(MAX_IMPORT_BYTES + 1) if isinstance(upload, UploadFile) else b""
        if not content:
            return await registrations_page(
                request,
                caller,
                program_id,
                422,
                import_error=pages.translator(request).gettext("Choose a CSV file to import."),
            )
        if len(content) > MAX_IMPORT_BYTES:
            return await registrations_page(
                request,
                caller,
                program_id,
                413,
                import_error=pages.translator(request).gettext("The file is larger than 5 MB."),
            )
        try:
            result = await console.import_csv(caller, program_id, content)
        except (InvalidInputError, RuleError) as refused:
            lines = refusal_lines(pages.translator(request), refused)
            message = lines[0] if len(lines) == 1 else lines
            return await registrations_page(request, caller, program_id, 422, import_error=message)
        return await registrations_page(request, caller, program_id, imported=result)

    # ------------------------------------------------------------------ matching
    @router.get("/programs/{program_id}/matching")
    async def matching(request: Request, program_id: str, caller: CallerDep) -> Response:
        program, runs = await console.runs(caller, program_id)
        return pages.render(
            request, "console/matching.html", program=program, runs=runs, section="matching"
        )

    def pins_of(form: FormData) -> list[tuple[str, str]]:
        mentees = [str(v) for v in form.getlist("pin_mentee")]
        mentors = [str(v) for v in form.getlist("pin_mentor")]
        return [
            (checked_id(mentee), checked_id(mentor))
            for mentee, mentor in zip(mentees, mentors, strict=False)
            if mentee and mentor
        ]

    async def start(request: Request, caller: Caller, program_id: str, form: FormData) -> Response:
        try:
            run = await console.start_run(caller, program_id, pins_of(form))
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/matching")
        flash(request, pages.translator(request).gettext("Matching has started."))
        return see_other(f"/console/programs/{program_id}/matching/runs/{run.run_id}")

    @router.post("/programs/{program_id}/matching/runs")
    async def start_run(
        request: Request, program_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        return await start(request, caller, program_id, form)

    @router.get("/programs/{program_id}/matching/runs/{run_id}")
    async def run_page(
        request: Request, program_id: str, run_id: str, caller: CallerDep
    ) -> Response:
        page = await console.run(caller, program_id, run_id)
        order = request.query_params.get("sort", "-score")
        order = order if order in PROPOSAL_SORTS else "-score"
        search = request.query_params.get("q", "").strip().casefold()[:200]
        pairs = list(page.proposal.pairs) if page.proposal else []
        maxima = criterion_maxima(pairs)
        if search:
            pairs = [
                pair
                for pair in pairs
                if search in page.names.get(pair.mentee_participant_id, "").casefold()
                or search in page.names.get(pair.mentor_participant_id, "").casefold()
            ]
        why_not = None
        mentee = request.query_params.get("mentee", "")
        mentor = request.query_params.get("mentor", "")
        if mentee and mentor:
            why_not = await console.why_not(caller, run_id, checked_id(mentee), checked_id(mentor))
        return pages.render(
            request,
            "console/run.html",
            program=page.program,
            page=page,
            run=page.run,
            pairs=sort_pairs(pairs, order, page.names),
            order=order,
            search=request.query_params.get("q", ""),
            maxima=maxima,
            bars=lambda pair: score_bars(pair.contributions, maxima),
            why_not=why_not,
            chosen_mentee=mentee,
            chosen_mentor=mentor,
            section="matching",
        )

    @router.get("/programs/{program_id}/matching/runs/{run_id}/progress")
    async def run_progress(
        request: Request, program_id: str, run_id: str, caller: CallerDep
    ) -> Response:
        run = await console.run_status(caller, run_id)
        response = pages.render(
            request, "console/run_progress.html", program_id=program_id, run=run
        )
        if not run.active:
            response.headers["HX-Refresh"] = "true"  # the whole page, with the proposal
        return response

    @router.post("/programs/{program_id}/matching/runs/{run_id}/pin")
    async def pin(
        request: Request, program_id: str, run_id: str, caller: CallerDep, form: FormDep
    ) -> Response:
        current = await console.run_status(caller, run_id)
        pins = [(p.mentee_participant_id, p.mentor_participant_id) for p in current.pins]
        pins += pins_of(form)
        forbids = [
            (p.mentee_participant_id, p.mentor_participant_id)
            for p in current.forbids
            if (p.mentee_participant_id, p.mentor_participant_id) not in pins
        ]
        try:
            run = await console.start_run(caller, program_id, pins, forbids)
        except (RuleError, InvalidInputError) as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/matching/runs/{run_id}")
        flash(
            request,
            pages.translator(request).gettext("The pair is pinned: matching runs again with it."),
        )
        return see_other(f"/console/programs/{program_id}/matching/runs/{run.run_id}")

    @router.post("/programs/{program_id}/matching/runs/{run_id}/approve")
    async def approve(
        request: Request, program_id: str, run_id: str, caller: CallerDep, _: FormDep
    ) -> Response:
        try:
            await console.approve(caller, run_id)
        except RuleError as refused:
            flash(request, refusal_lines(pages.translator(request), refused))
            return see_other(f"/console/programs/{program_id}/matching/runs/{run_id}")
        flash(
            request,
            pages.translator(request).gettext(
                "The proposal is approved: the pairs are being created."
            ),
        )
        return see_other(f"/console/programs/{program_id}/pairs")

    @router.get("/programs/{program_id}/pairs")
    async def pairs(request: Request, program_id: str, caller: CallerDep) -> Response:
        program, found, names = await console.pairs(caller, program_id)
        return pages.render(
            request,
            "console/pairs.html",
            program=program,
            pairs=found,
            names=names,
            section="pairs",
        )

    # ------------------------------------------------------------------ reports
    @router.get("/programs/{program_id}/reports")
    async def reports(
        request: Request,
        program_id: str,
        caller: CallerDep,
        mentors_cursor: Annotated[str | None, Query(max_length=512)] = None,
    ) -> Response:
        program, found, labels = await console.reports(
            caller, program_id, mentors_cursor=mentors_cursor
        )
        return pages.render(
            request,
            "console/reports.html",
            program=program,
            reports=found,
            mentors_cursor=mentors_cursor,
            figures=key_figures(found),
            charts=charts(found, labels),
            topic_name=partial(topic_label, labels=labels),
            section="reports",
        )

    @router.get("/programs/{program_id}/reports/{name}.csv")
    async def report_csv(program_id: str, name: str, caller: CallerDep) -> Response:
        text = await console.report_csv(caller, program_id, name)
        return _csv_response(text, f"{name}-{program_id}.csv")

    return router
