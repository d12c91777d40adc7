"""What people write in the feedback service: immutable records (a change stores a new copy)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

from mentorship_contracts.types import FitConcern, ParticipantRole, SurveyKind

IsoDate = Annotated[date, PlainSerializer(date.isoformat, return_type=str)]
"""A day, stored as its ISO text (the database has no date type)."""


def stable_id(prefix: str, *parts: str) -> str:
    """A short id derived from ``parts``: the same inputs always give the same record."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"{prefix}-{digest}"


class Record(BaseModel):
    """Stored records are immutable values; a change stores a new copy."""

    model_config = ConfigDict(frozen=True)


class SkillProgress(Record):
    """How far the author feels a skill or goal has come (1: just started, 5: mastered)."""

    topic: str
    level: int


class SessionFeedback(Record):
    """One member's feedback on one held session."""

    feedback_id: str
    session_id: str
    pair_id: str
    program_id: str
    participant_id: str
    author_role: ParticipantRole
    rating: int
    topics: tuple[str, ...]
    action_items: tuple[str, ...]
    private_notes: str
    progress: tuple[SkillProgress, ...]
    revision: int
    submitted_at: datetime


class FitReport(Record):
    """A member's answer to "is this a good fit?"."""

    report_id: str
    pair_id: str
    program_id: str
    participant_id: str
    author_role: ParticipantRole
    good_fit: bool
    concern: FitConcern | None
    reason: str
    reported_at: datetime


class Agreement(Record):
    """A pair's mentoring agreement, acknowledged by each member."""

    pair_id: str
    program_id: str
    expectations: str
    meeting_frequency: str
    confidentiality: str
    boundaries: str
    version: int
    updated_at: datetime
    acknowledged_by: tuple[str, ...] = ()
    """Participant ids that acknowledged this version."""


class Milestone(Record):
    """A checkpoint on the way to a goal, with the day it is due by (if the pair set one)."""

    title: str
    reached: bool = False
    due_on: IsoDate | None = None


class Goal(Record):
    """A goal of a mentee's development plan."""

    goal_id: str
    pair_id: str
    program_id: str
    participant_id: str
    """The mentee whose plan it is."""
    topic: str
    title: str
    milestones: tuple[Milestone, ...]
    progress_percent: int
    updated_at: datetime

    @property
    def completed(self) -> bool:
        """Done: at 100%, or every milestone reached."""
        return self.progress_percent >= 100


class SurveyResponse(Record):
    """A participant's answers to a program survey."""

    response_id: str
    program_id: str
    participant_id: str
    respondent_role: ParticipantRole
    survey_kind: SurveyKind
    growth_rating: int
    relationship_rating: int
    skills_developing: tuple[str, ...]
    recommend_score: int
    would_join_again: bool
    comments: str
    submitted_at: datetime
