"""The read models' documents: one typed model per kind of fact, shared by folds and reports.

Each document is the fold of the events about one thing (see `analytics.domain.facts`), and
the reports (`analytics.domain.reports`) read nothing else. Where the events about a thing
can arrive in any order (a pair's end before its creation, a run's approval before its
proposal, a withdrawal or an erasure before the registration), a field says what has been
seen: never the presence or absence of a key.

Some fields are *links*: what other documents tell this one (`Fact.links` names them), so
that a count needing two kinds of thing (a participant and their pairs, a session and its
feedback, a pair and its sessions) can be made from one document. A link is keyed by the
document that sets it and always holds what that document says now, so links are as
order-independent as the folds (`analytics.domain.aggregates` maintains them).

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
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from statistics import fmean
from types import MappingProxyType
from typing import Annotated, ClassVar, Final, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, computed_field

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


def stored_time(moment: datetime) -> datetime:
    """``moment`` as the database keeps it, to the millisecond.

    A document folded in memory and the same document read back must be equal, and count
    the same.
    """
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


FOLDED_KEPT: Final = 8
"""How many of the newest events folded into a document it remembers (`Fact.folded`)."""


def newest(versions: Sequence[str], version: str) -> list[str]:
    """The `FOLDED_KEPT` newest of ``versions`` and ``version``, ascending, whatever the order."""
    return sorted({*versions, version})[-FOLDED_KEPT:]


class Fact(BaseModel):
    """A read-model document: the fold of the events about one thing.

    It remembers the newest events folded into it (`folded`), so that an event published
    twice (the same event id at two offsets) is known as one already applied: the consumer
    counts it as a duplicate without writing a marker per event (README, "Analytics").
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, extra="ignore")

    collection: ClassVar[str]
    """The kind of document (its collection's name)."""
    links: ClassVar[tuple[str, ...]] = ()
    """The fields other documents set: each a mapping from the setting document's id."""
    links_only: ClassVar[bool] = False
    """Made of links alone (no event folds into it): gone once no document links to it, so
    that it is the same whatever order the links came and went in."""

    id: str = Field(alias="_id", description="The thing's id (a key for a person).")
    program_id: str
    folded: list[str] = Field(
        default_factory=list,
        description=(
            "The versions (event time|event id) of the newest events folded in, ascending, "
            f"at most {FOLDED_KEPT}."
        ),
    )

    @classmethod
    def stub(cls, key: str, program_id: str) -> Self:
        """The document of a thing known only from what links to it so far."""
        return cls(id=key, program_id=program_id)

    def holds(self, version: str) -> bool:
        """Whether the event of ``version`` was folded into this document (and is remembered)."""
        return version in self.folded

    def remembering(self, folded: Sequence[str], version: str) -> Self:
        """This document, remembering ``folded`` and that the event of ``version`` was too.

        It keeps the `FOLDED_KEPT` newest versions, whatever order the events came in, so
        the document stays the same for any order and number of deliveries.
        """
        kept = newest(folded, version)
        return self if kept == self.folded else self.model_copy(update={"folded": kept})


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


class GoalLink(BaseModel):
    """What a goal tells its owner."""

    model_config = ConfigDict(frozen=True)

    topic: str
    completed: bool


class SelfRatingLink(BaseModel):
    """What a mentee's own skills assessment (baseline or end) tells them."""

    model_config = ConfigDict(frozen=True)

    moment: AssessmentMoment
    version: str
    levels: dict[str, float]


class ParticipantFact(Fact):
    """A participant: registration state, status and erasure, folded in any order.

    Its links say what their pairs, goals and matching runs say about them, so each count of
    people can leave out whoever is erased or not in the program.
    """

    collection: ClassVar[str] = "participants"
    links: ClassVar[tuple[str, ...]] = (
        "mentor_of",
        "mentee_of",
        "mentee_sessions",
        "goals",
        "unmatched",
        "mentored_by",
        "self_ratings",
    )

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
    mentor_of: dict[str, bool] = Field(
        default_factory=dict, description="Link: created pairs they mentor, whether active."
    )
    mentee_of: dict[str, bool] = Field(
        default_factory=dict, description="Link: created pairs they are the mentee of, active?"
    )
    mentee_sessions: dict[str, int] = Field(
        default_factory=dict, description="Link: per pair they are the mentee of, sessions held."
    )
    goals: dict[str, GoalLink] = Field(default_factory=dict, description="Link: their goals.")
    unmatched: dict[str, list[UnmatchedReason]] = Field(
        default_factory=dict,
        description="Link: per proposal part (run id|part) that left them unmatched, why.",
    )
    mentored_by: dict[str, str] = Field(
        default_factory=dict,
        description="Link: per created pair they are the mentee of, its mentor.",
    )
    self_ratings: dict[str, SelfRatingLink] = Field(
        default_factory=dict,
        description="Link: per own skills assessment, at the baseline or the end, its levels.",
    )

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

    @property
    def mentor_load(self) -> int:
        """Active pairs they mentor."""
        return sum(1 for active in self.mentor_of.values() if active)

    def self_growth(self) -> float | None:
        """The mean change of their own ratings, baseline to end, over the skills rated at both.

        The latest assessment of each moment counts (by version); None unless rated at both.
        """
        latest: dict[AssessmentMoment, SelfRatingLink] = {}
        for key in sorted(self.self_ratings, key=lambda k: (self.self_ratings[k].version, k)):
            latest[self.self_ratings[key].moment] = self.self_ratings[key]
        first, last = latest.get(AssessmentMoment.BASELINE), latest.get(AssessmentMoment.END)
        if first is None or last is None:
            return None
        changes = [level - first.levels[s] for s, level in last.levels.items() if s in first.levels]
        return fmean(changes) if changes else None


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


class OutcomeErasureFact(Fact):
    """The latest erasure of a person's HRIS outcomes (`OutcomesErased`), by person key.

    ``program_id`` is empty, like the outcomes'. Every outcome of the person whose version
    (its latest `OutcomeRecorded`) is at or before ``version`` is deleted and never stored
    again, however often it is replayed; one recorded after it (a later import) stands, and
    remembers only the events after the erasure (`forgetting`).
    """

    collection: ClassVar[str] = "outcome_erasures"
    version: str = Field(description="The version (event time|event id) of the latest erasure.")

    def covers(self, outcome: OutcomeFact) -> bool:
        """Whether ``outcome`` was recorded at or before this erasure (so it is erased)."""
        return outcome.version <= self.version

    def forgetting(self, outcome: OutcomeFact) -> OutcomeFact:
        """``outcome`` (recorded after this erasure) without the events before it in `folded`.

        So it is the same whether it was stored before the erasure came or after (when the
        events before it were never stored), whatever the order.
        """
        kept = [version for version in outcome.folded if version > self.version]
        return outcome if kept == outcome.folded else outcome.model_copy(update={"folded": kept})


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


class FeedbackEntry(BaseModel):
    """One member's feedback on a session, at its latest revision."""

    model_config = ConfigDict(frozen=True)

    pair_id: str = Field(description="The author's pair (in a group: theirs, not the group's).")
    author_key: str
    author_role: ParticipantRole
    first_submitted_at: datetime
    version: str = Field(description="The revision, then the event's version.")
    rating: int
    topics: tuple[str, ...]


class SessionFact(Fact):
    """A session: what became of it (held, missed, cancelled), and its members' feedback.

    Feedback is kept with its session (one document to write, and both ratings at hand for
    "rated by both"). It may arrive before the session's own events: until then the document
    holds only feedback (``status`` None) and counts as no session. Its scheduling is kept by
    its series' `SchedulingFact`, and counted by the rhythm until this document has a status,
    which it tells the rhythm (`RhythmFact.closed`). A document stored before layout 8, or by a
    pod of layout 7 during a rolling update, may still say ``scheduled``: it counts itself, and
    is linked as closed like any other with a status.
    """

    collection: ClassVar[str] = "sessions"

    pair_id: str = Field(
        default="", description="The pair's id, or the group's for a group session."
    )
    starts_at: datetime | None = None
    time_version: str = ""
    status: SessionStatus | None = Field(default=None, description="None until scheduled.")
    held_at: datetime | None = None
    held_minutes: int | None = None
    cancel_reason: SessionCancelReason | None = None
    feedback: dict[str, FeedbackEntry] = Field(
        default_factory=dict, description="Per feedback id, its latest revision."
    )

    @property
    def held(self) -> datetime | None:
        """When it was held (None unless held)."""
        return self.held_at if self.status is SessionStatus.HELD else None

    def feedback_facts(self) -> list[FeedbackFact]:
        """Its feedback, one document per feedback id, as the views that list feedback read it."""
        return [
            FeedbackFact(
                id=feedback_id,
                program_id=self.program_id,
                session_id=self.id,
                pair_id=entry.pair_id,
                author_key=entry.author_key,
                author_role=entry.author_role,
                first_submitted_at=entry.first_submitted_at,
                version=entry.version,
                rating=entry.rating,
                topics=list(entry.topics),
            )
            for feedback_id, entry in sorted(self.feedback.items())
        ]


class MemberLink(BaseModel):
    """What a created pair tells the rhythm its sessions are counted in."""

    model_config = ConfigDict(frozen=True)

    group: bool = Field(description="A member of a group (whose sessions carry the group id).")
    created_at: datetime | None
    ended_at: datetime | None
    active: bool
    mentee_key: str
    mentor_key: str = ""


class SessionTally(BaseModel):
    """What a held session tells the rhythm it is counted in: its minutes, its mentees' ratings."""

    model_config = ConfigDict(frozen=True)

    minutes: int
    ratings: tuple[tuple[str, int], ...] = Field(
        default=(), description="(mentee key, rating) of each mentee's feedback."
    )


class SchedulingFact(Fact):
    """The sessions scheduled of one pair, or of one group: a series is one document to write.

    Keyed by the sessions' ``pair_id`` (a pair's id, or a group's). It counts nothing: it tells
    the rhythm of the same key which sessions were scheduled (`RhythmFact.scheduled`, a link),
    and the rhythm counts them. A kind of its own, not a field of `RhythmFact`: during a rolling
    update, pods of layout 7 still rewrite rhythms whole with the fields they know, and the
    schedulings, folded from events, could not be rebuilt; they never write this kind, and a
    rebuild restores the rhythm's links from it.
    """

    collection: ClassVar[str] = "schedulings"

    scheduled: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per session of the series scheduled (or rescheduled), the versions of "
        f"those events, ascending, at most {FOLDED_KEPT}: one document to write when a whole "
        "series is scheduled at once, that knows each of these events published again.",
    )

    def holds(self, version: str) -> bool:
        """Also true for the schedulings of each of its sessions, however many sessions."""
        return super().holds(version) or any(version in kept for kept in self.scheduled.values())


class RhythmFact(Fact):
    """The held sessions of one pair, or of one group, and the pairs they count for.

    Keyed by the sessions' ``pair_id``: a pair's id, or a group's. A group's session counts for
    every pair of the group that existed, and had not ended, when it was held; a pair's own
    sessions count for it whenever held. It also counts the sessions scheduled (its
    `SchedulingFact` tells it, ``scheduled``) whose own document has no status yet (the
    session document tells it, ``closed``): `scheduled_only`. Both are links, so a rebuild
    restores them (a pod of layout 7 rewriting a rhythm drops them, README "Upgrading
    analytics to layout 8").
    """

    collection: ClassVar[str] = "rhythms"
    links: ClassVar[tuple[str, ...]] = ("held", "members", "tallies", "scheduled", "closed")

    held: dict[str, datetime] = Field(
        default_factory=dict, description="Link: per held session, when it was held."
    )
    members: dict[str, MemberLink] = Field(
        default_factory=dict, description="Link: the created pairs these sessions count for."
    )
    tallies: dict[str, SessionTally] = Field(
        default_factory=dict, description="Link: per held session, its minutes and mentee ratings."
    )
    scheduled: dict[str, bool] = Field(
        default_factory=dict,
        description="Link: per session its series' `SchedulingFact` holds scheduled, True.",
    )
    closed: dict[str, SessionStatus] = Field(
        default_factory=dict,
        description="Link: per session whose own document has a status (and counts it), that.",
    )
    stalest_day: str | None = Field(
        default=None,
        description="Derived: the earliest day (ISO) an active member last held a session "
        "(or was created), for finding inactive pairs.",
    )
    stalest_pair: str | None = Field(
        default=None,
        description="Derived: the first, by id, of the active members that last met on "
        "``stalest_day``: rhythms sorted by both list their stalest pairs in the health "
        "report's order.",
    )

    def scheduled_only(self) -> int:
        """The sessions scheduled that no session document has a status for (yet)."""
        return len(set(self.scheduled) - set(self.closed))

    def credited(self) -> dict[str, list[datetime]]:
        """Per member pair, the held sessions that count for it."""
        times = list(self.held.values())
        in_group = {key: member for key, member in self.members.items() if member.group}
        if not in_group:
            return dict.fromkeys(self.members, times)
        return {
            key: [
                held
                for held in times
                if (member.created_at is None or member.created_at <= held)
                and (member.ended_at is None or held <= member.ended_at)
            ]
            for key, member in in_group.items()
        }

    def last_active(self) -> dict[str, datetime]:
        """Per active member pair, when it last held a session (else when it was created)."""
        credited = self.credited()
        since: dict[str, datetime] = {}
        for key, member in self.members.items():
            times = credited.get(key)
            moment = max(times) if times else member.created_at
            if member.active and moment is not None:
                since[key] = moment
        return since

    def settle(self) -> None:
        """Bring the derived fields up to date with the links."""
        stalest = min(
            ((moment.date().isoformat(), key) for key, moment in self.last_active().items()),
            default=None,
        )
        self.stalest_day, self.stalest_pair = stalest or (None, None)


RANK_SESSIONS: Final = 10**12 - 1
"""Sessions held are ranked as this minus them, zero-padded: the text sorts most first."""


def held_rank(held: int) -> str:
    """Sessions held as text that sorts most first."""
    return f"{RANK_SESSIONS - held:0{len(str(RANK_SESSIONS))}d}"


class MeetingLink(BaseModel):
    """What the held sessions of one meeting (a pair, or a group) tell its mentor."""

    model_config = ConfigDict(frozen=True)

    held: int
    minutes: int
    ratings: int = Field(description="The mentees' ratings of those sessions.")
    rating_sum: int
    raters: tuple[str, ...] = Field(description="The mentees who rated them (keys, sorted).")


class MenteeLink(BaseModel):
    """What a mentee (not erased) tells each of their mentors."""

    model_config = ConfigDict(frozen=True)

    goals: int
    goals_completed: int
    growth: float | None = Field(
        description="The mean change of their own ratings, baseline to end (None: not both)."
    )


class MentorFact(Fact):
    """One mentor of a program with what their mentoring came to (the mentor impact view).

    Keyed by the mentor's participant key. Its links come from the mentor's own participant
    document (their id, while they mentor and are not erased), their created pairs (each
    one's mentee), the rhythms of their meetings (held sessions, minutes, mentees' ratings)
    and their mentees (goals and skills growth, until erased). The fields after the links
    are derived from them (`settle`) and stored, so the view reads a page of mentors in its
    order from an index instead of joining the program's documents.
    """

    collection: ClassVar[str] = "mentors"
    links: ClassVar[tuple[str, ...]] = ("profile", "pairs", "meetings", "mentees")
    links_only: ClassVar[bool] = True

    profile: dict[str, str] = Field(
        default_factory=dict, description="Link: the mentor's participant id, while listed."
    )
    pairs: dict[str, str] = Field(
        default_factory=dict, description="Link: per created pair they mentor, its mentee's key."
    )
    meetings: dict[str, MeetingLink] = Field(
        default_factory=dict, description="Link: per meeting (a pair, or a group), its tally."
    )
    mentees: dict[str, MenteeLink] = Field(
        default_factory=dict, description="Link: per mentee not erased, their goals and growth."
    )
    mentor_participant_id: str | None = Field(
        default=None, description="Derived: None unless a registered mentor, not erased."
    )
    mentee_count: int = Field(default=0, description="Derived: mentees paired with (erased too).")
    sessions_held: int = 0
    minutes: int = 0
    ratings: int = 0
    rating_sum: int = 0
    raters: int = Field(default=0, description="Derived: distinct mentees who rated a session.")
    goals: int = 0
    goals_completed: int = 0
    growth: float | None = Field(
        default=None, description="Derived: the mean growth of the mentees rated at both."
    )
    growth_mentees: int = 0
    rank: str | None = Field(
        default=None,
        description="Derived: the program, then the view's order as text (most sessions held "
        "first, then by participant id); None unless listed. A page is a range of its index.",
    )

    def settle(self) -> None:
        """Bring the derived fields up to date with the links."""
        self.mentor_participant_id = next(iter(self.profile.values()), None)
        self.mentee_count = len(set(self.pairs.values()))
        meetings = self.meetings.values()
        self.sessions_held = sum(m.held for m in meetings)
        self.minutes = sum(m.minutes for m in meetings)
        self.ratings = sum(m.ratings for m in meetings)
        self.rating_sum = sum(m.rating_sum for m in meetings)
        self.raters = len({rater for m in meetings for rater in m.raters})
        mentees = [self.mentees[key] for key in sorted(self.mentees)]
        self.goals = sum(m.goals for m in mentees)
        self.goals_completed = sum(m.goals_completed for m in mentees)
        grown = [m.growth for m in mentees if m.growth is not None]
        self.growth = fmean(grown) if grown else None
        self.growth_mentees = len(grown)
        self.rank = (
            None
            if self.mentor_participant_id is None
            else f"{self.program_id}|{held_rank(self.sessions_held)}|{self.mentor_participant_id}"
        )


class FeedbackFact(Fact):
    """One member's feedback on a session, as stored before it was kept with its session.

    Read once, to move it into its session (`analytics.usecases.rebuild`); no longer written.
    """

    collection: ClassVar[str] = "feedback"

    session_id: str
    pair_id: str
    author_key: str
    author_role: ParticipantRole
    first_submitted_at: datetime
    version: str = Field(description="The revision, then the event's version.")
    rating: int
    topics: list[str]

    def moved_into(self, session: SessionFact | None) -> SessionFact:
        """``session`` (a new one if None) with this feedback, kept as its fold would."""
        moved = session.model_copy() if session else SessionFact.stub(self.session_id, "")
        moved.program_id = moved.program_id or self.program_id
        previous = moved.feedback.get(self.id)
        entry = FeedbackEntry(
            pair_id=self.pair_id,
            author_key=self.author_key,
            author_role=self.author_role,
            first_submitted_at=self.first_submitted_at,
            version=self.version,
            rating=self.rating,
            topics=tuple(self.topics),
        )
        if previous is not None:
            first = min(previous.first_submitted_at, entry.first_submitted_at)
            latest = entry if entry.version > previous.version else previous
            entry = latest.model_copy(update={"first_submitted_at": first})
        moved.feedback = moved.feedback | {self.id: entry}
        return moved


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_due(self) -> bool:
        """Open with a milestone not reached: the only goals the health report can flag.

        Stored with the goal (and indexed) so that the report reads only these.
        """
        return not self.completed and any(not m.reached for m in self.milestones_due)


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
    SchedulingFact,
    RhythmFact,
    FitFact,
    GoalFact,
    SurveyFact,
    InvitationFact,
    PersonFact,
    OutcomeFact,
    OutcomeErasureFact,
    SkillsFact,
    MentorFact,
)

ERASED_WITH_PERSON: Final[tuple[type[InvitationFact], type[OutcomeFact]]] = (
    InvitationFact,
    OutcomeFact,
)
"""The kinds the directory's erasure of a person (`DirectoryPersonErased`) deletes.

Each is kept under the person's directory key (``person_key``, indexed ``by_person``) and
counts in no aggregate (the invitation funnel and the outcomes report read them whole per
read), so deleting one moves no counter: a kind added here must keep to both.
"""


class LowRatingEntry(BaseModel):
    """A feedback rating of 2 or below (kept per program, keyed by feedback id)."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    pair_id: str
    rating: int


class PoorFitEntry(BaseModel):
    """A "not a good fit" answer (kept per program, keyed by pair and author)."""

    model_config = ConfigDict(frozen=True)

    pair_id: str
    concern: FitConcern | None


class OverCapacityEntry(BaseModel):
    """A mentor in the program with more active pairs than their capacity (keyed by person)."""

    model_config = ConfigDict(frozen=True)

    participant_id: str
    pairs: int
    capacity: int


class RunEntry(BaseModel):
    """A proposed matching run (kept per program, keyed by run id)."""

    model_config = ConfigDict(frozen=True)

    proposed_at: datetime


@dataclass(frozen=True, slots=True)
class DirectoryFacts:
    """The documents the directory's reports read (the funnel, the reporting-line conflicts).

    Not counters: they join documents of different things (an invitation and the
    registration of the same person, a pair and its members' managers), so each report
    reads the few kinds it needs, for one program (see `analytics.usecases.reports`).
    """

    program_id: str
    reporting_line_depth: int = 0
    invitations: Sequence[InvitationFact] = ()
    participants: Sequence[ParticipantFact] = ()
    pairs: Sequence[PairFact] = ()
    people: Mapping[str, PersonFact] = field(default_factory=dict)
    """The directory's people the reports need (invitees, participants and the managers above
    them), by person key."""


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """Documents of one program that a view reads whole, because no counter holds it.

    The outcomes report (the program and its participants) and the skills growth report (the
    skills assessments) join documents per person; each reads only the kinds it needs
    (`ReadModels.outcome_facts`, `ReadModels.skills_facts`). The reports of
    `analytics.domain.reports` never do: they read the aggregates; nor does the mentor impact
    view, which reads its mentors' documents (`MentorFact`) a page at a time.
    """

    program_id: str
    program: ProgramFact | None = None
    participants: Sequence[ParticipantFact] = ()
    skills: Sequence[SkillsFact] = ()


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
    mentors: Sequence[MentorFact] = ()
    """The person's mentor documents the impact view lists, their figures only (no links)."""

    @property
    def keys(self) -> set[str]:
        """The person's keys in the read models (one per registration)."""
        return {fact.id for fact in self.participants}
