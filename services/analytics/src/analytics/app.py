"""Wiring: the one place that builds the analytics service's parts."""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from analytics.adapters.outcome_models import OrganisationModels
from analytics.adapters.read_models import COUNTER_SLOTS, ReadModels
from analytics.domain.facts import PROJECTED_EVENTS
from analytics.entrypoints.http.dashboard import dashboard_router
from analytics.entrypoints.http.export import export_router
from analytics.entrypoints.http.outcomes import outcomes_router, skills_growth_router
from analytics.entrypoints.http.reports import reports_router
from analytics.entrypoints.metrics import AnalyticsMetrics
from analytics.entrypoints.subscriptions import Projector
from analytics.entrypoints.workers import BusinessGauges
from analytics.settings import AnalyticsSettings
from analytics.usecases.export import PersonalDataExport
from analytics.usecases.figures import BusinessFigures
from analytics.usecases.outcomes import OutcomeReports
from analytics.usecases.projection import Projection
from analytics.usecases.rebuild import Rebuilder
from analytics.usecases.reports import ReportService
from analytics.usecases.skills_growth import SkillsGrowthReports
from mentorship_kit.auth import Authenticator, program_manager
from mentorship_kit.consumer import Idempotence
from mentorship_kit.http import create_http_app
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: AnalyticsSettings | None = None) -> FastAPI:
    """The analytics service's ASGI app."""
    settings = settings or AnalyticsSettings()
    # The folds and the aggregates are idempotent themselves: offsets suffice (README).
    runtime = ServiceRuntime(settings, idempotence=Idempotence.OFFSETS)
    models = ReadModels(runtime.database, slot=secrets.randbelow(COUNTER_SLOTS))
    rebuilder = Rebuilder(models, runtime.transactor)
    runtime.add_indexes(*models.indexes())
    metrics = AnalyticsMetrics(runtime.metrics)
    managers = ProgramManagers(runtime.database)
    runtime.add_indexes(managers.indexes())
    Projector(Projection(models), metrics).subscribe(runtime.handlers, PROJECTED_EVENTS, managers)
    gauges = BusinessGauges(
        BusinessFigures(models),
        metrics,
        interval_s=settings.analytics_gauge_interval_s,
        label_limit=settings.analytics_program_label_limit,
    )
    runtime.add_background_loop("business-gauges", gauges.run)
    runtime.add_background_loop("aggregates-migration", rebuilder.migrate)
    caller, admin = Authenticator(settings).dependencies()
    reader = program_manager(caller, managers.of)
    return create_http_app(
        runtime,
        title="Mentorship analytics",
        description=(
            "Live reports projected from every event stream: registration, pairing, sessions, "
            "scores, skills and goals, health flags, business outcomes against a comparison "
            "group; each as JSON or CSV, and a dashboard at /dashboard?program=<id>. Reports "
            "need an admin token or role, or a JWT of a manager of the program (403 for any "
            "other program); a participant reads what the read models hold about them at "
            "`/v1/me/export`."
        ),
        routers=[
            skills_growth_router(SkillsGrowthReports(models), reader),
            outcomes_router(OutcomeReports(models, OrganisationModels(runtime.database)), reader),
            reports_router(
                ReportService(models, inactive_after_days=settings.analytics_inactive_pair_days),
                rebuilder,
                reader,
                admin,
            ),
            dashboard_router(),
            export_router(PersonalDataExport(models), caller),
        ],
    )
