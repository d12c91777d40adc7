"""What clients send to the feedback service, validated field by field.

Each request model turns itself into the domain's command (``command()``): the use cases
never see a request schema.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from feedback.domain.development import NewGoal, ProgressReport
from feedback.domain.records import SkillProgress
from feedback.domain.relationship import AgreementTerms, FitAnswer
from feedback.domain.session_feedback import FeedbackAnswers
from feedback.domain.surveys import SurveyAnswers
from mentorship_contracts.types import FitConcern, Slug

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MAX_ITEMS = 20


MenteeQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        max_length=80,
        description="With a group's id (one mentor, several mentees): the participant id of "
        "the mentee whose pair is meant (required); with a pair's own id: its mentee, or none.",
    ),
]
"""``?mentee=`` of the pair routes: which pair of a group (a 422 on ``query.mentee``)."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgressInput(_Request):
    """How far a skill or goal has come, in the author's eyes."""

    topic: Slug
    level: int = Field(ge=1, le=5, description="1: just started ... 5: mastered.")


class FeedbackInput(_Request):
    """A member's feedback on a held session."""

    rating: int = Field(ge=1, le=5, description="How useful the session was, 1 to 5.")
    topics: list[Slug] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Program skills and goals covered."
    )
    action_items: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    private_notes: Text = Field(default="", description="Visible to the author only.")
    progress: list[ProgressInput] = Field(default_factory=list, max_length=MAX_ITEMS)

    def command(self) -> FeedbackAnswers:
        """The answers, for the domain."""
        return FeedbackAnswers(
            rating=self.rating,
            topics=tuple(self.topics),
            action_items=tuple(self.action_items),
            private_notes=self.private_notes,
            progress=tuple(SkillProgress(topic=p.topic, level=p.level) for p in self.progress),
        )


class FitInput(_Request):
    """Is this pairing a good fit?"""

    good_fit: bool
    concern: FitConcern | None = Field(
        default=None, description="What does not fit (for a 'no'; defaults to other)."
    )
    reason: Text = Field(default="", description="Stays in this service; never published.")

    @model_validator(mode="after")
    def _concern_only_for_no(self) -> FitInput:
        if self.good_fit and self.concern is not None:
            msg = "concern is only given when good_fit is false"
            raise ValueError(msg)
        return self

    def command(self) -> FitAnswer:
        """The answer, for the domain."""
        return FitAnswer(good_fit=self.good_fit, concern=self.concern, reason=self.reason)


class AgreementInput(_Request):
    """The terms of a mentoring agreement."""

    expectations: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
    ]
    meeting_frequency: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    confidentiality: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]
    boundaries: Text = ""

    def command(self) -> AgreementTerms:
        """The terms, for the domain."""
        return AgreementTerms(
            expectations=self.expectations,
            meeting_frequency=self.meeting_frequency,
            confidentiality=self.confidentiality,
            boundaries=self.boundaries,
        )


class MilestoneInput(_Request):
    """A milestone with the day it is due by."""

    title: Line
    due_on: date | None = Field(default=None, description="Flagged in the health report.")


class GoalInput(_Request):
    """A new goal in the mentee's development plan."""

    topic: Slug = Field(description="The program goal or skill it works towards.")
    title: Line
    milestones: list[Line | MilestoneInput] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Titles, or {title, due_on} for a milestone with a due day.",
    )

    def command(self) -> NewGoal:
        """The goal, for the domain."""
        plans = [
            m if isinstance(m, MilestoneInput) else MilestoneInput(title=m) for m in self.milestones
        ]
        return NewGoal(
            topic=self.topic,
            title=self.title,
            milestones=tuple(m.title for m in plans),
            due_on=tuple(m.due_on for m in plans),
        )


class GoalProgressInput(_Request):
    """Progress on a goal: a percentage, milestones reached, or both."""

    progress_percent: int | None = Field(default=None, ge=0, le=100)
    milestones_reached: list[int] | None = Field(
        default=None, max_length=MAX_ITEMS, description="Indexes (from 0) of reached milestones."
    )

    @model_validator(mode="after")
    def _something_changes(self) -> GoalProgressInput:
        if self.progress_percent is None and self.milestones_reached is None:
            msg = "give progress_percent, milestones_reached or both"
            raise ValueError(msg)
        return self

    def command(self) -> ProgressReport:
        """The progress, for the domain."""
        reached = self.milestones_reached
        return ProgressReport(
            progress_percent=self.progress_percent,
            milestones_reached=None if reached is None else tuple(reached),
        )


class SurveyInput(_Request):
    """Answers to a program survey."""

    growth_rating: int = Field(ge=1, le=5, description="How much you have grown, 1 to 5.")
    relationship_rating: int = Field(ge=1, le=5, description="Quality of the relationship.")
    skills_developing: list[Slug] = Field(default_factory=list, max_length=MAX_ITEMS)
    recommend_score: int = Field(ge=0, le=10, description="Would recommend the program, 0-10.")
    would_join_again: bool
    comments: Text = Field(default="", description="Stays in this service.")

    def command(self) -> SurveyAnswers:
        """The answers, for the domain."""
        return SurveyAnswers(
            growth_rating=self.growth_rating,
            relationship_rating=self.relationship_rating,
            recommend_score=self.recommend_score,
            would_join_again=self.would_join_again,
            skills_developing=tuple(self.skills_developing),
            comments=self.comments,
        )
