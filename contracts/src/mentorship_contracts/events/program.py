"""Program events: what a program is and how it matches people."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import (
    Cadence,
    Identifier,
    MatchingMode,
    ProgramFormat,
    ProgramGoal,
    ProgramLifecycle,
    RegistrationStatus,
    Slug,
    TimeZoneName,
    UtcDatetime,
)

Weight = Annotated[float, Field(ge=0, le=100)]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class KeyResult(_Value):
    """The measurable result a program is run for, e.g. "80% of mentees hold 6 sessions"."""

    description: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    metric: Slug = Field(description="What is measured, e.g. sessions_held_per_pair.")
    target: float = Field(description="The value the metric should reach by the program's end.")


class CriterionWeights(_Value):
    """How much each soft matching criterion counts; each criterion scores in [0, 1]."""

    skills: Weight = 3.0
    goals: Weight = 2.0
    discipline: Weight = 1.0
    interests: Weight = 1.0
    seniority: Weight = 1.0
    location: Weight = 1.0
    time_zone: Weight = 1.0


class MatchingRules(_Value):
    """Hard rules and optional constraints of the matching integer program."""

    max_time_zone_gap_hours: float | None = Field(default=6.0, ge=0, le=26)
    reporting_line_depth: int = Field(
        default=2, ge=0, le=10, description="Managers up the chain a mentor may not be."
    )
    require_shared_language: bool = True
    in_person_required: bool = False
    mentee_picks_required: bool = Field(
        default=False, description="Each mentee must get one of their picks (else a bonus)."
    )
    pick_bonus: Weight = 1.0
    min_cross_department_share: float | None = Field(default=None, ge=0, le=1)
    max_pairs_per_department: int | None = Field(default=None, ge=1)
    maximise_worst_pair: bool = False


class MatchingSettings(_Value):
    """The program's matching criteria, weights and rules."""

    weights: CriterionWeights = CriterionWeights()
    rules: MatchingRules = MatchingRules()


class ProgramTopics(_Value):
    """The skills and goals a program works on: the topics feedback can tick."""

    skills: tuple[Slug, ...] = ()
    goals: tuple[Slug, ...] = ()


class ProgramDetails(_Value):
    """A program's settings, as its program manager sets them."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    goal: ProgramGoal
    goal_detail: Annotated[str, StringConstraints(max_length=500)] = ""
    key_result: KeyResult
    format: ProgramFormat
    max_group_size: int | None = Field(default=None, ge=2, le=50)
    starts_on: date
    ends_on: date
    cadence: Cadence
    session_minutes: int = Field(default=60, ge=15, le=480)
    time_zone: TimeZoneName = "UTC"
    registration_opens_at: UtcDatetime
    registration_closes_at: UtcDatetime
    matching_mode: MatchingMode
    auto_approve_matches: bool
    matching: MatchingSettings = MatchingSettings()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on <= self.starts_on:
            msg = "ends_on must be after starts_on"
            raise ValueError(msg)
        if self.registration_closes_at <= self.registration_opens_at:
            msg = "registration_closes_at must be after registration_opens_at"
            raise ValueError(msg)
        if (self.format is ProgramFormat.GROUP) != (self.max_group_size is not None):
            msg = "max_group_size is required for group programs and only for them"
            raise ValueError(msg)
        return self


class ProgramState(IntegrationEvent, ProgramDetails):
    """Everything subscribers need to know about a program (event-carried state)."""

    program_id: Identifier
    registration_status: RegistrationStatus = Field(
        description="At the time of the event; later it follows the registration window."
    )
    topics: ProgramTopics = ProgramTopics()
    lifecycle: ProgramLifecycle | None = Field(
        default=None,
        description=(
            "draft, registration_open, matching, running or closed; absent in events from "
            "before lifecycles (read it as registration_open)."
        ),
    )
    managers: tuple[Identifier, ...] = Field(
        default=(),
        description=(
            "Person ids of the program's managers, who may run it like an admin but only it "
            "(empty: admins only; absent in events from before program managers)."
        ),
        max_length=50,
    )


class ProgramCreated(ProgramState):
    """A program manager created a program; it carries the program's full settings."""

    created_at: UtcDatetime


class ProgramUpdated(ProgramState):
    """A program's settings changed (including its registration opening or closing).

    Carries the full new state, so a subscriber simply replaces what it holds.
    """

    updated_at: UtcDatetime
    changed_fields: tuple[str, ...] = Field(default=(), description="Top-level fields changed.")
