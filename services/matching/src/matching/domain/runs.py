"""Matching runs: what was asked, where a run stands, and its proposal as events.

A run is queued, solved by a worker (its stage visible while it runs), proposed, and
then approved (pairs created in chunks) or superseded by a later approval. The proposal
is split into parts of at most `PART_PAIRS` pairs: each part is one MatchingRunProposed
event and one stored document, so neither grows with the program.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from matching.domain.matching import PairKey, Proposal
from mentorship_contracts.events.matching import (
    MatchingRunProposed,
    ProposedPair,
    UnmatchedParticipant,
)
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ProgramFormat

PART_PAIRS = 500
"""Pairs (and unmatched people) per proposal part: about 200 KB per event."""
SCORE_DIGITS = 9
"""Decimal digits a proposal's scores and contributions are rounded to."""
MAX_ATTEMPTS = 3
"""A run whose worker died this many times fails instead of being retried again."""


class RunKind(StrEnum):
    """Why a run was started."""

    MATCH = "match"
    """Match everyone not yet paired; existing pairs stay."""
    REMATCH = "rematch"
    """Started by a pair ending early: match the freed people; existing pairs stay."""
    WHAT_IF = "what_if"
    """Existing pairs may change, at most ``max_changes`` of them; approving applies it."""


class RunStatus(StrEnum):
    """Where a run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    PROPOSED = "proposed"
    APPROVING = "approving"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """A worker has (or will have) something to do for the run."""
        return self in {RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.APPROVING}


class Stage(StrEnum):
    """Progress of a running run."""

    QUEUED = "queued"
    LOADING = "loading"
    SCORING = "scoring"
    SOLVING = "solving"
    EXPLAINING = "explaining"
    STORING = "storing"
    CREATING_PAIRS = "creating_pairs"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What the requester asked for beyond the program's settings."""

    pins: tuple[PairKey, ...] = ()
    forbids: tuple[PairKey, ...] = ()
    max_changes: int | None = None
    time_limit_s: float = 60.0


@dataclass(frozen=True, slots=True)
class Approval:
    """How far the approval of a run got, and who gave it."""

    approved_by: str | None
    automatic: bool
    started_at: datetime
    removed_done: bool = False
    """What-if: the existing pairs the proposal changes have been ended."""
    parts_done: int = 0
    pairs_created: int = 0
    pairs_skipped: int = 0
    """Proposed pairs no longer possible when approved (someone left or was paired)."""
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The solver's verdict on a finished run."""

    solver_status: str
    objective: float
    bound: float
    gap: float
    mentees_considered: int
    mentors_considered: int
    mentees_matched: int
    unmatched: int
    removed_pairs: int
    parts: int
    seconds: dict[str, float] = field(default_factory=dict)


def group_id(program: ProgramState, mentor_participant_id: str) -> str | None:
    """The group a mentor's mentees form in a group program (stable across runs)."""
    if program.format is not ProgramFormat.GROUP:
        return None
    digest = hashlib.sha256(f"{program.program_id}/{mentor_participant_id}".encode()).hexdigest()
    return f"group-{digest[:24]}"


class _Rounded(dict[float, float]):
    """``rounded[value]`` is ``round(value, SCORE_DIGITS)``, worked out once per value.

    A proposal's scores and their 50,000-60,000 contributions (n=10,000) take a few dozen
    distinct values (each criterion's weight times a few levels), and ``round`` to a number
    of digits is slow (it goes through the decimal digits): it was half of the time spent
    preparing the parts. Zeros are not remembered: -0.0 equals 0.0 but keeps its sign.
    """

    def __missing__(self, value: float) -> float:
        rounded = round(value, SCORE_DIGITS)
        if value:
            self[value] = rounded
        return rounded


def proposal_parts(
    run_id: str,
    program: ProgramState,
    proposal: Proposal,
    *,
    kind: RunKind,
    proposed_at: datetime,
) -> list[MatchingRunProposed]:
    """The proposal as events of at most `PART_PAIRS` pairs and unmatched people each.

    Part ``k`` holds ``proposal.matches[(k - 1) * PART_PAIRS : k * PART_PAIRS]``.
    """
    rounded = _Rounded()
    pairs = [
        ProposedPair(
            mentor_participant_id=match.mentor,
            mentee_participant_id=match.mentee,
            group_id=group_id(program, match.mentor),
            score=rounded[match.score],
            contributions={name: rounded[value] for name, value in match.contributions.items()},
            pick_rank=match.pick_rank,
            pinned=match.pinned,
        )
        for match in proposal.matches
    ]
    unmatched = [
        UnmatchedParticipant(
            participant_id=person.participant_id,
            role=person.role,
            reason=person.reason,
            detail=person.detail[:500],
        )
        for person in proposal.unmatched
    ]
    count = max(1, -(-len(pairs) // PART_PAIRS), -(-len(unmatched) // PART_PAIRS))
    return [
        MatchingRunProposed(
            run_id=run_id,
            program_id=program.program_id,
            part=part + 1,
            parts=count,
            is_rematch=kind is RunKind.REMATCH,
            solver_status=proposal.status,
            objective=proposal.objective,
            bound=proposal.bound,
            gap=proposal.gap,
            solve_seconds=proposal.seconds.get("total", 0.0),
            mentors_considered=proposal.mentors_considered,
            mentees_considered=proposal.mentees_considered,
            mentees_matched=len(proposal.matches),
            requires_approval=not program.auto_approve_matches,
            pairs=tuple(pairs[part * PART_PAIRS : (part + 1) * PART_PAIRS]),
            unmatched=tuple(unmatched[part * PART_PAIRS : (part + 1) * PART_PAIRS]),
            proposed_at=proposed_at,
        )
        for part in range(count)
    ]


def summary_of(
    proposal: Proposal, parts: int, pipeline: Mapping[str, float] | None = None
) -> RunSummary:
    """What a run's document records of its proposal.

    ``seconds`` holds the solver's stages and, from ``pipeline``, the worker's own: ``load``
    (reading the pool, while the run is recorded as running), ``solve`` (the solver, wall
    clock) and ``prepare`` (building the proposal's parts), so that a run's time end to end
    can be told apart stage by stage.
    """
    seconds = {**proposal.seconds, **(pipeline or {})}
    return RunSummary(
        solver_status=proposal.status.value,
        objective=proposal.objective,
        bound=proposal.bound,
        gap=proposal.gap,
        mentees_considered=proposal.mentees_considered,
        mentors_considered=proposal.mentors_considered,
        mentees_matched=len(proposal.matches),
        unmatched=len(proposal.unmatched),
        removed_pairs=len(proposal.removed),
        parts=parts,
        seconds={name: round(value, 3) for name, value in seconds.items()},
    )


@dataclass(frozen=True, slots=True)
class Run:
    """One matching run of a program."""

    run_id: str
    program_id: str
    kind: RunKind
    status: RunStatus
    stage: Stage
    options: RunOptions
    requested_by: str | None
    requested_at: datetime
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    summary: RunSummary | None = None
    removed: tuple[PairKey, ...] = ()
    """What-if: existing pairs the proposal would end."""
    error: str | None = None
    approval: Approval | None = None
