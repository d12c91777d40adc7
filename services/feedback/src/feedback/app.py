"""Wiring: the one place that builds the feedback service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.handlers.access import Access
from feedback.handlers.api.routes import feedback_router
from feedback.handlers.development import DevelopmentService
from feedback.handlers.erasure import Erasure
from feedback.handlers.events import register_event_handlers
from feedback.handlers.relationship import RelationshipService
from feedback.handlers.session_feedback import FeedbackService
from feedback.handlers.surveys import SurveyService
from feedback.settings import FeedbackSettings
from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
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
    register_event_handlers(runtime.handlers, directory, held, erasure)
    access = Access(directory, held)
    transactor = runtime.transactor
    caller, _ = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship feedback",
        description=(
            "Session feedback, pairing fit, mentoring agreements, development plans, program "
            "surveys and session agendas. Participants call with their own JWT and act only "
            "on their own pairs and sessions; admins read."
        ),
        routers=[
            feedback_router(
                access=access,
                feedback=FeedbackService(transactor, access, directory, feedback),
                relationship=RelationshipService(
                    transactor, access, directory, fits=fits, agreements=agreements, goals=goals
                ),
                development=DevelopmentService(transactor, access, directory, goals),
                surveys=SurveyService(transactor, directory, surveys),
                caller=caller,
            )
        ],
    )
