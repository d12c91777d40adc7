"""The read models' documents: one typed model per kind of fact, shared by folds and reports.

Each document is the fold of the events about one thing (see `analytics.domain.facts`), and
the reports (`analytics.domain.reports`) read nothing else. Where the events about a thing
can arrive in any order (a pair's end before its creation, a run's approval before its
proposal, a withdrawal or an erasure before the registration), a field says what has been
seen: never the presence or absence of a key.

Who counts (the same in every report, in the gauges and in matching's pool):

- A participant is *in the program* while registered, not withdrawn and not erased. Only
  they count as participants, by role, in mentor capacity and mentee demand, in the answer
  distribution, in the match rate (both sides of it) and among mentors over capacity.
- A *withdrawn* participant left: they count as a withdrawal and their registration day
  stays, as does what they did while in (pairs, sessions, ratings, goals, unmatched in a
  past proposal).
- An *erased* participant is as if they had never registered: in no count of people at all
  (not even withdrawals or registrations by day), their goals gone (as the feedback service
  deletes them), and absent from the unmatched of a proposal. What pairs and sessions they
  were part of stays as anonymous facts, as matching and feedback keep them: pairs and their
  endings, sessions, ratings, fit answers and survey scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, ClassVar, Final

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from mentorship_contracts.types import (
    AssessmentMoment,
    Cadence,
    FitConcern,
    OutcomeKind,
    PairEndReason,
    ParticipantRole,
    ProgramFormat,
    RaterKind,
    Seniority,
    SessionCancelReason,
    SurveyKind,
    UnmatchedReason,
)

IsoDate = Annotated[date, PlainSerializer(date.isoformat, return_type=str)]
"""A calendar day, stored as its ISO text (the database has no date type)."""


class Fact(BaseModel):
    """A read-model document: the fold of the events about one thing."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, extra="ignore")

    collection: ClassVar[str]
    """The kind of document (its collection's name)."""

    id: str = Field(alias="_id", description="The thing's id (a key for a person).")
    program_id: str


class ProgramFact(Fact):
    """A program, as its latest `ProgramCreated` or `ProgramUpdated` describes it."""

    collection: ClassVar[str] = "programs"

    version: str
    name: str
    metric: str
    target: float
    starts_on: IsoDate
    ends_on: IsoDate
    cadence: Cadence
    format: ProgramFormat
    reporting_line_depth: int = Field(default=2, description="Of its matching rules.")


class ParticipantStatus(StrEnum):
    """Whether a participant is in their program or left it."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ParticipantFact(Fact):
    """A participant: registration state, status and erasure, folded in any order."""

    collection: ClassVar[str] = "participants"

    version: str = Field(default="", description="Of the state (role, capacity, answers).")
    role: ParticipantRole | None = Field(default=None, description="None until registered.")
    capacity: int = 0
    participant_id: str | None = Field(default=None, description="None once erased.")
    person_key: str = Field(default="", description="A key for the person (not the program's).")
    answers: dict[str, list[str]] = Field(default_factory=dict)
    registered_at: datetime | None = None
    status: ParticipantStatus | None = Field(
        default=None, description="None until registered or withdrawn."
    )
    status_version: str = ""
    withdrew_at: datetime | None = None
    erased: bool = False

    @property
    def in_program(self) -> bool:
        """Registered, not withdrawn, not erased: in the pool, and in every count of people."""
        return all(getattr(self, field) == value for field, value in IN_PROGRAM.items())

    @property
    def withdrawn(self) -> bool:
        """Withdrew and was not erased: counted as a withdrawal."""
        return self.status is ParticipantStatus.WITHDRAWN and not self.erased

    @property
    def seeks_mentor(self) -> bool:
        """A mentee (or both): part of mentee demand and of the match rate's denominator."""
        return self.role in {ParticipantRole.MENTEE, ParticipantRole.BOTH}


IN_PROGRAM: Final[Mapping[str, object]] = MappingProxyType(
    {"status": ParticipantStatus.ACTIVE, "erased": False}
)
"""The field values of a participant in the program (the gauges count them in the database)."""


class UnmatchedFact(BaseModel):
    """Someone a proposal left unmatched, and why."""

    key: str
    reason: UnmatchedReason


class RunFact(Fact):
    """A matching run: its proposal (possibly in parts) and its approval, in either order."""

    collection: ClassVar[str] = "runs"

    proposed_at: datetime | None = Field(default=None, description="None until proposed.")
    parts_total: int = 0
    is_rematch: bool = False
    mentees_considered: int = 0
    mentees_matched: int = 0
    unmatched: dict[str, list[UnmatchedFact]] = Field(
        default_factory=dict, description="Per part of the proposal, who it left unmatched."
    )
    approved: bool = False
    approved_at: datetime | None = None
    pair_count: int = 0


class PairFact(Fact):
    """A pair: its creation and its end, in either order."""

    collection: ClassVar[str] = "pairs"

    created: bool = Field(default=False, description="Whether its PairCreated arrived.")
    score: float = Field(default=0.0, description="This and the fields below: once created.")
    is_rematch: bool = False
    created_at: datetime | None = None
    mentor_key: str = ""
    mentee_key: str = ""
    group_id: str | None = None
    ended: bool = False
    end_reason: PairEndReason | None = None
    ended_at: datetime | None = None
    end_version: str = ""

    @property
    def active(self) -> bool:
        """Created and not ended."""
        return all(getattr(self, field) == value for field, value in ACTIVE_PAIR.items())


ACTIVE_PAIR: Final[Mapping[str, object]] = MappingProxyType({"created": True, "ended": False})
"""The field values of an active pair (the gauges count them in the database)."""


class InvitationFact(Fact):
    """An invitation to register, and how many reminders followed it."""

    collection: ClassVar[str] = "invitations"
    person_key: str = ""
    department: str | None = None
    sent_at: datetime | None = Field(default=None, description="None until InvitationSent.")
    reminders: int = 0


class PersonFact(Fact):
    """A person as the organisation's directory announces them.

    ``program_id`` is empty: the directory is the organisation's, not a program's.
    """

    collection: ClassVar[str] = "people"
    version: int = Field(default=0, description="The directory's version of this person.")
    manager_key: str | None = None
    department: str | None = None
    seniority: Seniority | None = None
    erased: bool = False


class OutcomeFact(Fact):
    """A business outcome the HRIS reported about a person (`OutcomeRecorded`), at its latest.

    ``program_id`` is empty: outcomes are the organisation's, compared per program.
    """

    collection: ClassVar[str] = "outcomes"
    person_key: str
    version: str
    kind: OutcomeKind
    occurred_on: IsoDate
    voluntary: bool | None = None
    performance_band: int | None = None


class SessionStatus(StrEnum):
    """What became of a session; it only moves forward (see `rank`)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    MISSED = "missed"
    HELD = "held"

    @property
    def rank(self) -> int:
        """Its place in the order the scheduling service's rules guarantee."""
        return _SESSION_STATUS_RANK[self]


_SESSION_STATUS_RANK = {status: rank for rank, status in enumerate(SessionStatus)}


class SessionFact(Fact):
    """A session: when it starts and what became of it."""

    collection: ClassVar[str] = "sessions"

    pair_id: str = Field(description="The pair's id, or the group's for a group session.")
    starts_at: datetime
    time_version: str
    status: SessionStatus
    held_at: datetime | None = None
    held_minutes: int | None = None
    cancel_reason: SessionCancelReason | None = None


class FeedbackFact(Fact):
    """One member's feedback on a session, at its latest revision."""

    collection: ClassVar[str] = "feedback"

    session_id: str
    pair_id: str
    author_key: str
    author_role: ParticipantRole
    first_submitted_at: datetime
    version: str = Field(description="The revision, then the event's version.")
    rating: int
    topics: list[str]


class FitFact(Fact):
    """One member's answer to "is this pairing a good fit", at its latest."""

    collection: ClassVar[str] = "fits"

    pair_id: str
    version: str
    good_fit: bool
    concern: FitConcern | None


class MilestoneDueFact(BaseModel):
    """A goal's milestone with a due day, and whether it was reached."""

    index: int
    due_on: IsoDate
    reached: bool


class GoalFact(Fact):
    """A mentee's goal, at its latest progress."""

    collection: ClassVar[str] = "goals"

    owner_key: str = Field(description="The mentee whose goal it is.")
    version: str
    topic: str
    progress: int
    completed: bool
    pair_id: str | None = None
    milestones_due: list[MilestoneDueFact] = Field(default_factory=list)


class SurveyFact(Fact):
    """A survey response, at its latest."""

    collection: ClassVar[str] = "surveys"

    kind: SurveyKind
    version: str
    recommend: int
    join_again: bool
    growth: int
    relationship: int


class SkillsFact(Fact):
    """A skills assessment of a mentee (`SkillsAssessed`), at its latest: numbers only."""

    collection: ClassVar[str] = "skills"

    owner_key: str = Field(description="The assessed mentee.")
    version: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    levels: dict[str, float]
    raters: int = 1


FACT_KINDS: tuple[type[Fact], ...] = (
    ProgramFact,
    ParticipantFact,
    RunFact,
    PairFact,
    SessionFact,
    FeedbackFact,
    FitFact,
    GoalFact,
    SurveyFact,
    InvitationFact,
    PersonFact,
    OutcomeFact,
    SkillsFact,
)


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """Every document of one program: what its reports are computed from."""

    program_id: str
    program: ProgramFact | None = None
    participants: Sequence[ParticipantFact] = ()
    runs: Sequence[RunFact] = ()
    pairs: Sequence[PairFact] = ()
    sessions: Sequence[SessionFact] = ()
    feedback: Sequence[FeedbackFact] = ()
    fits: Sequence[FitFact] = ()
    goals: Sequence[GoalFact] = ()
    surveys: Sequence[SurveyFact] = ()
    invitations: Sequence[InvitationFact] = ()
    skills: Sequence[SkillsFact] = ()
    people: Mapping[str, PersonFact] = MappingProxyType({})
    """The directory's people the reports need (invitees, participants and the managers above
    them), by person key."""


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """The documents about one person (their right of access), by their person id.

    Survey responses and sessions carry no key of anyone, so they are in no person's facts.
    """

    person_id: str
    participants: Sequence[ParticipantFact] = ()
    pairs: Sequence[PairFact] = ()
    feedback: Sequence[FeedbackFact] = ()
    fits: Sequence[FitFact] = ()
    goals: Sequence[GoalFact] = ()
    runs: Sequence[RunFact] = ()
    """The runs of the person's programs (the unmatched among them may name the person)."""
    directory: PersonFact | None = None
    """The person as the organisation's directory announced them (their manager's key)."""
    invitations: Sequence[InvitationFact] = ()
    skills: Sequence[SkillsFact] = ()
    """Assessments of the person's skills (peers arrive only as their average)."""
    outcomes: Sequence[OutcomeFact] = ()
    """The HRIS outcomes reported about the person (by their person key)."""

    @property
    def keys(self) -> set[str]:
        """The person's keys in the read models (one per registration)."""
        return {fact.id for fact in self.participants}
