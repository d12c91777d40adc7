"""Matching events: proposals, approvals and the pairs they create."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import (
    Identifier,
    PairEndReason,
    ParticipantRole,
    Slug,
    SolverStatus,
    UnmatchedReason,
    UtcDatetime,
)


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ProposedPair(_Value):
    """One proposed mentor-mentee pair with its score, explained per criterion."""

    mentor_participant_id: Identifier
    mentee_participant_id: Identifier
    group_id: Identifier | None = Field(default=None, description="Set in group programs.")
    score: float
    contributions: dict[Slug, float] = Field(
        description="Weighted contribution of each criterion; they sum to the score."
    )
    pick_rank: int | None = Field(default=None, ge=1, le=3, description="Mentee's pick rank.")
    pinned: bool = False


class UnmatchedParticipant(_Value):
    """A participant a run left unmatched, and why."""

    participant_id: Identifier
    role: ParticipantRole
    reason: UnmatchedReason
    detail: str = Field(default="", max_length=500)


class MatchingRunProposed(IntegrationEvent):
    """A matching run finished and proposes pairs (one part of a possibly split proposal).

    A large proposal is split into ``parts`` messages with the same ``run_id``; the run
    summary is repeated in every part, pairs and unmatched people appear in exactly one.
    """

    run_id: Identifier
    program_id: Identifier
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1)
    is_rematch: bool = False
    solver_status: SolverStatus
    objective: float
    bound: float
    gap: float = Field(ge=0, description="Relative optimality gap; 0 means proven optimal.")
    solve_seconds: float = Field(ge=0)
    mentors_considered: int = Field(ge=0)
    mentees_considered: int = Field(ge=0)
    mentees_matched: int = Field(ge=0)
    requires_approval: bool
    pairs: tuple[ProposedPair, ...] = ()
    unmatched: tuple[UnmatchedParticipant, ...] = ()
    proposed_at: UtcDatetime

    @model_validator(mode="after")
    def _part_in_range(self) -> Self:
        if self.part > self.parts:
            msg = "part must not exceed parts"
            raise ValueError(msg)
        return self


class MatchingRunApproved(IntegrationEvent):
    """A program manager (or the program's auto-approval) accepted a run's proposal."""

    run_id: Identifier
    program_id: Identifier
    pair_count: int = Field(ge=0)
    approved_automatically: bool
    approved_at: UtcDatetime


class PairCreated(IntegrationEvent):
    """A mentor and a mentee were paired; scheduling and feedback start from here."""

    pair_id: Identifier
    program_id: Identifier
    run_id: Identifier
    mentor_participant_id: Identifier
    mentee_participant_id: Identifier
    mentor_person_id: Identifier
    mentee_person_id: Identifier
    group_id: Identifier | None = None
    score: float
    contributions: dict[Slug, float] = Field(default_factory=dict)
    is_rematch: bool = False
    created_at: UtcDatetime


class PairEnded(IntegrationEvent):
    """A pair ended; when ended early its people return to the matching pool."""

    pair_id: Identifier
    program_id: Identifier
    reason: PairEndReason
    ended_at: UtcDatetime
    rematch_requested: bool = False
