"""Wiring: the one place that builds the scheduling service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime
from scheduling.adapters.pairs import SchedulingPairs
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.planning import PlanningRules
from scheduling.handlers.api.calendar import calendar_router
from scheduling.handlers.api.errors import ERROR_MAPPERS
from scheduling.handlers.api.pairs import pairs_router
from scheduling.handlers.api.sessions import sessions_router
from scheduling.handlers.events import register_event_handlers
from scheduling.handlers.planning import Planner
from scheduling.handlers.programs import ProgramNames
from scheduling.handlers.reminders import ReminderSender
from scheduling.handlers.sessions import SessionService
from scheduling.settings import SchedulingSettings


def build_app(settings: SchedulingSettings | None = None) -> FastAPI:
    """The scheduling service's ASGI app."""
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(settings)
    store = SchedulingPairs(runtime.database)
    people = People(runtime.database)
    series = SeriesRepository(runtime.database)
    sessions = SessionRepository(runtime.database)
    runtime.add_indexes(*store.indexes(), *people.indexes(), series.indexes(), sessions.indexes())

    planner = build_planner(settings, store, people, series, sessions)
    register_event_handlers(runtime.handlers, store, people, planner)
    service = SessionService(
        runtime.transactor,
        programs=store.programs,
        series=series,
        sessions=sessions,
        people=people,
        reminder_leads=settings.reminder_leads,
    )
    reminders = ReminderSender(
        runtime.transactor,
        sessions,
        runtime.metrics,
        poll_s=settings.reminder_poll_s,
        batch_size=settings.reminder_batch_size,
    )
    runtime.add_background_loop("reminders", reminders.run)
    caller, admin = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship scheduling",
        description=(
            "Session series for every pair at the program's cadence, changes by the pair's "
            "members, reminders, and a secret iCalendar feed per person. Members call with "
            "their own JWT; admins with the admin token or role."
        ),
        routers=[
            sessions_router(service, caller, admin),
            calendar_router(
                service,
                people,
                ProgramNames(store.programs),
                caller,
                feed_base_url=settings.feed_base_url,
            ),
            pairs_router(store, admin),
        ],
        error_mappers=ERROR_MAPPERS,
    )


def build_planner(
    settings: SchedulingSettings,
    store: SchedulingPairs,
    people: People,
    series: SeriesRepository,
    sessions: SessionRepository,
) -> Planner:
    """The planner that keeps series in step with pairs and programs, per the settings."""
    return Planner(
        programs=store.programs,
        series=series,
        sessions=sessions,
        people=people,
        rules=PlanningRules(
            weekday=settings.default_weekday,
            lead_days=settings.first_session_lead_days,
            flash_sessions=settings.flash_sessions,
        ),
        reminder_leads=settings.reminder_leads,
    )
