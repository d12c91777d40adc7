"""Wiring: the one place that builds the matching service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from matching.adapters.pool import MatchingPool
from matching.handlers.api import matching_router
from matching.handlers.pool_events import register_pool_handlers
from matching.settings import MatchingServiceSettings
from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: MatchingServiceSettings | None = None) -> FastAPI:
    """The matching service's ASGI app."""
    settings = settings or MatchingServiceSettings()
    runtime = ServiceRuntime(settings)
    pool = MatchingPool(runtime.database)
    runtime.add_indexes(*pool.indexes())
    register_pool_handlers(runtime.handlers, pool)
    return create_http_app(
        runtime,
        title="Mentorship matching",
        description="Optimal, explainable matching of mentors and mentees.",
        routers=[matching_router(pool)],
    )
