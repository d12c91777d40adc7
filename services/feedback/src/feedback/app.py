"""Wiring: the one place that builds the feedback service's parts."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.outcomes import Outcome
from feedback.domain.raters import RaterRequest
from feedback.domain.recognition import Recognition
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.domain.skills import SkillsAssessment
from feedback.domain.stories import Story
from feedback.entrypoints.http.errors import ERROR_MAPPERS
from feedback.entrypoints.http.outcomes import outcomes_router
from feedback.entrypoints.http.raters import raters_router
from feedback.entrypoints.http.recognition import recognition_router
from feedback.entrypoints.http.routes import feedback_router
from feedback.entrypoints.http.skills import skills_router
from feedback.entrypoints.http.stories import stories_router
from feedback.entrypoints.subscriptions import register_event_handlers
from feedback.settings import FeedbackSettings
from feedback.usecases.access import Access
from feedback.usecases.development import DevelopmentService
from feedback.usecases.erasure import Erasure
from feedback.usecases.export import PersonalDataExport
from feedback.usecases.facts import Facts
from feedback.usecases.outcome_erasure import OutcomeErasure
from feedback.usecases.outcomes import OutcomeImport
from feedback.usecases.raters import RaterService
from feedback.usecases.recognition import RecognitionService
from feedback.usecases.relationship import RelationshipService
from feedback.usecases.session_feedback import FeedbackService
from feedback.usecases.skills import SkillsService
from feedback.usecases.stories import StoryService
from feedback.usecases.surveys import SurveyService
from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime


def rater_link_key(settings: FeedbackSettings) -> bytes | None:
    """The key that signs 360 rater links (None: the links are unavailable)."""
    key = settings.rater_link_key or settings.auth_pseudonym_key
    return key.get_secret_value().encode() if key else None


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
    outcomes = Records(database, "outcomes", Outcome, "outcome_id", "person_id")
    recognitions = Records(
        database, "recognitions", Recognition, "recognition_id", "program_id", "participant_id"
    )
    stories = Records(database, "stories", Story, "story_id", "program_id", "participant_id")
    assessments = Records(
        database,
        "skills_assessments",
        SkillsAssessment,
        "assessment_id",
        "program_id",
        "participant_id",
        "rater_key",
    )
    rater_requests = Records(
        database, "rater_requests", RaterRequest, "request_id", "participant_id"
    )
    runtime.add_indexes(
        *directory.indexes(),
        *held.indexes(),
        *(
            store.indexes()
            for store in (
                feedback,
                fits,
                agreements,
                goals,
                surveys,
                outcomes,
                recognitions,
                stories,
                assessments,
                rater_requests,
            )
        ),
    )
    erasure = Erasure(
        directory,
        held,
        feedback=feedback,
        fits=fits,
        agreements=agreements,
        goals=goals,
        surveys=surveys,
        recognitions=recognitions,
        stories=stories,
        assessments=assessments,
        rater_requests=rater_requests,
        outcomes=outcomes,
    )
    managers = ProgramManagers(database)
    runtime.add_indexes(managers.indexes())
    register_event_handlers(runtime.handlers, Facts(directory, held), erasure, managers)
    access = Access(directory, held, managers)
    transactor = runtime.transactor
    caller, admin = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship feedback",
        description=(
            "Session feedback, pairing fit, mentoring agreements, development plans, program "
            "surveys, skills assessments, session agendas and the HRIS import of business "
            "outcomes and their erasure (admins). "
            "Participants call with their own JWT and act only "
            "on their own pairs and sessions; admins, and a program's managers in their "
            "program, read (403 in other programs). `GET /v1/me/export` gives a "
            "participant everything this service holds about them, `GET /v1/me/stories` "
            "the impact stories they wrote."
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
                    assessments=assessments,
                    rater_requests=rater_requests,
                    outcomes=outcomes,
                    stories=stories,
                    recognitions=recognitions,
                ),
                caller=caller,
            ),
            outcomes_router(
                OutcomeImport(transactor, outcomes, Pseudonyms(settings.auth_pseudonym_key)),
                OutcomeErasure(transactor, outcomes, Pseudonyms(settings.auth_pseudonym_key)),
                admin,
                import_max_bytes=settings.outcome_import_max_bytes,
            ),
            recognition_router(
                RecognitionService(transactor, directory, held, feedback, recognitions), admin
            ),
            stories_router(StoryService(transactor, directory, stories), caller, admin),
            skills_router(SkillsService(transactor, access, directory, assessments), caller),
            raters_router(
                RaterService(
                    transactor,
                    access,
                    directory,
                    managers,
                    requests=rater_requests,
                    assessments=assessments,
                    key=rater_link_key(settings),
                    valid_for=timedelta(days=settings.rater_link_days),
                    pseudonyms=Pseudonyms(settings.auth_pseudonym_key),
                ),
                caller,
                admin,
            ),
        ],
        error_mappers=ERROR_MAPPERS,
    )
