"""Wiring: the one place that builds the scheduling service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime
from scheduling.adapters.pairs import SchedulingPairs
from scheduling.handlers.api import scheduling_router
from scheduling.handlers.pair_events import register_pair_handlers
from scheduling.settings import SchedulingSettings


def build_app(settings: SchedulingSettings | None = None) -> FastAPI:
    """The scheduling service's ASGI app."""
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(settings)
    store = SchedulingPairs(runtime.database)
    runtime.add_indexes(*store.indexes())
    register_pair_handlers(runtime.handlers, store)
    return create_http_app(
        runtime,
        title="Mentorship scheduling",
        description="Session series, changes, reminders and calendar feeds.",
        routers=[scheduling_router(store)],
    )
