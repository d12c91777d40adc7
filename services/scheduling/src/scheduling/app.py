"""Wiring: the one place that builds the scheduling service's parts."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Transactor
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime
from scheduling.adapters.migrations import backfill_series_lacking_lookups
from scheduling.adapters.pairs import PairRepository, program_store
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.planning import PlanningRules
from scheduling.entrypoints.http.calendar import calendar_router
from scheduling.entrypoints.http.errors import ERROR_MAPPERS
from scheduling.entrypoints.http.export import export_router
from scheduling.entrypoints.http.pairs import pairs_router
from scheduling.entrypoints.http.sessions import sessions_router
from scheduling.entrypoints.subscriptions import subscribe
from scheduling.entrypoints.workers import PlanningWorker, ReminderWorker
from scheduling.settings import SchedulingSettings
from scheduling.usecases.calendar import Calendars
from scheduling.usecases.export import PersonalDataExport
from scheduling.usecases.pairs import Pairs
from scheduling.usecases.participants import Participants
from scheduling.usecases.planning import Planner
from scheduling.usecases.programs import Programs
from scheduling.usecases.reminders import Reminders
from scheduling.usecases.sessions import SessionService


class Scheduling:
    """Scheduling's repositories and use cases over one database."""

    def __init__(
        self, settings: SchedulingSettings, database: Database, transactor: Transactor
    ) -> None:
        self.programs = program_store(database)
        self.pair_records = PairRepository(database)
        self.people = People(database)
        self.series = SeriesRepository(database)
        self.sessions = SessionRepository(database)
        self.managers = ProgramManagers(database)
        self.indexes = (
            self.managers.indexes(),
            self.programs.indexes(),
            self.pair_records.indexes(),
            *self.people.indexes(),
            self.series.indexes(),
            self.sessions.indexes(),
        )
        self.planner = Planner(
            transactor,
            programs=self.programs,
            pairs=self.pair_records,
            series=self.series,
            sessions=self.sessions,
            people=self.people,
            rules=PlanningRules(
                weekday=settings.default_weekday,
                lead_days=settings.first_session_lead_days,
                flash_sessions=settings.flash_sessions,
            ),
            reminder_leads=settings.reminder_leads,
            batch_size=settings.planning_batch_size,
        )
        self.pairs = Pairs(pairs=self.pair_records, people=self.people, planner=self.planner)
        self.participants = Participants(people=self.people, pairs=self.pairs, planner=self.planner)
        self.program_events = Programs(self.programs, self.planner)
        self.session_service = SessionService(
            transactor,
            programs=self.programs,
            pairs=self.pair_records,
            series=self.series,
            sessions=self.sessions,
            people=self.people,
            reminder_leads=settings.reminder_leads,
            managers=self.managers,
        )
        self.calendars = Calendars(
            people=self.people, sessions=self.session_service, programs=self.program_events
        )
        self.reminders = Reminders(
            transactor,
            self.series,
            self.sessions,
            settings.reminder_batch_size,
            backfill=partial(backfill_series_lacking_lookups, database),
        )
        self.export = PersonalDataExport(self.people, self.series, self.sessions)


def build_app(settings: SchedulingSettings | None = None) -> FastAPI:
    """The scheduling service's ASGI app."""
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(settings)
    scheduling = Scheduling(settings, runtime.database, runtime.transactor)
    runtime.add_indexes(*scheduling.indexes)
    subscribe(
        runtime.handlers,
        programs=scheduling.program_events,
        participants=scheduling.participants,
        pairs=scheduling.pairs,
        managers=scheduling.managers,
    )
    planning = PlanningWorker(scheduling.planner, runtime.metrics, poll_s=settings.planning_poll_s)
    runtime.add_background_loop("planning", planning.run)
    reminders = ReminderWorker(
        scheduling.reminders, runtime.metrics, poll_s=settings.reminder_poll_s
    )
    runtime.add_background_loop("reminders", reminders.run)
    caller, _ = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship scheduling",
        description=(
            "Session series for every pair at the program's cadence, changes by the pair's "
            "members, reminders, and a secret iCalendar feed per person. Members call with "
            "their own JWT; admins with the admin token or role, program managers with a JWT "
            "naming them a manager of the program (403 for any other program). "
            "`GET /v1/me/export` gives a participant everything this service holds about them."
        ),
        routers=[
            sessions_router(scheduling.session_service, caller),
            calendar_router(scheduling.calendars, caller, feed_base_url=settings.feed_base),
            pairs_router(scheduling.pairs, caller, scheduling.managers),
            export_router(scheduling.export, caller),
        ],
        error_mappers=ERROR_MAPPERS,
    )
