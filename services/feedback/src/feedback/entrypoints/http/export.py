"""The right-of-access document: what feedback holds about the caller, section by section.

The shape is every service's (`mentorship_kit.exports`): ``{"description": ..., "items":
[...]}`` per section, under ``sections``, beside the ``service`` that answered and when
(``generated_at``), so a bundle of several services' exports reads on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field

from feedback.domain.outcomes import Outcome
from feedback.domain.raters import MIN_PEERS_SHOWN, RaterRequest, peers_average
from feedback.domain.recognition import Recognition
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.domain.skills import SkillsAssessment
from feedback.domain.stories import Story
from feedback.entrypoints.http.views import MilestoneView, ProgressView, SurveyAnswersView
from feedback.usecases.export import PairHeld, PersonalData
from mentorship_contracts.events import SessionCompleted
from mentorship_contracts.types import (
    AssessmentMoment,
    FitConcern,
    OutcomeKind,
    ParticipantRole,
    RaterKind,
    RecognitionSource,
    SurveyKind,
)
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


class ExportedSurveyAnswer(SurveyAnswersView):
    """The person's answers to a program survey, comments included."""

    response_id: str
    program_id: str
    participant_id: str
    respondent_role: ParticipantRole
    survey_kind: SurveyKind
    submitted_at: datetime


class ExportedAssessment(BaseModel):
    """A rating of a mentee's skills at one moment (peers: only their average, 3 or more)."""

    program_id: str
    participant_id: str = Field(description="The mentee rated.")
    rater_kind: RaterKind
    moment: AssessmentMoment
    levels: dict[str, float] | None = Field(
        description="Per skill, 1 to 5; for peers their average, empty under three answers."
    )
    raters: int = Field(description="1, or how many peers answered.")
    assessed_at: datetime


class ExportedRaterRequest(BaseModel):
    """A manager or peer you asked for their view (whom is not kept by name)."""

    request_id: str
    program_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    requested_at: datetime
    expires_at: datetime


class ExportedOutcome(BaseModel):
    """A business outcome the HRIS import recorded about you (under your pseudonym)."""

    outcome_id: str
    kind: OutcomeKind
    occurred_on: str
    voluntary: bool | None
    performance_band: int | None
    recorded_at: datetime


class ExportedStory(BaseModel):
    """An impact story you wrote."""

    story_id: str
    program_id: str
    participant_id: str
    title: str
    text: str
    consent_to_publish: bool
    approved: bool
    written_at: datetime
    approved_at: datetime | None


class ExportedRecognition(BaseModel):
    """A recognition you received as a mentor."""

    recognition_id: str
    program_id: str
    participant_id: str
    source: RecognitionSource
    sessions_held: int
    average_rating: float | None
    recognized_at: datetime


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
    skills_assessments_received: ExportSection[ExportedAssessment]
    skills_assessments_given: ExportSection[ExportedAssessment]
    rater_requests: ExportSection[ExportedRaterRequest]
    outcomes: ExportSection[ExportedOutcome]
    impact_stories: ExportSection[ExportedStory]
    recognitions: ExportSection[ExportedRecognition]


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
                skills_assessments_received=ExportSection(
                    description=(
                        "The ratings of your skills: yours, your mentor's and your manager's; "
                        f"your peers' only as their average once {MIN_PEERS_SHOWN} or more "
                        "answered, never one by one (nor who they are)."
                    ),
                    items=_received(data.assessments_received),
                ),
                skills_assessments_given=ExportSection(
                    description="Your ratings of your mentees' skills, as their mentor.",
                    items=[_assessment(a) for a in data.assessments_given],
                ),
                rater_requests=ExportSection(
                    description=(
                        "The managers and peers you asked for their view, by kind and moment "
                        "(their links' keys are not shown)."
                    ),
                    items=[_rater_request(r) for r in data.rater_requests],
                ),
                outcomes=ExportSection(
                    description=(
                        "The business outcomes the HRIS import recorded about you, under your "
                        "pseudonym (no employee id is kept)."
                    ),
                    items=[_outcome(o) for o in data.outcomes],
                ),
                impact_stories=ExportSection(
                    description="The impact stories you wrote, and whether one is approved.",
                    items=[_story(story) for story in data.stories],
                ),
                recognitions=ExportSection(
                    description="Your recognitions as a mentor, with what you had achieved then.",
                    items=[_recognition(r) for r in data.recognitions],
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
    return ExportedSurveyAnswer.of(
        response,
        response_id=response.response_id,
        program_id=response.program_id,
        participant_id=response.participant_id,
        respondent_role=response.respondent_role,
        survey_kind=response.survey_kind,
        submitted_at=response.submitted_at,
    )


def _assessment(a: SkillsAssessment) -> ExportedAssessment:
    return ExportedAssessment(
        program_id=a.program_id,
        participant_id=a.participant_id,
        rater_kind=a.rater_kind,
        moment=a.moment,
        levels={skill: float(level) for skill, level in a.levels.items()},
        raters=1,
        assessed_at=a.assessed_at,
    )


def _received(assessments: list[SkillsAssessment]) -> list[ExportedAssessment]:
    """Each non-peer rating; the peers of a moment as one average (none under three)."""
    found = [_assessment(a) for a in assessments if a.rater_kind is not RaterKind.PEER]
    peers: dict[tuple[str, str, AssessmentMoment], list[SkillsAssessment]] = {}
    for a in assessments:
        if a.rater_kind is RaterKind.PEER:
            peers.setdefault((a.program_id, a.participant_id, a.moment), []).append(a)
    for (program_id, participant_id, moment), answers in sorted(peers.items()):
        skills = sorted({skill for a in answers for skill in a.levels})
        found.append(
            ExportedAssessment(
                program_id=program_id,
                participant_id=participant_id,
                rater_kind=RaterKind.PEER,
                moment=moment,
                levels=peers_average(answers, skills),
                raters=len(answers),
                assessed_at=max(a.assessed_at for a in answers),
            )
        )
    return found


def _rater_request(request: RaterRequest) -> ExportedRaterRequest:
    return ExportedRaterRequest(
        request_id=request.request_id,
        program_id=request.program_id,
        rater_kind=request.rater_kind,
        moment=request.moment,
        requested_at=request.requested_at,
        expires_at=request.expires_at,
    )


def _outcome(outcome: Outcome) -> ExportedOutcome:
    return ExportedOutcome(
        outcome_id=outcome.outcome_id,
        kind=outcome.kind,
        occurred_on=str(outcome.occurred_on),
        voluntary=outcome.voluntary,
        performance_band=outcome.performance_band,
        recorded_at=outcome.recorded_at,
    )


def _story(story: Story) -> ExportedStory:
    return ExportedStory(
        story_id=story.story_id,
        program_id=story.program_id,
        participant_id=story.participant_id,
        title=story.title,
        text=story.text,
        consent_to_publish=story.consent_to_publish,
        approved=story.approved,
        written_at=story.written_at,
        approved_at=story.approved_at,
    )


def _recognition(recognition: Recognition) -> ExportedRecognition:
    return ExportedRecognition(
        recognition_id=recognition.recognition_id,
        program_id=recognition.program_id,
        participant_id=recognition.participant_id,
        source=recognition.source,
        sessions_held=recognition.sessions_held,
        average_rating=recognition.average_rating,
        recognized_at=recognition.recognized_at,
    )
