"""Wiring: the one place that builds the analytics service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from analytics.adapters.participants import ParticipantsReadModel
from analytics.handlers.api import reports_router
from analytics.handlers.projections import register_projections
from analytics.settings import AnalyticsSettings
from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: AnalyticsSettings | None = None) -> FastAPI:
    """The analytics service's ASGI app."""
    settings = settings or AnalyticsSettings()
    runtime = ServiceRuntime(settings)
    participants = ParticipantsReadModel(runtime.database)
    runtime.add_indexes(participants.indexes())
    register_projections(runtime.handlers, participants)
    return create_http_app(
        runtime,
        title="Mentorship analytics",
        description="Live reports projected from every event stream.",
        routers=[reports_router(participants)],
    )
