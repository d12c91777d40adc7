"""What participants read with their own token.

Their pairs, the mentors they may pick, and everything matching holds about them (right
of access).
"""

from datetime import datetime
from typing import Annotated, Literal, Self

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from matching.domain.candidates import Candidate, Candidates
from matching.domain.matching import PairKey
from matching.domain.membership import InCommon, MemberPair
from matching.domain.pairs import PairStatus
from matching.domain.reporting import ManagerStatement
from matching.domain.runs import Run
from matching.usecases.participants import (
    NOT_MENTEE_CHOICE,
    MyPairs,
    ParticipantViews,
    PersonalData,
    ProgramWeights,
)
from mentorship_contracts.events.matching import ProposedPair, UnmatchedParticipant
from mentorship_contracts.events.participant import MatchingProfile, ParticipantState
from mentorship_contracts.types import PairEndReason, ParticipantRole, Seniority
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.export_route import add_export_route
from mentorship_kit.exports import (
    EXPORT_RESPONSES,
    ExportSection,
    PersonalDataDocument,
    subject,
)

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


_HOLDS = (
    "their registrations as matching compares them, whom matching holds they report "
    "to, their pairs with each score explained, the proposals that named them and "
    "the pins and forbids of pairs with them. Each section describes itself."
)
"""What the export holds, as its OpenAPI description says it."""


class InCommonView(BaseModel):
    """What a mentee and a mentor share: the answers behind the score's contributions."""

    skills: list[str] = Field(description="Skills the mentee wants to grow that the mentor offers.")
    goals: list[str] = Field(description="Goals the mentee wants that the mentor has reached.")
    disciplines: list[str] = Field(
        description="Disciplines the mentee would like her mentor from that the mentor knows."
    )
    interests: list[str]
    languages: list[str]
    locations: list[str]
    both_remote: bool = Field(description="Both are open to meeting remotely.")
    time_zone_gap_hours: float = Field(description="Hours between their time zones.")

    @classmethod
    def of(cls, shared: InCommon) -> Self:
        """The view of ``shared``."""
        return cls(
            skills=list(shared.skills),
            goals=list(shared.goals),
            disciplines=list(shared.disciplines),
            interests=list(shared.interests),
            languages=list(shared.languages),
            locations=list(shared.locations),
            both_remote=shared.both_remote,
            time_zone_gap_hours=shared.time_zone_gap_hours,
        )


class MyPairView(BaseModel):
    """One of the caller's pairs: their side, who they meet, and why they were matched."""

    pair_id: str
    program_id: str
    run_id: str
    group_id: str | None
    participant_id: str = Field(description="Your participant id in the program.")
    role: ParticipantRole = Field(description="Your side of the pair: mentor or mentee.")
    partner_participant_ids: list[str] = Field(
        description="The others you meet: the other member (a group: everyone in it)."
    )
    mentor_participant_id: str = Field(description="The pair's mentor.")
    mentee_participant_id: str = Field(
        description="The pair's mentee: in a group, the one mentee this pair, its score and "
        "its explanation are about."
    )
    score: float
    contributions: dict[str, float] = Field(
        description="Each criterion's weighted contribution (and `pick`, the pick bonus): "
        "they sum to the score."
    )
    weights: dict[str, float] = Field(
        description="The program's weight of each criterion now: a criterion met in full "
        "contributes its weight."
    )
    pick_bonus: float = Field(description="The program's bonus for a mentee's first pick.")
    in_common: InCommonView | None = Field(
        description="What you share, answer by answer (null once one of you left the program)."
    )
    is_rematch: bool
    status: PairStatus
    created_at: datetime
    ended_at: datetime | None
    end_reason: PairEndReason | None

    @classmethod
    def of(cls, member: MemberPair, program: ProgramWeights | None) -> Self:
        """The view of ``member``."""
        pair = member.pair
        return cls(
            pair_id=pair.pair_id,
            program_id=pair.program_id,
            run_id=pair.run_id,
            group_id=pair.group_id,
            participant_id=member.participant_id,
            role=member.role,
            partner_participant_ids=list(member.partners),
            mentor_participant_id=pair.mentor_participant_id,
            mentee_participant_id=pair.mentee_participant_id,
            score=pair.score,
            contributions=dict(pair.contributions),
            weights=program.weights if program else {},
            pick_bonus=program.pick_bonus if program else 0.0,
            in_common=InCommonView.of(member.in_common) if member.in_common else None,
            is_rematch=pair.is_rematch,
            status=pair.status,
            created_at=pair.created_at,
            ended_at=pair.ended_at,
            end_reason=pair.end_reason,
        )


class MyPairsView(BaseModel):
    """The caller's pairs, active and ended, newest first."""

    pairs: list[MyPairView]

    @classmethod
    def of(cls, mine: MyPairs) -> Self:
        """The view of ``mine``."""
        return cls(
            pairs=[MyPairView.of(m, mine.programs.get(m.pair.program_id)) for m in mine.pairs]
        )


class MentorOffer(BaseModel):
    """What a mentor told the program about themselves that matching compares (no name)."""

    role: ParticipantRole
    department: str | None
    seniority: Seniority | None
    discipline: str | None
    disciplines_experienced: list[str]
    skills_offered: list[str]
    goals_achieved: list[str]
    interests: list[str]
    languages: list[str]
    locations: list[str]
    remote_ok: bool
    time_zone: str

    @classmethod
    def of(cls, mentor: ParticipantState) -> Self:
        """The offer of ``mentor``."""
        profile = mentor.profile
        return cls(
            role=mentor.role,
            department=mentor.department,
            seniority=profile.seniority,
            discipline=profile.discipline,
            disciplines_experienced=list(profile.disciplines_experienced),
            skills_offered=list(profile.skills_offered),
            goals_achieved=list(profile.goals_achieved),
            interests=list(profile.interests),
            languages=list(profile.languages),
            locations=list(profile.locations),
            remote_ok=profile.remote_ok,
            time_zone=profile.time_zone,
        )


class CandidateView(BaseModel):
    """A mentor you may pick and how well you fit, by the scoring a matching run uses."""

    mentor_participant_id: str = Field(description="What a pick names.")
    score: float = Field(description="The weighted sum of criteria (without the pick bonus).")
    fit: float = Field(ge=0, le=1, description="The score as a share of the best possible.")
    contributions: dict[str, float] = Field(description="Each criterion's part of the score.")
    room: int = Field(description="Mentees the mentor may still take (0: full for now).")
    pick_rank: int | None = Field(description="Where you put them among your picks, if you did.")
    in_common: InCommonView
    offer: MentorOffer

    @classmethod
    def of(cls, candidate: Candidate, max_score: float) -> Self:
        """The view of ``candidate``."""
        return cls(
            mentor_participant_id=candidate.mentor.participant_id,
            score=candidate.score,
            fit=min(1.0, candidate.score / max_score) if max_score > 0 else 0.0,
            contributions=candidate.contributions,
            room=candidate.room,
            pick_rank=candidate.pick_rank,
            in_common=InCommonView.of(candidate.in_common),
            offer=MentorOffer.of(candidate.mentor),
        )


class CandidateList(BaseModel):
    """The mentors you may pick in a program, best fit first."""

    program_id: str
    mentee_participant_id: str = Field(description="Your participant id in the program.")
    picks: list[str] = Field(description="Your picks now, best first (participant ids).")
    max_score: float = Field(description="The score of a mentor meeting every criterion.")
    weights: dict[str, float] = Field(description="The program's weight of each criterion.")
    total: int = Field(description="Mentors you may pick (this page may show fewer).")
    excluded: int = Field(
        description="Mentors of the program the hard rules (same person, reporting line, "
        "language, time zones, place to meet, seniority) or an earlier pairing keep from you."
    )
    candidates: list[CandidateView]

    @classmethod
    def of(cls, found: Candidates, limit: int) -> Self:
        """The first ``limit`` of ``found``, and any of the mentee's picks beyond them."""
        shown = [c for rank, c in enumerate(found.candidates) if rank < limit or c.pick_rank]
        return cls(
            program_id=found.mentee.program_id,
            mentee_participant_id=found.mentee.participant_id,
            picks=list(found.mentee.profile.preferred_mentors),
            max_score=found.max_score,
            weights=dict(found.weights),
            total=len(found.candidates),
            excluded=found.excluded,
            candidates=[CandidateView.of(c, found.max_score) for c in shown],
        )


# ---------------------------------------------------------------------- right of access


class ExportedPoolEntry(BaseModel):
    """Your registration as matching compares it, in one program's pool."""

    participant_id: str
    program_id: str
    role: ParticipantRole
    capacity: int
    department: str | None
    reporting_line: list[str] = Field(
        description="person_ids of your managers as registered, the direct manager first."
    )
    profile: MatchingProfile = Field(description="Your answers that matching compares.")


class ExportedManager(BaseModel):
    """Whom matching holds you report to (for the reporting-line rule)."""

    manager_person_id: str | None = Field(description="null: you report to nobody.")
    as_of: datetime
    source: Literal["your_registration", "someone_elses_registration"] = Field(
        description="Your own registration, or the reporting line of someone you manage."
    )


class ExportedPair(BaseModel):
    """A pair you are (or were) a member of, with its score explained."""

    pair_id: str
    program_id: str
    run_id: str
    group_id: str | None
    participant_id: str
    role: ParticipantRole
    partner_participant_ids: list[str]
    score: float
    contributions: dict[str, float]
    status: PairStatus
    created_at: datetime
    ended_at: datetime | None
    end_reason: PairEndReason | None


class ExportedProposal(BaseModel):
    """A matching run's proposal that named you: a pair proposed, or why you were left out."""

    run_id: str
    program_id: str
    proposed_at: datetime
    proposed_pair: ProposedPair | None
    unmatched: UnmatchedParticipant | None


class ExportedAdminDecision(BaseModel):
    """A program manager's pin or forbid of a pair with you, in a run's request."""

    run_id: str
    program_id: str
    decision: Literal["pin", "forbid"]
    mentor_participant_id: str
    mentee_participant_id: str


class MatchingSections(BaseModel):
    """Every kind of record matching keeps about a person."""

    pool_entries: ExportSection[ExportedPoolEntry]
    manager: ExportSection[ExportedManager]
    pairs: ExportSection[ExportedPair]
    proposals: ExportSection[ExportedProposal]
    admin_decisions: ExportSection[ExportedAdminDecision]


class MatchingExport(PersonalDataDocument[MatchingSections]):
    """Everything the matching service holds about the caller."""

    service: Literal["matching"] = "matching"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        ids = data.participant_ids()
        proposals = [
            ExportedProposal(
                run_id=part.event.run_id,
                program_id=part.event.program_id,
                proposed_at=part.event.proposed_at,
                proposed_pair=pair,
                unmatched=None,
            )
            for part in data.proposal_parts
            for pair in part.event.pairs
            if {pair.mentor_participant_id, pair.mentee_participant_id} & ids
        ] + [
            ExportedProposal(
                run_id=part.event.run_id,
                program_id=part.event.program_id,
                proposed_at=part.event.proposed_at,
                proposed_pair=None,
                unmatched=person,
            )
            for part in data.proposal_parts
            for person in part.event.unmatched
            if person.participant_id in ids
        ]
        decisions = [decision for run in data.runs for decision in _decisions(run, ids)]
        return cls(
            generated_at=data.generated_at,
            subject=subject(data.person_id, ids),
            sections=MatchingSections(
                pool_entries=ExportSection(
                    description=(
                        "Your registrations as matching compares them, in the programs whose "
                        "pool you are in: role, capacity, department, your managers' person "
                        "ids and your matching answers (including the mentors you picked)."
                    ),
                    items=[_pool_entry(entry) for entry in data.pool_entries],
                ),
                manager=ExportSection(
                    description=(
                        "Whom matching holds you report to, to keep you apart from your "
                        "reporting line, and where that came from."
                    ),
                    items=[_manager(data.manager)] if data.manager else [],
                ),
                pairs=ExportSection(
                    description=(
                        "The pairs you are (or were) a member of, with their score and each "
                        "criterion's contribution to it."
                    ),
                    items=[_pair(member) for member in data.pairs],
                ),
                proposals=ExportSection(
                    description=(
                        "Matching runs' proposals that named you: a pair proposed with you "
                        "(and its score), or why a run left you unmatched."
                    ),
                    items=proposals,
                ),
                admin_decisions=ExportSection(
                    description=(
                        "Pairs with you that a program manager pinned or forbade when "
                        "requesting a matching run."
                    ),
                    items=decisions,
                ),
            ),
        )


def _decisions(run: Run, ids: set[str]) -> list[ExportedAdminDecision]:
    def of(decision: Literal["pin", "forbid"], key: PairKey) -> ExportedAdminDecision:
        return ExportedAdminDecision(
            run_id=run.run_id,
            program_id=run.program_id,
            decision=decision,
            mentor_participant_id=key.mentor,
            mentee_participant_id=key.mentee,
        )

    named = [of("pin", key) for key in run.options.pins]
    named += [of("forbid", key) for key in run.options.forbids]
    return [d for d in named if {d.mentor_participant_id, d.mentee_participant_id} & ids]


def _pool_entry(entry: ParticipantState) -> ExportedPoolEntry:
    return ExportedPoolEntry(
        participant_id=entry.participant_id,
        program_id=entry.program_id,
        role=entry.role,
        capacity=entry.capacity,
        department=entry.department,
        reporting_line=list(entry.reporting_line),
        profile=entry.profile,
    )


def _manager(statement: ManagerStatement) -> ExportedManager:
    return ExportedManager(
        manager_person_id=statement.manager,
        as_of=statement.as_of,
        source="your_registration" if statement.direct else "someone_elses_registration",
    )


def _pair(member: MemberPair) -> ExportedPair:
    pair = member.pair
    return ExportedPair(
        pair_id=pair.pair_id,
        program_id=pair.program_id,
        run_id=pair.run_id,
        group_id=pair.group_id,
        participant_id=member.participant_id,
        role=member.role,
        partner_participant_ids=list(member.partners),
        score=pair.score,
        contributions=dict(pair.contributions),
        status=pair.status,
        created_at=pair.created_at,
        ended_at=pair.ended_at,
        end_reason=pair.end_reason,
    )


def participants_router(views: ParticipantViews, caller: CallerDependency) -> APIRouter:
    """Routes a participant calls with their own token."""
    router = APIRouter(prefix="/v1", tags=["participants"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get(
        "/me/pairs",
        summary="Your pairs, and why you were matched",
        description=(
            "The caller's pairs, active and ended, newest first: their side, who they meet, "
            "the score with each criterion's contribution, the program's weights (a criterion "
            "met in full contributes its weight) and what the two have in common."
        ),
        responses=EXPORT_RESPONSES,
    )
    async def my_pairs(who: Caller) -> MyPairsView:
        return MyPairsView.of(await views.my_pairs(who))

    @router.get(
        "/programs/{program_id}/candidates",
        summary="The mentors you may pick in a mentee-choice program",
        description=(
            "For a mentee registered in a program whose mentees pick their mentors: every "
            "mentor a matching run could pair her with (the hard rules and earlier pairings "
            "applied as a run applies them), best fit first, scored as a run scores them. "
            "Picks are these mentors' participant ids, given when registering."
        ),
        responses={
            403: {"description": "You are not a mentee in the program's pool."},
            404: {"description": "Matching knows no such program."},
            409: {"description": f"`{NOT_MENTEE_CHOICE}`: the program's mentees do not pick."},
        },
    )
    async def candidates(
        program_id: ProgramId,
        who: Caller,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> CandidateList:
        return CandidateList.of(await views.candidates(program_id, who), limit)

    async def export_my_data(who: Principal) -> MatchingExport:
        return MatchingExport.of(await views.export(who))

    add_export_route(
        router,
        caller,
        service="matching",
        holds=_HOLDS,
        document=MatchingExport,
        build=export_my_data,
    )

    return router
