"""Wiring: the one place that builds the feedback service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.entrypoints.http.errors import ERROR_MAPPERS
from feedback.entrypoints.http.routes import feedback_router
from feedback.entrypoints.subscriptions import register_event_handlers
from feedback.settings import FeedbackSettings
from feedback.usecases.access import Access
from feedback.usecases.development import DevelopmentService
from feedback.usecases.erasure import Erasure
from feedback.usecases.export import PersonalDataExport
from feedback.usecases.facts import Facts
from feedback.usecases.relationship import RelationshipService
from feedback.usecases.session_feedback import FeedbackService
from feedback.usecases.surveys import SurveyService
from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: FeedbackSettings | None = None) -> FastAPI:
    """The feedback service's ASGI app."""
    settings = settings or FeedbackSettings()
    runtime = ServiceRuntime(settings)
    database = runtime.database
    directory = Directory(database)
    held = HeldSessions(database)
    feedback = Records(
        database, "session_feedback", SessionFeedback, "feedback_id", "session_id", "participant_id"
    )
    fits = Records(database, "fit_reports", FitReport, "report_id", "pair_id", "participant_id")
    agreements = Records(database, "agreements", Agreement, "pair_id")
    goals = Records(database, "goals", Goal, "goal_id", "pair_id", "participant_id")
    surveys = Records(
        database, "survey_responses", SurveyResponse, "response_id", "program_id", "participant_id"
    )
    runtime.add_indexes(
        *directory.indexes(),
        *held.indexes(),
        *(store.indexes() for store in (feedback, fits, agreements, goals, surveys)),
    )
    erasure = Erasure(
        directory,
        held,
        feedback=feedback,
        fits=fits,
        agreements=agreements,
        goals=goals,
        surveys=surveys,
    )
    managers = ProgramManagers(database)
    runtime.add_indexes(managers.indexes())
    register_event_handlers(runtime.handlers, Facts(directory, held), erasure, managers)
    access = Access(directory, held, managers)
    transactor = runtime.transactor
    caller, _ = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship feedback",
        description=(
            "Session feedback, pairing fit, mentoring agreements, development plans, program "
            "surveys and session agendas. Participants call with their own JWT and act only "
            "on their own pairs and sessions; admins, and a program's managers in their "
            "program, read (403 in other programs). `GET /v1/me/export` gives a "
            "participant everything this service holds about them."
        ),
        routers=[
            feedback_router(
                feedback=FeedbackService(transactor, access, feedback),
                relationship=RelationshipService(
                    transactor, access, fits=fits, agreements=agreements, goals=goals
                ),
                development=DevelopmentService(transactor, access, goals),
                surveys=SurveyService(
                    transactor,
                    access,
                    directory,
                    surveys,
                    closing_lead_days=settings.survey_closing_lead_days,
                    grace_days=settings.survey_grace_days,
                ),
                export=PersonalDataExport(
                    directory,
                    held,
                    feedback=feedback,
                    fits=fits,
                    agreements=agreements,
                    goals=goals,
                    surveys=surveys,
                ),
                caller=caller,
            )
        ],
        error_mappers=ERROR_MAPPERS,
    )
