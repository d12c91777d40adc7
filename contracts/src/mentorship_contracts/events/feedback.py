"""Feedback events: ratings, pairing fit, goal progress, surveys, skills, HRIS outcomes.

Private notes, action item texts and free-text answers stay in the feedback service.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import (
    AssessmentMoment,
    FitConcern,
    Identifier,
    OutcomeKind,
    ParticipantRole,
    RaterKind,
    RecognitionSource,
    Slug,
    SurveyKind,
    UtcDatetime,
)


class SessionFeedbackSubmitted(IntegrationEvent):
    """A pair member rated a held session; a later revision replaces an earlier one."""

    feedback_id: Identifier
    session_id: Identifier
    pair_id: Identifier
    program_id: Identifier
    participant_id: Identifier
    author_role: ParticipantRole
    rating: int = Field(ge=1, le=5)
    topics: tuple[Slug, ...] = Field(default=(), description="Program skills and goals covered.")
    action_item_count: int = Field(default=0, ge=0)
    revision: int = Field(default=1, ge=1)
    submitted_at: UtcDatetime


class PairingFitReported(IntegrationEvent):
    """After the first held session, a pair member said whether the pairing fits."""

    pair_id: Identifier
    program_id: Identifier
    participant_id: Identifier
    author_role: ParticipantRole
    good_fit: bool
    concern: FitConcern | None = None
    reported_at: UtcDatetime


class MilestoneDue(BaseModel):
    """A milestone's due day and whether it was reached (its title stays in feedback)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int = Field(ge=0, description="Its place in the goal's milestones, from 0.")
    due_on: date
    reached: bool


class GoalProgressUpdated(IntegrationEvent):
    """A mentee's development-plan goal progressed."""

    goal_id: Identifier
    program_id: Identifier
    participant_id: Identifier
    pair_id: Identifier | None = None
    topic: Slug = Field(description="The program goal or skill the goal works towards.")
    progress_percent: int = Field(ge=0, le=100)
    milestones_total: int = Field(default=0, ge=0)
    milestones_reached: int = Field(default=0, ge=0)
    milestones_due: tuple[MilestoneDue, ...] = Field(
        default=(), description="The milestones that have a due day."
    )
    completed: bool
    updated_at: UtcDatetime


class SurveyResponseSubmitted(IntegrationEvent):
    """A participant answered a program survey (mid-program or closing)."""

    response_id: Identifier
    program_id: Identifier
    participant_id: Identifier
    respondent_role: ParticipantRole
    survey_kind: SurveyKind
    growth_rating: int = Field(ge=1, le=5)
    relationship_rating: int = Field(ge=1, le=5)
    skills_developing: tuple[Slug, ...] = ()
    recommend_score: int = Field(ge=0, le=10)
    would_join_again: bool
    submitted_at: UtcDatetime


class OutcomeRecorded(IntegrationEvent):
    """The HRIS reported a dated business outcome about a person (pseudonymous id only).

    The same outcome (person, kind, day) imported again is the same ``outcome_id``; a later
    import of it replaces its details (``voluntary``, ``performance_band``).
    """

    outcome_id: Identifier
    person_id: Identifier = Field(description="Pseudonymous id of the employee.")
    kind: OutcomeKind
    occurred_on: date
    voluntary: bool | None = Field(default=None, description="For an exit: whether voluntary.")
    performance_band: int | None = Field(
        default=None, ge=1, le=5, description="For a performance band: 1 (lowest) to 5."
    )
    recorded_at: UtcDatetime


class OutcomesErased(IntegrationEvent):
    """An admin erased every HRIS outcome recorded about a person (the right to erasure).

    Every `OutcomeRecorded` of ``person_id`` announced before this event (by event time) is
    gone; one announced after it (a later import) stands. Keyed by ``person_id``, like the
    outcomes, so it keeps its place among them. Published for a repeat too: the erasure is
    idempotent.
    """

    person_id: Identifier = Field(description="Pseudonymous id of the employee.")
    erased_at: UtcDatetime


class MentorRecognized(IntegrationEvent):
    """A mentor was recognised, by a manager or by meeting a program rule (once per source)."""

    recognition_id: Identifier
    program_id: Identifier
    participant_id: Identifier = Field(description="The mentor.")
    source: RecognitionSource
    sessions_held: int = Field(ge=0, description="Held sessions with their mentees then.")
    average_rating: float | None = Field(
        default=None, ge=1, le=5, description="Their mentees' average session rating then."
    )
    recognized_at: UtcDatetime


class SkillLevel(BaseModel):
    """One skill's rated level (1: beginner ... 5: expert); for peers, their average."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skill: Slug
    level: float = Field(ge=1, le=5)


class RaterInvited(IntegrationEvent):
    """A mentee asked a manager or a peer to rate their skills (notifications e-mails them).

    Names the rater only by pseudonymous person id, and only when the directory knows them
    (the manager; a peer named by employee id); a peer named by e-mail address has none, and
    the address, like the answer link, stays in feedback, which gives them only to the
    service that sends the message (``GET /v1/skills/rater-requests/{request_id}/delivery``).
    """

    request_id: Identifier
    program_id: Identifier
    participant_id: Identifier = Field(description="Pseudonymous id of the mentee to rate.")
    rater_kind: RaterKind
    moment: AssessmentMoment
    rater_person_id: Identifier | None = Field(
        default=None, description="The rater's person id, when the directory knows them."
    )
    expires_at: UtcDatetime
    invited_at: UtcDatetime


class SkillsAssessed(IntegrationEvent):
    """A mentee's skills were rated (numbers only; a rater answering again replaces it).

    A peer or manager is never named: ``rater_kind`` says only which kind of rater answered.
    Peers are announced only together, as the average of at least three peers' answers
    (``raters`` of them), never one by one.
    """

    assessment_id: Identifier
    program_id: Identifier
    participant_id: Identifier = Field(description="Pseudonymous id of the assessed mentee.")
    rater_kind: RaterKind
    moment: AssessmentMoment
    levels: tuple[SkillLevel, ...] = Field(min_length=1, max_length=20)
    raters: int = Field(default=1, ge=1, description="How many raters the levels average.")
    assessed_at: UtcDatetime
