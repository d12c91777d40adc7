"""The right-of-access document: what analytics' read models hold about the caller.

Reports count people; to count them the read models keep one document per registration
(keyed by a hash of the participant id), and some facts carry that key: pairs, session
ratings, fit answers, goals, the unmatched of a proposal. Those are the person's. So is a
mentor's document of the mentor impact view, shown as the view shows it: its figures only,
small groups hidden (an average of fewer than five mentees' ratings could tell the mentor
one mentee's rating), never their mentees' keys. The directory's entry of the person (their
manager's key) and the invitations they were sent are keyed by a hash of their person id.
Survey answers and sessions carry no one's key: they are counted without any link to a
person.
"""

from datetime import datetime
from typing import Literal, Self

from fastapi import APIRouter
from pydantic import BaseModel, Field

from analytics.domain.documents import (
    FeedbackFact,
    FitFact,
    GoalFact,
    MentorFact,
    OutcomeFact,
    PairFact,
    ParticipantFact,
    ParticipantStatus,
    PersonFacts,
    SkillsFact,
)
from analytics.domain.mentor_impact import MentorImpact, impact_of
from analytics.usecases.export import PersonalData, PersonalDataExport
from mentorship_contracts.types import (
    AssessmentMoment,
    FitConcern,
    OutcomeKind,
    PairEndReason,
    ParticipantRole,
    RaterKind,
    Seniority,
    UnmatchedReason,
)
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.export_route import export_router as kit_export_router
from mentorship_kit.exports import (
    ExportSection,
    PersonalDataDocument,
    subject,
)

_HOLDS = (
    "the read-model documents that name them (their directory entry's manager key, "
    "invitations, registrations as counted, pairs, session ratings and topics, fit "
    "answers, goals' progress, the proposals that left them unmatched, skills "
    "assessments, HRIS outcomes, their figures as a mentor as the mentor impact view "
    "shows them, small groups hidden and no mentee named), found by their person id. "
    "Survey answers and sessions are counted without any link to a person."
)
"""What the export holds, as its OpenAPI description says it."""


class ExportedParticipation(BaseModel):
    """A registration of yours, as the reports count it."""

    program_id: str
    participant_id: str | None
    role: ParticipantRole | None
    capacity: int
    answers: dict[str, list[str]] = Field(description="Your choice answers, for the answer charts.")
    registered_at: datetime | None
    status: ParticipantStatus | None
    withdrew_at: datetime | None


class ExportedPair(BaseModel):
    """A pair of yours, as the pairing report counts it."""

    pair_id: str
    program_id: str
    role: ParticipantRole
    score: float
    is_rematch: bool
    created_at: datetime | None
    ended: bool
    end_reason: PairEndReason | None
    ended_at: datetime | None


class ExportedRating(BaseModel):
    """Your rating of a session and the topics you ticked (the scores and skills reports)."""

    session_id: str
    pair_id: str
    program_id: str
    author_role: ParticipantRole
    rating: int
    topics: list[str]
    first_submitted_at: datetime


class ExportedFit(BaseModel):
    """Your answer to "is this a good fit?" (the scores and health reports)."""

    pair_id: str
    program_id: str
    good_fit: bool
    concern: FitConcern | None


class ExportedGoal(BaseModel):
    """A goal of your development plan, as goal completion counts it."""

    goal_id: str
    program_id: str
    topic: str
    progress: int
    completed: bool


class ExportedUnmatched(BaseModel):
    """A matching run's proposal that left you unmatched, and why."""

    run_id: str
    program_id: str
    reason: UnmatchedReason


class ExportedDirectoryEntry(BaseModel):
    """You as the directory announced you: only who your manager is, as a key."""

    manager_key: str | None = Field(description="Your manager's key in the read models.")
    department: str | None = Field(default=None, description="For the comparison groups.")
    seniority: Seniority | None = Field(default=None, description="For the comparison groups.")
    version: int = Field(description="The directory's version of your entry.")


class ExportedInvitation(BaseModel):
    """An invitation to register you were sent (the invitation funnel counts it)."""

    invitation_id: str
    program_id: str
    department: str | None
    sent_at: datetime | None
    reminders: int


class ExportedSkills(BaseModel):
    """An assessment of your skills as the skills growth report counts it."""

    program_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    levels: dict[str, float] = Field(description="Peers: only their average (3 or more).")
    raters: int


class ExportedOutcome(BaseModel):
    """A business outcome the HRIS reported about you, as the outcomes report counts it."""

    kind: OutcomeKind
    occurred_on: str
    voluntary: bool | None
    performance_band: int | None


class ExportedMentorImpact(MentorImpact):
    """Your figures as a mentor of a program: the mentor impact view's row of you, no more."""

    program_id: str


class AnalyticsSections(BaseModel):
    """Every kind of document analytics keeps that names a person."""

    directory: ExportSection[ExportedDirectoryEntry]
    invitations: ExportSection[ExportedInvitation]
    participations: ExportSection[ExportedParticipation]
    pairs: ExportSection[ExportedPair]
    session_ratings: ExportSection[ExportedRating]
    fit_answers: ExportSection[ExportedFit]
    goals: ExportSection[ExportedGoal]
    unmatched: ExportSection[ExportedUnmatched]
    skills_assessments: ExportSection[ExportedSkills]
    outcomes: ExportSection[ExportedOutcome]
    mentor_impact: ExportSection[ExportedMentorImpact]
    kept_without_you: ExportSection[str] = Field(
        description="What analytics counts without any link to a person (no items)."
    )


class AnalyticsExport(PersonalDataDocument[AnalyticsSections]):
    """Everything the analytics service holds about the caller."""

    service: Literal["analytics"] = "analytics"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        facts = data.facts
        keys = facts.keys
        return cls(
            generated_at=data.generated_at,
            subject=subject(
                facts.person_id, (f.participant_id for f in facts.participants if f.participant_id)
            ),
            sections=AnalyticsSections(
                directory=ExportSection(
                    description=(
                        "You as the organisation's directory announced you: the key of your "
                        "manager, for the reporting-line checks, and your department and "
                        "seniority, for the outcomes' comparison groups (no name, title or "
                        "e-mail)."
                    ),
                    items=(
                        [
                            ExportedDirectoryEntry(
                                manager_key=facts.directory.manager_key,
                                department=facts.directory.department,
                                seniority=facts.directory.seniority,
                                version=facts.directory.version,
                            )
                        ]
                        if facts.directory
                        else []
                    ),
                ),
                invitations=ExportSection(
                    description=(
                        "The invitations to register you were sent, with your department "
                        "then and how many reminders followed (the invitation funnel)."
                    ),
                    items=[
                        ExportedInvitation(
                            invitation_id=invitation.id,
                            program_id=invitation.program_id,
                            department=invitation.department,
                            sent_at=invitation.sent_at,
                            reminders=invitation.reminders,
                        )
                        for invitation in facts.invitations
                    ],
                ),
                participations=ExportSection(
                    description=(
                        "Your registrations as the reports count them: role, capacity, your "
                        "choice answers (for the answer charts), when you registered and "
                        "whether you withdrew."
                    ),
                    items=[_participation(fact) for fact in facts.participants],
                ),
                pairs=ExportSection(
                    description="Your pairs as the pairing report counts them.",
                    items=[_pair(pair, keys) for pair in facts.pairs],
                ),
                session_ratings=ExportSection(
                    description=(
                        "Your session ratings and the topics you ticked (no notes, no action "
                        "items: analytics never receives them)."
                    ),
                    items=[_rating(fact) for fact in facts.feedback],
                ),
                fit_answers=ExportSection(
                    description='Your answers to "is this a good fit?" (no reasons).',
                    items=[_fit(fact) for fact in facts.fits],
                ),
                goals=ExportSection(
                    description="Your goals' topics and progress (no titles or milestones).",
                    items=[_goal(fact) for fact in facts.goals],
                ),
                unmatched=ExportSection(
                    description="Matching runs' proposals that left you unmatched, and why.",
                    items=_unmatched(facts),
                ),
                skills_assessments=ExportSection(
                    description=(
                        "The assessments of your skills the skills growth report counts: "
                        "yours, your mentor's, your manager's, your peers' only as their "
                        "average of three or more."
                    ),
                    items=[_skills(fact) for fact in facts.skills],
                ),
                outcomes=ExportSection(
                    description=(
                        "The business outcomes the HRIS reported about you, which the "
                        "outcomes report counts (only in groups of five or more)."
                    ),
                    items=[_outcome(fact) for fact in facts.outcomes],
                ),
                mentor_impact=ExportSection(
                    description=(
                        "Your figures as a mentor, per program, as the mentor impact view "
                        "shows them: mentees, sessions held and their hours, ratings, your "
                        "mentees' goals and skills growth. Their average rating stays hidden "
                        "(null, average_rating_hidden) until five distinct mentees rated, and "
                        "their growth until five were assessed at both moments, as the view "
                        "hides them; no mentee is named."
                    ),
                    items=[_mentor_impact(fact) for fact in facts.mentors],
                ),
                kept_without_you=ExportSection(
                    description=(
                        "Survey answers and sessions are counted without any link to a "
                        "person, so none of them can be shown as yours; after an erasure your "
                        "pairs, ratings and fit answers stay only as such anonymous numbers."
                    ),
                    items=[],
                ),
            ),
        )


def _participation(fact: ParticipantFact) -> ExportedParticipation:
    return ExportedParticipation(
        program_id=fact.program_id,
        participant_id=fact.participant_id,
        role=fact.role,
        capacity=fact.capacity,
        answers=fact.answers,
        registered_at=fact.registered_at,
        status=fact.status,
        withdrew_at=fact.withdrew_at,
    )


def _pair(pair: PairFact, keys: set[str]) -> ExportedPair:
    return ExportedPair(
        pair_id=pair.id,
        program_id=pair.program_id,
        role=ParticipantRole.MENTOR if pair.mentor_key in keys else ParticipantRole.MENTEE,
        score=pair.score,
        is_rematch=pair.is_rematch,
        created_at=pair.created_at,
        ended=pair.ended,
        end_reason=pair.end_reason,
        ended_at=pair.ended_at,
    )


def _rating(fact: FeedbackFact) -> ExportedRating:
    return ExportedRating(
        session_id=fact.session_id,
        pair_id=fact.pair_id,
        program_id=fact.program_id,
        author_role=fact.author_role,
        rating=fact.rating,
        topics=list(fact.topics),
        first_submitted_at=fact.first_submitted_at,
    )


def _fit(fact: FitFact) -> ExportedFit:
    return ExportedFit(
        pair_id=fact.pair_id,
        program_id=fact.program_id,
        good_fit=fact.good_fit,
        concern=fact.concern,
    )


def _goal(fact: GoalFact) -> ExportedGoal:
    return ExportedGoal(
        goal_id=fact.id,
        program_id=fact.program_id,
        topic=fact.topic,
        progress=fact.progress,
        completed=fact.completed,
    )


def _skills(fact: SkillsFact) -> ExportedSkills:
    return ExportedSkills(
        program_id=fact.program_id,
        rater_kind=fact.rater_kind,
        moment=fact.moment,
        levels=dict(fact.levels),
        raters=fact.raters,
    )


def _outcome(fact: OutcomeFact) -> ExportedOutcome:
    return ExportedOutcome(
        kind=fact.kind,
        occurred_on=str(fact.occurred_on),
        voluntary=fact.voluntary,
        performance_band=fact.performance_band,
    )


def _mentor_impact(fact: MentorFact) -> ExportedMentorImpact:
    return ExportedMentorImpact(program_id=fact.program_id, **impact_of(fact).model_dump())


def _unmatched(facts: PersonFacts) -> list[ExportedUnmatched]:
    keys = facts.keys
    return [
        ExportedUnmatched(run_id=run.id, program_id=run.program_id, reason=person.reason)
        for run in facts.runs
        for part in sorted(run.unmatched)
        for person in run.unmatched[part]
        if person.key in keys
    ]


def export_router(export: PersonalDataExport, caller: CallerDependency) -> APIRouter:
    """``GET /v1/me/export``."""

    async def export_my_data(who: Principal) -> AnalyticsExport:
        return AnalyticsExport.of(await export.of(who))

    return kit_export_router(
        caller, service="analytics", holds=_HOLDS, document=AnalyticsExport, build=export_my_data
    )
