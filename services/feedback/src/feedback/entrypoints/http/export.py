"""The right-of-access document: what feedback holds about the caller, section by section.

The shape is every service's (`mentorship_kit.exports`): ``{"description": ..., "items":
[...]}`` per section, under ``sections``, beside the ``service`` that answered and when
(``generated_at``), so a bundle of several services' exports reads on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field

from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.entrypoints.http.views import MilestoneView, ProgressView
from feedback.usecases.export import PairHeld, PersonalData
from mentorship_contracts.events import SessionCompleted
from mentorship_contracts.types import FitConcern, ParticipantRole, SurveyKind
from mentorship_kit.exports import ExportSection, PersonalDataDocument, subject


class ExportedParticipation(BaseModel):
    """A program the person registered for, as feedback knows them there."""

    participant_id: str
    program_id: str
    role: ParticipantRole


class ExportedPair(BaseModel):
    """A pair the person is a member of."""

    pair_id: str
    program_id: str
    participant_id: str = Field(description="The person's participant id in the pair.")
    role: ParticipantRole
    group_id: str | None
    created_at: datetime
    ended: bool


class ExportedSession(BaseModel):
    """A held session the person took part in."""

    session_id: str
    pair_id: str
    program_id: str
    starts_at: datetime
    held_at: datetime
    duration_minutes: int


class ExportedFeedback(BaseModel):
    """Feedback the person gave on a session, private notes included."""

    feedback_id: str
    session_id: str
    pair_id: str
    program_id: str
    participant_id: str
    author_role: ParticipantRole
    rating: int
    topics: list[str]
    action_items: list[str]
    private_notes: str
    progress: list[ProgressView]
    revision: int
    submitted_at: datetime


class ExportedFit(BaseModel):
    """The person's answer to "is this a good fit?", reason included."""

    pair_id: str
    program_id: str
    participant_id: str
    author_role: ParticipantRole
    good_fit: bool
    concern: FitConcern | None
    reason: str
    reported_at: datetime


class ExportedAgreement(BaseModel):
    """The current version of one of the person's pairs' agreements."""

    pair_id: str
    program_id: str
    expectations: str
    meeting_frequency: str
    confidentiality: str
    boundaries: str
    version: int
    updated_at: datetime
    acknowledged: bool = Field(description="Whether the person acknowledged this version.")


class ExportedGoal(BaseModel):
    """A goal of the person's development plan."""

    goal_id: str
    pair_id: str
    program_id: str
    participant_id: str
    topic: str
    title: str
    milestones: list[MilestoneView]
    progress_percent: int
    completed: bool
    updated_at: datetime


class ExportedSurveyAnswer(BaseModel):
    """The person's answers to a program survey, comments included."""

    response_id: str
    program_id: str
    participant_id: str
    respondent_role: ParticipantRole
    survey_kind: SurveyKind
    growth_rating: int
    relationship_rating: int
    skills_developing: list[str]
    recommend_score: int
    would_join_again: bool
    comments: str
    submitted_at: datetime


class ParticipationsSection(ExportSection[ExportedParticipation]):
    """The programs the person registered for."""


class PairsSection(ExportSection[ExportedPair]):
    """The pairs the person is (or was) a member of."""


class HeldSessionsSection(ExportSection[ExportedSession]):
    """The held sessions the person took part in."""


class SessionFeedbackSection(ExportSection[ExportedFeedback]):
    """The person's feedback on sessions."""


class FitAnswersSection(ExportSection[ExportedFit]):
    """The person's fit answers."""


class AgreementsSection(ExportSection[ExportedAgreement]):
    """The agreements of the person's pairs."""


class DevelopmentPlanSection(ExportSection[ExportedGoal]):
    """The person's development plan."""


class SurveyAnswersSection(ExportSection[ExportedSurveyAnswer]):
    """The person's survey answers."""


class FeedbackSections(BaseModel):
    """Every kind of record feedback keeps about a person."""

    participations: ParticipationsSection
    pairs: PairsSection
    held_sessions: HeldSessionsSection
    session_feedback: SessionFeedbackSection
    fit_answers: FitAnswersSection
    agreements: AgreementsSection
    development_plan: DevelopmentPlanSection
    survey_answers: SurveyAnswersSection


class PersonalDataView(PersonalDataDocument[FeedbackSections]):
    """Everything the feedback service holds about the caller."""

    service: Literal["feedback"] = "feedback"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        mine = {held.membership.pair.pair_id: held.membership.participant_id for held in data.pairs}
        return cls(
            generated_at=data.generated_at,
            subject=subject(data.person_id, data.participant_ids()),
            sections=FeedbackSections(
                participations=ParticipationsSection(
                    description="The programs you registered for, as feedback knows you there.",
                    items=[
                        ExportedParticipation(
                            participant_id=p.participant_id, program_id=p.program_id, role=p.role
                        )
                        for p in data.participations
                    ],
                ),
                pairs=PairsSection(
                    description="The pairs you are (or were) a member of.",
                    items=[_pair(held) for held in data.pairs],
                ),
                held_sessions=HeldSessionsSection(
                    description="The held sessions you took part in (feedback opens on these).",
                    items=[_session(session) for session in data.held_sessions],
                ),
                session_feedback=SessionFeedbackSection(
                    description=(
                        "Your feedback on sessions: rating, topics, action items, progress and "
                        "your private notes (the latest revision of each)."
                    ),
                    items=[_feedback(record) for record in data.feedback],
                ),
                fit_answers=FitAnswersSection(
                    description='Your answers to "is this a good fit?", with your reasons.',
                    items=[_fit(report) for report in data.fit_answers],
                ),
                agreements=AgreementsSection(
                    description=(
                        "Your pairs' mentoring agreements (current version) and whether you "
                        "acknowledged them."
                    ),
                    items=[_agreement(a, mine.get(a.pair_id)) for a in data.agreements],
                ),
                development_plan=DevelopmentPlanSection(
                    description="The goals and milestones of your development plan.",
                    items=[_goal(goal) for goal in data.development_plan],
                ),
                survey_answers=SurveyAnswersSection(
                    description="Your answers to program surveys, with your comments.",
                    items=[_survey(response) for response in data.survey_answers],
                ),
            ),
        )


def _pair(held: PairHeld) -> ExportedPair:
    pair = held.membership.pair
    return ExportedPair(
        pair_id=pair.pair_id,
        program_id=pair.program_id,
        participant_id=held.membership.participant_id,
        role=held.membership.role,
        group_id=pair.group_id,
        created_at=pair.created_at,
        ended=held.ended,
    )


def _session(session: SessionCompleted) -> ExportedSession:
    return ExportedSession(
        session_id=session.session_id,
        pair_id=session.pair_id,
        program_id=session.program_id,
        starts_at=session.starts_at,
        held_at=session.held_at,
        duration_minutes=session.duration_minutes,
    )


def _feedback(record: SessionFeedback) -> ExportedFeedback:
    return ExportedFeedback(
        feedback_id=record.feedback_id,
        session_id=record.session_id,
        pair_id=record.pair_id,
        program_id=record.program_id,
        participant_id=record.participant_id,
        author_role=record.author_role,
        rating=record.rating,
        topics=list(record.topics),
        action_items=list(record.action_items),
        private_notes=record.private_notes,
        progress=[ProgressView(topic=p.topic, level=p.level) for p in record.progress],
        revision=record.revision,
        submitted_at=record.submitted_at,
    )


def _fit(report: FitReport) -> ExportedFit:
    return ExportedFit(
        pair_id=report.pair_id,
        program_id=report.program_id,
        participant_id=report.participant_id,
        author_role=report.author_role,
        good_fit=report.good_fit,
        concern=report.concern,
        reason=report.reason,
        reported_at=report.reported_at,
    )


def _agreement(agreement: Agreement, participant_id: str | None) -> ExportedAgreement:
    return ExportedAgreement(
        pair_id=agreement.pair_id,
        program_id=agreement.program_id,
        expectations=agreement.expectations,
        meeting_frequency=agreement.meeting_frequency,
        confidentiality=agreement.confidentiality,
        boundaries=agreement.boundaries,
        version=agreement.version,
        updated_at=agreement.updated_at,
        acknowledged=participant_id in agreement.acknowledged_by,
    )


def _goal(goal: Goal) -> ExportedGoal:
    return ExportedGoal(
        goal_id=goal.goal_id,
        pair_id=goal.pair_id,
        program_id=goal.program_id,
        participant_id=goal.participant_id,
        topic=goal.topic,
        title=goal.title,
        milestones=[MilestoneView(title=m.title, reached=m.reached) for m in goal.milestones],
        progress_percent=goal.progress_percent,
        completed=goal.completed,
        updated_at=goal.updated_at,
    )


def _survey(response: SurveyResponse) -> ExportedSurveyAnswer:
    return ExportedSurveyAnswer(
        response_id=response.response_id,
        program_id=response.program_id,
        participant_id=response.participant_id,
        respondent_role=response.respondent_role,
        survey_kind=response.survey_kind,
        growth_rating=response.growth_rating,
        relationship_rating=response.relationship_rating,
        skills_developing=list(response.skills_developing),
        recommend_score=response.recommend_score,
        would_join_again=response.would_join_again,
        comments=response.comments,
        submitted_at=response.submitted_at,
    )
