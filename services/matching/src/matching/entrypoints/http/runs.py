"""Matching run endpoints: start (or what-if), follow, read the proposal, approve, why-not."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal, Self

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matching.domain.matching import PairKey
from matching.domain.runs import Run, RunKind, RunOptions, RunStatus, Stage
from matching.domain.why_not import WhyNot
from matching.usecases.runs import RunService
from mentorship_contracts.events.matching import ProposedPair, UnmatchedParticipant
from mentorship_contracts.types import Identifier
from mentorship_kit.auth import CallerDependency, Principal, program_manager
from mentorship_kit.program_access import ProgramManagers

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
RunId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
ParticipantQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
MAX_PAIRS_LISTED = 10_000


class PairRef(BaseModel):
    """A (mentor, mentee) pair by participant id."""

    model_config = ConfigDict(extra="forbid")

    mentor_participant_id: Identifier
    mentee_participant_id: Identifier

    def key(self) -> PairKey:
        """The domain key."""
        return PairKey(mentor=self.mentor_participant_id, mentee=self.mentee_participant_id)


class RunRequest(BaseModel):
    """A run to start: match whoever is unmatched, or a what-if that may change pairs."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["match", "what_if"] = Field(
        default="match",
        description=(
            "`match` keeps existing pairs and matches everyone else; `what_if` may change "
            "at most `max_changes` existing pairs, and shows the difference."
        ),
    )
    max_changes: int | None = Field(
        default=None, ge=0, le=MAX_PAIRS_LISTED, description="What-if: most pairs to change."
    )
    pins: list[PairRef] = Field(
        default_factory=list, max_length=MAX_PAIRS_LISTED, description="Pairs the run must make."
    )
    forbids: list[PairRef] = Field(
        default_factory=list, max_length=MAX_PAIRS_LISTED, description="Pairs it must not make."
    )
    time_limit_s: float | None = Field(
        default=None, gt=0, description="Solver time limit (capped by the service's maximum)."
    )

    @model_validator(mode="after")
    def _what_if_has_a_bound(self) -> Self:
        if (self.kind == "what_if") != (self.max_changes is not None):
            msg = "max_changes is required for a what_if run and only for it"
            raise ValueError(msg)
        return self


class SummaryView(BaseModel):
    """The solver's verdict: status, objective, bound, gap and where the time went."""

    solver_status: str
    objective: float
    bound: float
    gap: float = Field(description="Relative optimality gap; 0 means proven optimal.")
    mentees_considered: int
    mentors_considered: int
    mentees_matched: int
    unmatched: int
    removed_pairs: int = Field(description="What-if: existing pairs the proposal changes.")
    parts: int = Field(description="Proposal parts (pages of at most 500 pairs).")
    seconds: dict[str, float]


class ApprovalView(BaseModel):
    """Who approved the run and how far creating its pairs got."""

    approved_by: str | None = Field(
        description="Employee id of the approver, `admin-token` for the static admin token; "
        "null when approved automatically."
    )
    automatic: bool
    started_at: datetime
    finished_at: datetime | None
    pairs_created: int
    pairs_skipped: int = Field(
        description="Pairs no longer possible at approval (someone left or was paired)."
    )


class RunView(BaseModel):
    """A run and, once solved, its summary."""

    run_id: str
    program_id: str
    kind: RunKind
    status: RunStatus
    stage: Stage = Field(description="Progress while queued, running or being approved.")
    requested_by: str | None = Field(
        description="Employee id of the requester, `admin-token` for the static admin token; "
        "null for re-matches the service queued itself."
    )
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    max_changes: int | None
    pins: list[PairRef]
    forbids: list[PairRef]
    time_limit_s: float
    summary: SummaryView | None
    error: str | None
    approval: ApprovalView | None

    @classmethod
    def of(cls, run: Run) -> Self:
        """The view of ``run``."""
        return cls(
            run_id=run.run_id,
            program_id=run.program_id,
            kind=run.kind,
            status=run.status,
            stage=run.stage,
            requested_by=run.requested_by,
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            max_changes=run.options.max_changes,
            pins=[_ref(pair) for pair in run.options.pins],
            forbids=[_ref(pair) for pair in run.options.forbids],
            time_limit_s=run.options.time_limit_s,
            summary=SummaryView(**asdict(run.summary)) if run.summary else None,
            error=run.error,
            approval=ApprovalView.model_validate(asdict(run.approval)) if run.approval else None,
        )


class RunPage(BaseModel):
    """Runs, newest first; pass ``next_before`` as ``before`` for older ones."""

    runs: list[RunView]
    next_before: datetime | None


class ProposedPairView(ProposedPair):
    """A proposed pair, the id it gets on approval, and whether it exists already."""

    pair_id: str
    kept: bool = Field(description="What-if: the pair exists already and stays.")


class ProposalPage(BaseModel):
    """One part of a run's proposal (parts hold at most 500 pairs each)."""

    run_id: str
    part: int
    parts: int
    pairs: list[ProposedPairView]
    unmatched: list[UnmatchedParticipant]
    removed: list[PairRef] = Field(
        description="What-if, first part only: existing pairs the proposal ends."
    )


class WhyNotView(BaseModel):
    """What keeps a mentee and a mentor apart, computed on today's pool."""

    mentee_participant_id: str
    mentor_participant_id: str
    paired: bool
    can_be_paired: bool
    reasons: list[str] = Field(description="Hard rules and exclusions that rule the pair out.")
    score: float | None
    contributions: dict[str, float] | None
    mentee_partner: str | None = Field(description="The mentor the run gives the mentee.")
    mentee_partner_score: float | None
    objective: float | None
    objective_with_pair: float | None = Field(description="Best total score with the pair pinned.")
    matches: int | None
    matches_with_pair: int | None
    summary: str

    @classmethod
    def of(cls, answer: WhyNot) -> Self:
        """The view of ``answer``."""
        fields = asdict(answer)
        fields["mentee_participant_id"] = fields.pop("mentee")
        fields["mentor_participant_id"] = fields.pop("mentor")
        return cls.model_validate(fields)


def _ref(pair: PairKey) -> PairRef:
    return PairRef(mentor_participant_id=pair.mentor, mentee_participant_id=pair.mentee)


def runs_router(
    service: RunService,
    caller: CallerDependency,
    managers: ProgramManagers,
    *,
    default_time_limit_s: float,
    max_time_limit_s: float,
) -> APIRouter:
    """Routes for matching runs (admins and the program's managers only)."""
    router = APIRouter(prefix="/v1", tags=["matching runs"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Manager = Annotated[Principal, Depends(program_manager(caller, managers.of))]  # noqa: N806

    async def managed_run(run_id: str, who: Principal) -> Run:
        """The run, once the caller is known to manage its program (403 otherwise)."""
        run = await service.get(run_id)
        await managers.require(who, run.program_id)
        return run

    @router.post(
        "/programs/{program_id}/matching-runs",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Start a matching run (or a what-if run)",
        description=(
            "Queues the run and answers at once; follow it at `GET /v1/matching-runs/{run_id}` "
            "(its `stage` shows progress). One unfinished run per program at a time."
        ),
    )
    async def start(program_id: ProgramId, request: RunRequest, caller: Manager) -> RunView:
        options = RunOptions(
            pins=tuple(pair.key() for pair in request.pins),
            forbids=tuple(pair.key() for pair in request.forbids),
            max_changes=request.max_changes,
            time_limit_s=min(request.time_limit_s or default_time_limit_s, max_time_limit_s),
        )
        run = await service.request(program_id, RunKind(request.kind), options, caller.actor)
        return RunView.of(run)

    @router.get("/programs/{program_id}/matching-runs", summary="List a program's runs")
    async def list_runs(
        program_id: ProgramId,
        _: Manager,
        before: Annotated[datetime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> RunPage:
        runs = await service.page(program_id, before, limit)
        return RunPage(
            runs=[RunView.of(run) for run in runs],
            next_before=runs[-1].requested_at if len(runs) == limit else None,
        )

    @router.get("/matching-runs/{run_id}", summary="Read a run: status, stage, summary")
    async def read(run_id: RunId, who: Caller) -> RunView:
        return RunView.of(await managed_run(run_id, who))

    @router.get(
        "/matching-runs/{run_id}/proposal",
        summary="Read one part of a run's proposal: pairs, explanations, unmatched people",
    )
    async def proposal(
        run_id: RunId, who: Caller, part: Annotated[int, Query(ge=1)] = 1
    ) -> ProposalPage:
        run = await managed_run(run_id, who)
        stored = await service.part(run_id, part)
        return ProposalPage(
            run_id=run_id,
            part=part,
            parts=stored.event.parts,
            pairs=[
                ProposedPairView(**pair.model_dump(), pair_id=pair_id, kept=kept)
                for pair, pair_id, kept in zip(
                    stored.event.pairs, stored.pair_ids, stored.kept, strict=True
                )
            ],
            unmatched=list(stored.event.unmatched),
            removed=[_ref(pair) for pair in run.removed] if part == 1 else [],
        )

    @router.post(
        "/matching-runs/{run_id}/approve",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Approve a proposal: its pairs are created (asynchronously, in parts)",
    )
    async def approve(run_id: RunId, who: Caller) -> RunView:
        await managed_run(run_id, who)
        return RunView.of(await service.approve(run_id, who.actor))

    @router.get(
        "/matching-runs/{run_id}/why-not",
        summary="Why a mentee and a mentor are not paired: the rule, or the score it costs",
    )
    async def why_not(
        run_id: RunId,
        who: Caller,
        mentee_participant_id: ParticipantQuery,
        mentor_participant_id: ParticipantQuery,
    ) -> WhyNotView:
        await managed_run(run_id, who)
        answer = await service.why_not(run_id, mentee_participant_id, mentor_participant_id)
        return WhyNotView.of(answer)

    return router
