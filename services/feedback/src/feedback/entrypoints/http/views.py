"""What the feedback API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, Field

from feedback.domain.agendas import AgendaTemplate
from feedback.domain.records import FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.domain.surveys import SurveyStatus
from feedback.usecases.relationship import PairAgreement
from feedback.usecases.surveys import SurveyOffer
from mentorship_contracts.types import FitConcern, ParticipantRole, SurveyKind


class ProgressView(BaseModel):
    """A skill or goal's level as the author sees it."""

    topic: str
    level: int


class FeedbackView(BaseModel):
    """Feedback on a session; private notes only for their author."""

    feedback_id: str
    session_id: str
    pair_id: str
    participant_id: str
    author_role: ParticipantRole
    rating: int
    topics: list[str]
    action_items: list[str]
    progress: list[ProgressView]
    private_notes: str | None = Field(description="Only the author sees these.")
    revision: int
    submitted_at: datetime

    @classmethod
    def of(cls, record: SessionFeedback, reader: str | None) -> Self:
        """The view of ``record`` for ``reader`` (a participant id, or None for an admin)."""
        return cls(
            feedback_id=record.feedback_id,
            session_id=record.session_id,
            pair_id=record.pair_id,
            participant_id=record.participant_id,
            author_role=record.author_role,
            rating=record.rating,
            topics=list(record.topics),
            action_items=list(record.action_items),
            progress=[ProgressView(topic=p.topic, level=p.level) for p in record.progress],
            private_notes=record.private_notes if reader == record.participant_id else None,
            revision=record.revision,
            submitted_at=record.submitted_at,
        )


class FeedbackList(BaseModel):
    """A session's feedback."""

    feedback: list[FeedbackView]


class FitView(BaseModel):
    """A fit answer; the free-text reason only for its author."""

    pair_id: str
    participant_id: str
    author_role: ParticipantRole
    good_fit: bool
    concern: FitConcern | None
    reason: str | None
    reported_at: datetime

    @classmethod
    def of(cls, report: FitReport, reader: str | None) -> Self:
        """The view of ``report`` for ``reader``."""
        return cls(
            pair_id=report.pair_id,
            participant_id=report.participant_id,
            author_role=report.author_role,
            good_fit=report.good_fit,
            concern=report.concern,
            reason=report.reason if reader == report.participant_id else None,
            reported_at=report.reported_at,
        )


class FitList(BaseModel):
    """A pair's fit answers."""

    answers: list[FitView]


class AgreementView(BaseModel):
    """A mentoring agreement and who acknowledged its current version."""

    pair_id: str
    expectations: str
    meeting_frequency: str
    confidentiality: str
    boundaries: str
    version: int
    updated_at: datetime
    acknowledged_by: list[str]
    acknowledged_by_both: bool

    @classmethod
    def of(cls, current: PairAgreement) -> Self:
        """The view of a pair's agreement."""
        agreement = current.agreement
        return cls(
            pair_id=agreement.pair_id,
            expectations=agreement.expectations,
            meeting_frequency=agreement.meeting_frequency,
            confidentiality=agreement.confidentiality,
            boundaries=agreement.boundaries,
            version=agreement.version,
            updated_at=agreement.updated_at,
            acknowledged_by=list(agreement.acknowledged_by),
            acknowledged_by_both=current.acknowledged_by_both,
        )


class MilestoneView(BaseModel):
    """A milestone of a goal."""

    title: str
    reached: bool
    due_on: date | None = None


class GoalView(BaseModel):
    """A development-plan goal."""

    goal_id: str
    pair_id: str
    participant_id: str
    topic: str
    title: str
    milestones: list[MilestoneView]
    progress_percent: int
    completed: bool
    updated_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> Self:
        """The view of ``goal``."""
        return cls(
            goal_id=goal.goal_id,
            pair_id=goal.pair_id,
            participant_id=goal.participant_id,
            topic=goal.topic,
            title=goal.title,
            milestones=[
                MilestoneView(title=m.title, reached=m.reached, due_on=m.due_on)
                for m in goal.milestones
            ],
            progress_percent=goal.progress_percent,
            completed=goal.completed,
            updated_at=goal.updated_at,
        )


class GoalList(BaseModel):
    """A development plan."""

    goals: list[GoalView]


class AgendaItemView(BaseModel):
    """One agenda item and its time."""

    item: str
    minutes: int


class AgendaView(BaseModel):
    """A session agenda template."""

    kind: str
    title: str
    purpose: str
    items: list[AgendaItemView]
    questions: list[str]

    @classmethod
    def of(cls, template: AgendaTemplate) -> Self:
        """The view of ``template``."""
        return cls(
            kind=template.kind.value,
            title=template.title,
            purpose=template.purpose,
            items=[AgendaItemView(item=item, minutes=m) for item, m in template.minutes],
            questions=list(template.questions),
        )


class AgendaList(BaseModel):
    """The template library."""

    templates: list[AgendaView]


class SurveyAnswersView(BaseModel):
    """Your answers to a survey, as you last gave them."""

    growth_rating: int
    relationship_rating: int
    skills_developing: list[str]
    recommend_score: int
    would_join_again: bool
    comments: str

    @classmethod
    def of(cls, response: SurveyResponse, **more: Any) -> Self:
        """The answers of ``response`` (and a subclass's ``more`` fields)."""
        return cls(
            growth_rating=response.growth_rating,
            relationship_rating=response.relationship_rating,
            skills_developing=list(response.skills_developing),
            recommend_score=response.recommend_score,
            would_join_again=response.would_join_again,
            comments=response.comments,
            **more,
        )


class SurveyView(BaseModel):
    """One of a program's surveys: when it takes answers, and what you answered."""

    kind: SurveyKind
    opens_at: datetime = Field(description="Midnight in the program's time zone.")
    closes_at: datetime = Field(description="Answers are taken until this moment.")
    status: SurveyStatus = Field(description="Upcoming, open or closed now.")
    answered: bool | None = Field(
        description="Whether you answered it (null when an admin reads the surveys)."
    )
    answered_at: datetime | None = Field(description="When you last answered it.")
    my_answers: SurveyAnswersView | None = Field(
        default=None,
        description="Your answers, to show them again: answering again replaces them "
        "(null until you answer, and for a reader who is not one of the program's "
        "participants).",
    )

    @classmethod
    def of(cls, offer: SurveyOffer) -> Self:
        """The view of ``offer``."""
        return cls(
            kind=offer.window.kind,
            opens_at=offer.window.opens_at,
            closes_at=offer.window.closes_at,
            status=offer.status,
            answered=offer.answered,
            answered_at=offer.answered_at,
            my_answers=SurveyAnswersView.of(offer.mine) if offer.mine else None,
        )


class SurveyList(BaseModel):
    """A program's surveys, mid-program first."""

    program_id: str
    surveys: list[SurveyView]


class SurveyReceipt(BaseModel):
    """A stored survey response."""

    response_id: str
    survey_kind: str
    submitted_at: datetime
