"""Wiring: the single place that builds the API clients, the use cases and the app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from mentorship_kit.http import install_api_conventions
from mentorship_kit.metrics import CONTENT_TYPE_LATEST, Metrics
from portal.adapters.api import KEEPALIVE_EXPIRY_S, ServiceClient
from portal.adapters.console import (
    ErasureAdminApi,
    MatchingAdminApi,
    OutcomeErasureApi,
    ProgramAdminApi,
    ReportsApi,
)
from portal.adapters.identity import IdentityProvider
from portal.adapters.operations import AccessApi, HealthApi, NudgeApi, PairsAdminApi
from portal.adapters.services import (
    ExportApi,
    FeedbackApi,
    MatchingApi,
    NotificationsApi,
    RaterLinksApi,
    RegistrationApi,
    SchedulingApi,
)
from portal.adapters.skills import SkillsApi
from portal.adapters.stories import StoriesApi
from portal.entrypoints.http.console import build_console_router
from portal.entrypoints.http.console_questionnaire import build_questionnaire_router
from portal.entrypoints.http.erasure import build_erasure_router
from portal.entrypoints.http.i18n import load_translations
from portal.entrypoints.http.operations import build_operations_router
from portal.entrypoints.http.outcome_erasure import build_outcome_erasure_router
from portal.entrypoints.http.pages import Pages, build_router, install_error_pages, make_environment
from portal.entrypoints.http.raters import build_rater_router
from portal.entrypoints.http.security import SecurityHeaders, bearer_matches
from portal.entrypoints.http.skills import build_skills_router
from portal.entrypoints.http.stories import build_stories_router
from portal.settings import PortalSettings
from portal.usecases.console import ProgramConsole
from portal.usecases.erasure import ErasureDesk, OutcomeEraser
from portal.usecases.operations import ProgramOperations
from portal.usecases.participant import ParticipantPortal
from portal.usecases.questionnaire_editor import QuestionnaireEditor
from portal.usecases.raters import RaterAnswers
from portal.usecases.skills import SkillsDesk
from portal.usecases.stories import StoryDesk, StoryModeration

STATIC = Path(__file__).parent / "entrypoints" / "http" / "static"
SESSION_COOKIE = "portal_session"
MIN_SECRET_LENGTH = 32


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _add_probes_and_metrics(
    app: FastAPI, identity: IdentityProvider, metrics: Metrics, metrics_token: SecretStr
) -> None:
    """Liveness, readiness (the identity provider answers) and the Prometheus exposition.

    The exposition asks for the scrape token when one is set: the Ingress sends every path to
    the portal.
    """

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            await identity.metadata()
            ready = True
        except Exception:  # noqa: BLE001 - any failure means not ready
            ready = False
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": {"identity": ready}},
            status_code=200 if ready else 503,
        )

    token = metrics_token.get_secret_value()

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        if token and not bearer_matches(request.headers.get("authorization"), token):
            return PlainTextResponse(
                "401 Unauthorized: /metrics needs `Authorization: Bearer <PORTAL_METRICS_TOKEN>`\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def build_app(settings: PortalSettings) -> FastAPI:
    """The portal's ASGI app."""
    secret = settings.portal_session_secret.get_secret_value()
    if len(secret) < MIN_SECRET_LENGTH:
        msg = f"PORTAL_SESSION_SECRET must be set to at least {MIN_SECRET_LENGTH} characters"
        raise ValueError(msg)
    # httpx logs every request's URL at INFO: a rater link's token is in its path, and the
    # token must never reach a log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    http = httpx.AsyncClient(
        timeout=settings.api_timeout_s,
        limits=httpx.Limits(
            max_connections=100, max_keepalive_connections=50, keepalive_expiry=KEEPALIVE_EXPIRY_S
        ),
    )

    def client(name: str, url: str) -> ServiceClient:
        return ServiceClient(name, http, url)

    registration = client("registration", settings.registration_url)
    scheduling = client("scheduling", settings.scheduling_url)
    feedback = client("feedback", settings.feedback_url)
    matching = client("matching", settings.matching_url)
    analytics = client("analytics", settings.analytics_url)
    notifications = client("notifications", settings.notifications_url)
    portal = ParticipantPortal(
        RegistrationApi(registration),
        MatchingApi(matching),
        SchedulingApi(scheduling),
        FeedbackApi(feedback),
        ExportApi([registration, matching, scheduling, feedback, analytics, notifications]),
        notifications=NotificationsApi(notifications),
    )
    console = ProgramConsole(
        ProgramAdminApi(registration),
        MatchingAdminApi(matching),
        ReportsApi(analytics, export_timeout_s=settings.api_export_timeout_s),
    )
    operations = ProgramOperations(
        ProgramAdminApi(registration),
        MatchingAdminApi(matching),
        AccessApi(registration),
        PairsAdminApi(matching),
        HealthApi(analytics),
        NudgeApi(notifications),
    )
    identity = IdentityProvider(settings)
    pages = Pages(make_environment(), load_translations())
    metrics = Metrics("portal")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await http.aclose()

    app = FastAPI(
        title="Mentorship portal",
        description="The participants' web app and the program managers' console.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_api_conventions(app, metrics)
    install_error_pages(app, pages)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return pages.error(request, error.status_code)

    app.add_exception_handler(StarletteHTTPException, http_error)
    skills = SkillsDesk(
        RegistrationApi(registration), SchedulingApi(scheduling), SkillsApi(feedback)
    )
    app.include_router(
        build_router(portal, identity, pages, settings.portal_base_url, skills=skills)
    )
    directory = ErasureAdminApi(registration)
    app.include_router(build_erasure_router(ErasureDesk(directory), pages))
    app.include_router(
        build_outcome_erasure_router(
            OutcomeEraser(OutcomeErasureApi(feedback), directory),
            pages,
            admin_role=settings.auth_admin_role,
        )
    )
    app.include_router(build_console_router(console, pages, admin_role=settings.auth_admin_role))
    app.include_router(build_rater_router(RaterAnswers(RaterLinksApi(feedback)), pages))
    app.include_router(
        build_questionnaire_router(QuestionnaireEditor(ProgramAdminApi(registration)), pages)
    )
    app.include_router(build_operations_router(operations, pages))
    stories = StoriesApi(feedback)
    app.include_router(
        build_stories_router(
            StoryDesk(RegistrationApi(registration), stories),
            StoryModeration(ProgramAdminApi(registration), stories),
            pages,
            admin_role=settings.auth_admin_role,
        )
    )
    app.include_router(
        build_skills_router(
            skills,
            pages,
            base_url=settings.portal_base_url,
        )
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    _add_probes_and_metrics(app, identity, metrics, settings.portal_metrics_token)
    app.add_middleware(SecurityHeaders, identity_origin=_origin(settings.oidc_issuer))
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.portal_session_max_age_s,
        same_site="lax",
        https_only=settings.portal_cookie_secure,
    )
    return app
