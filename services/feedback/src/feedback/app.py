"""Wiring: the one place that builds the feedback service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from feedback.adapters.sessions import HeldSessions
from feedback.handlers.api import feedback_router
from feedback.handlers.session_events import register_session_handlers
from feedback.settings import FeedbackSettings
from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: FeedbackSettings | None = None) -> FastAPI:
    """The feedback service's ASGI app."""
    settings = settings or FeedbackSettings()
    runtime = ServiceRuntime(settings)
    held = HeldSessions(runtime.database)
    runtime.add_indexes(*held.indexes())
    register_session_handlers(runtime.handlers, held)
    return create_http_app(
        runtime,
        title="Mentorship feedback",
        description="Session feedback, pairing fit, surveys, goals and skills.",
        routers=[feedback_router(held)],
    )
