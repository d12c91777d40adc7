"""Aggregates: what each read-model document adds to its program's counts, kept in step.

Every document (`analytics.domain.documents`) has *effects*, a pure function of its state:

- **counts** it adds to its program's counters (registrations per day, sessions per ISO
  week, ratings per month, participants by role, pairs by score, ...), keyed by a path
  whose first part names the section (``("weeks", "2027-W02")``);
- **entries** it puts in one of its program's sets (a low rating, a poor fit, a mentor
  over capacity, a proposed run), for the lists the reports show;
- **links** it sets in other documents (a pair tells its mentee it is active; a held
  session tells its pair's rhythm when it was held), which change *their* effects.

Counters are sums of effects, so a batch keeps them in step by adding, for each document
it changes, its new effects minus its old ones, in the transaction that stores the
document. The documents are folds of their events, whatever the order or the number of
deliveries (`analytics.domain.facts`), and links hold what the linking document says now;
so the counters are order-independent and idempotent too, and equal what `rebuild`
computes from the documents alone. Only integers are added (scores and gaps in millionths),
so no rounding depends on the order either.

Kinds are settled in the order of their links (a pair before its members and its rhythm,
a held session before its rhythm, a rhythm before the participants it credits, all of them
before the mentors they tell, `MentorFact`): a document's
effects are computed once every link to it in the batch is known. To add a report, give it
a section (or a set) and add what each kind contributes to it below; `rebuild` fills it
for the existing documents.
"""

from __future__ import annotations

import graphlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from analytics.domain.documents import (
    ERASED_WITH_PERSON,
    FACT_KINDS,
    Fact,
    FitFact,
    GoalFact,
    GoalLink,
    InvitationFact,
    LowRatingEntry,
    MeetingLink,
    MemberLink,
    MenteeLink,
    MentorFact,
    OutcomeErasureFact,
    OutcomeFact,
    OverCapacityEntry,
    PairFact,
    ParticipantFact,
    PersonFact,
    PoorFitEntry,
    ProgramFact,
    RhythmFact,
    RunEntry,
    RunFact,
    SchedulingFact,
    SelfRatingLink,
    SessionFact,
    SessionStatus,
    SessionTally,
    SkillsFact,
    SurveyFact,
)
from analytics.domain.facts import Target, fold_into, holds
from analytics.domain.heads import (
    Head,
    HeadRow,
    low_rating_row,
    mentor_row,
    over_capacity_row,
    poor_fit_row,
    stalest_rows,
)
from mentorship_contracts import Envelope
from mentorship_contracts.types import AssessmentMoment, ParticipantRole, RaterKind

type CountKey = tuple[str, ...]
"""A counter's path in its program's counters: section first."""
type Entry = LowRatingEntry | PoorFitEntry | OverCapacityEntry | RunEntry

MICRO: Final = 1_000_000
"""Fractional figures (pair scores, days between sessions) are counted in millionths."""
LOW_RATING: Final = 2
PROMOTER: Final = 9
DETRACTOR: Final = 6
MENTORING: Final = frozenset({ParticipantRole.MENTOR, ParticipantRole.BOTH})
"""The roles that mentor (listed in the mentor impact view)."""
MENTORS_HELD: Final = "mentors_held"
"""The section counting listed mentors by sessions held (`analytics.domain.mentor_impact`)."""
GROWTH_MOMENTS: Final = frozenset({AssessmentMoment.BASELINE, AssessmentMoment.END})
LISTED: Final = "listed"
"""The section counting each set's entries (the lists' totals, read without the sets)."""


class EntrySet(StrEnum):
    """The per-program sets of entries, each kept as one document."""

    LOW_RATINGS = "low_ratings"
    POOR_FITS = "poor_fits"
    OVER_CAPACITY = "over_capacity"
    RUNS = "runs"


ENTRY_MODELS: Mapping[EntrySet, type[Entry]] = {
    EntrySet.LOW_RATINGS: LowRatingEntry,
    EntrySet.POOR_FITS: PoorFitEntry,
    EntrySet.OVER_CAPACITY: OverCapacityEntry,
    EntrySet.RUNS: RunEntry,
}

HEAD_OF_SET: Mapping[EntrySet, Head] = {
    EntrySet.LOW_RATINGS: Head.LOW_RATINGS,
    EntrySet.POOR_FITS: Head.POOR_FITS,
    EntrySet.OVER_CAPACITY: Head.OVER_CAPACITY,
}
"""The sets whose first rows are kept as a head (`analytics.domain.heads`)."""


def entry_row(kind: EntrySet, key: str, entry: Entry) -> HeadRow:
    """The row of its set's head an entry is (the set must have one: `HEAD_OF_SET`)."""
    if isinstance(entry, LowRatingEntry):
        return low_rating_row(key, entry)
    if isinstance(entry, PoorFitEntry):
        return poor_fit_row(key, entry)
    if isinstance(entry, OverCapacityEntry):
        return over_capacity_row(key, entry)
    msg = f"the set {kind.value} has no head"
    raise ValueError(msg)


def entry_rows(kind: EntrySet, entries: Mapping[str, Entry]) -> list[tuple[str, HeadRow]]:
    """Every entry of a set as a row of its head (to fill the head from the whole set)."""
    return [(key, entry_row(kind, key, entry)) for key, entry in entries.items()]


@dataclass(frozen=True, slots=True)
class Link:
    """A field of another document one document sets: ``parent.<slot>[key]``."""

    parent: Target
    slot: str
    key: str


@dataclass(slots=True)
class Effects:
    """What one document adds to its program's aggregates and sets in other documents."""

    counts: Counter[CountKey] = field(default_factory=Counter)
    entries: dict[tuple[EntrySet, str], Entry] = field(default_factory=dict)
    links: dict[Link, Any] = field(default_factory=dict)

    def add(self, *path: str, n: int = 1) -> None:
        """Count ``n`` at ``path``."""
        if n:
            self.counts[path] += n

    def link(self, kind: type[Fact], key: str, slot: str, child: str, value: object) -> None:
        """Set ``<kind key>.<slot>[child]`` to ``value``."""
        self.links[Link(Target(kind, key), slot, child)] = value

    def put(self, kind: EntrySet, key: str, entry: Entry) -> None:
        """Put ``entry`` in the set ``kind`` and count it (``listed``: the lists' totals)."""
        self.entries[(kind, key)] = entry
        self.add(LISTED, kind.value)


def iso_week(moment: datetime) -> str:
    """The ISO week of ``moment`` (``2027-W02``)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def micro_days(span: timedelta, parts: int) -> int:
    """``span / parts`` in millionths of a day, rounded half up (integers only)."""
    microseconds = span // timedelta(microseconds=1)
    per_part = 86_400 * parts
    return (2 * microseconds + per_part) // (2 * per_part)


def _nothing(
    _: ProgramFact | InvitationFact | PersonFact | OutcomeFact | OutcomeErasureFact,
) -> Effects:
    """Read whole by the reports that need them (`analytics.domain.documents.DirectoryFacts`).

    Outcomes too: they are the organisation's, in no program's counters (the outcomes report);
    and so the erasures of outcomes, which only decide which outcomes are kept.
    """
    return Effects()


def _participant(person: ParticipantFact) -> Effects:
    """An erased person is in no count; the others as the README's table says."""
    effects = Effects()
    if person.erased:
        return effects
    if person.registered_at is not None:
        effects.add("days", person.registered_at.date().isoformat())
    if person.withdrawn:
        effects.add("totals", "withdrawn")
    if person.in_program and person.role is not None:
        _in_program(person, effects)
    for goal in person.goals.values():
        effects.add("totals", "goals")
        effects.add("goals", goal.topic, "goals")
        if goal.completed:
            effects.add("totals", "goals_completed")
            effects.add("goals", goal.topic, "completed")
    for part, reasons in person.unmatched.items():
        run_id = part.split("|", 1)[0]
        for reason in reasons:
            effects.add("runs", run_id, reason.value)
    if person.mentee_of:
        held = sum(person.mentee_sessions.get(pair, 0) for pair in person.mentee_of)
        effects.add("mentee_sessions", str(held))
    _for_mentors(person, effects)
    return effects


def _for_mentors(person: ParticipantFact, effects: Effects) -> None:
    """What a participant (not erased) tells the mentor impact view.

    As a mentor, their id; as a mentee, their goals and growth, to each of their mentors.
    """
    if person.role in MENTORING and person.participant_id is not None:
        effects.link(MentorFact, person.id, "profile", person.id, person.participant_id)
    if person.mentored_by:
        mentee = MenteeLink(
            goals=len(person.goals),
            goals_completed=sum(1 for goal in person.goals.values() if goal.completed),
            growth=person.self_growth(),
        )
        for mentor_key in set(person.mentored_by.values()):
            effects.link(MentorFact, mentor_key, "mentees", person.id, mentee)


def _in_program(person: ParticipantFact, effects: Effects) -> None:
    assert person.role is not None
    effects.add("totals", "participants")
    effects.add("totals", "roles", person.role.value)
    effects.add("totals", "capacity", n=person.capacity)
    if person.seeks_mentor:
        effects.add("totals", "demand")
        as_mentee = any(person.mentee_of.values())
        if as_mentee:
            effects.add("totals", "matched", "as_mentee")
        if as_mentee or any(person.mentor_of.values()):
            effects.add("totals", "matched", "either_side")
    for question, choices in person.answers.items():
        effects.add("answers", question, "people")
        for choice in choices:
            effects.add("answers", question, "choices", choice)
    load = person.mentor_load
    if person.participant_id is not None and load > person.capacity:
        effects.add("totals", "over_capacity")
        effects.put(
            EntrySet.OVER_CAPACITY,
            person.id,
            OverCapacityEntry(
                participant_id=person.participant_id, pairs=load, capacity=person.capacity
            ),
        )


def _run(run: RunFact) -> Effects:
    effects = Effects()
    if run.proposed_at is not None:
        effects.add("totals", "runs")
        effects.put(EntrySet.RUNS, run.id, RunEntry(proposed_at=run.proposed_at))
    if run.approved:
        effects.add("totals", "runs_approved")
    for part, people in run.unmatched.items():
        reasons: dict[str, list[Any]] = defaultdict(list)
        for person in people:
            reasons[person.key].append(person.reason)
        for key, why in reasons.items():
            effects.link(ParticipantFact, key, "unmatched", f"{run.id}|{part}", why)
    return effects


def _pair(pair: PairFact) -> Effects:
    effects = Effects()
    if pair.end_reason is not None:
        effects.add("totals", "ended", pair.end_reason.value)
    if not pair.created:
        return effects
    effects.add("totals", "pairs")
    if pair.active:
        effects.add("totals", "active_pairs")
    if pair.is_rematch:
        effects.add("totals", "rematches")
    effects.add("scores", str(math.floor(pair.score)))
    effects.add("totals", "score_micro", n=round(pair.score * MICRO))
    effects.link(ParticipantFact, pair.mentor_key, "mentor_of", pair.id, pair.active)
    effects.link(ParticipantFact, pair.mentee_key, "mentee_of", pair.id, pair.active)
    effects.link(ParticipantFact, pair.mentee_key, "mentored_by", pair.id, pair.mentor_key)
    effects.link(MentorFact, pair.mentor_key, "pairs", pair.id, pair.mentee_key)
    member = MemberLink(
        group=pair.group_id is not None,
        created_at=pair.created_at,
        ended_at=pair.ended_at,
        active=pair.active,
        mentee_key=pair.mentee_key,
        mentor_key=pair.mentor_key,
    )
    effects.link(RhythmFact, pair.group_id or pair.id, "members", pair.id, member)
    return effects


def _session(session: SessionFact) -> Effects:
    effects = Effects()
    if session.status is None:
        return effects
    effects.add("totals", "sessions")
    effects.add("totals", "status", session.status.value)
    effects.link(RhythmFact, session.pair_id, "closed", session.id, session.status)
    held = session.held
    if held is not None:
        effects.add("weeks", iso_week(held))
        if len({entry.author_key for entry in session.feedback.values()}) > 1:
            effects.add("totals", "rated_by_both")
        effects.link(RhythmFact, session.pair_id, "held", session.id, held)
    return effects


def _rated(session: SessionFact) -> Effects:
    """A session's effects and its feedback's (counted even before the session is known).

    A held session tells its rhythm its minutes and its mentees' ratings (for their mentor).
    """
    effects = _session(session)
    if session.status is SessionStatus.HELD:
        tally = SessionTally(
            minutes=session.held_minutes or 0,
            ratings=tuple(
                sorted(
                    (entry.author_key, entry.rating)
                    for entry in session.feedback.values()
                    if entry.author_role is ParticipantRole.MENTEE
                )
            ),
        )
        effects.link(RhythmFact, session.pair_id, "tallies", session.id, tally)
    for feedback_id, feedback in session.feedback.items():
        effects.add("totals", "ratings")
        effects.add("totals", "rating_sum", n=feedback.rating)
        effects.add("ratings", str(feedback.rating))
        month = feedback.first_submitted_at.strftime("%Y-%m")
        effects.add("months", month, "ratings")
        effects.add("months", month, "sum", n=feedback.rating)
        for topic in set(feedback.topics):
            effects.add("topics", topic)
        if feedback.rating <= LOW_RATING:
            effects.put(
                EntrySet.LOW_RATINGS,
                feedback_id,
                LowRatingEntry(
                    session_id=session.id, pair_id=feedback.pair_id, rating=feedback.rating
                ),
            )
    return effects


def _scheduling(scheduling: SchedulingFact) -> Effects:
    """Counts nothing: tells its rhythm which sessions were scheduled (the rhythm counts them)."""
    effects = Effects()
    for session_id in scheduling.scheduled:
        effects.link(RhythmFact, scheduling.id, "scheduled", session_id, value=True)
    return effects


def _rhythm(rhythm: RhythmFact) -> Effects:
    """Its sessions scheduled and counted by no session document, and its held sessions."""
    effects = Effects()
    scheduled = rhythm.scheduled_only()
    effects.add("totals", "sessions", n=scheduled)
    effects.add("totals", "status", SessionStatus.SCHEDULED.value, n=scheduled)
    times = sorted(rhythm.held.values())
    if len(times) > 1:
        effects.add("totals", "gap_pairs")
        effects.add("totals", "gap_micro_days", n=micro_days(times[-1] - times[0], len(times) - 1))
    credited = rhythm.credited()
    for key, member in rhythm.members.items():
        held = len(credited.get(key, ()))
        effects.add("totals", "held_credited", n=held)
        effects.link(ParticipantFact, member.mentee_key, "mentee_sessions", key, held)
    for since in rhythm.last_active().values():
        effects.add("activity", since.date().isoformat())
    mentors = {member.mentor_key for member in rhythm.members.values()} - {""}
    if mentors:
        meeting = _meeting(rhythm)
        for mentor_key in mentors:
            effects.link(MentorFact, mentor_key, "meetings", rhythm.id, meeting)
    return effects


def _meeting(rhythm: RhythmFact) -> MeetingLink:
    """What a meeting's held sessions add up to, for its mentor."""
    tallies = rhythm.tallies.values()
    ratings = [rating for tally in tallies for rating in tally.ratings]
    return MeetingLink(
        held=len(rhythm.tallies),
        minutes=sum(tally.minutes for tally in tallies),
        ratings=len(ratings),
        rating_sum=sum(rating for _, rating in ratings),
        raters=tuple(sorted({author for author, _ in ratings})),
    )


def _fit(fit: FitFact) -> Effects:
    effects = Effects()
    if fit.good_fit:
        effects.add("totals", "fit", "good")
        return effects
    effects.add("totals", "fit", "not_good")
    if fit.concern is not None:
        effects.add("concerns", fit.concern.value)
    effects.put(EntrySet.POOR_FITS, fit.id, PoorFitEntry(pair_id=fit.pair_id, concern=fit.concern))
    return effects


def _goal(goal: GoalFact) -> Effects:
    effects = Effects()
    link = GoalLink(topic=goal.topic, completed=goal.completed)
    effects.link(ParticipantFact, goal.owner_key, "goals", goal.id, link)
    return effects


def _skills(skills: SkillsFact) -> Effects:
    """A mentee's own assessment at the baseline or the end tells them (their growth)."""
    effects = Effects()
    if skills.rater_kind is RaterKind.SELF and skills.moment in GROWTH_MOMENTS:
        rating = SelfRatingLink(moment=skills.moment, version=skills.version, levels=skills.levels)
        effects.link(ParticipantFact, skills.owner_key, "self_ratings", skills.id, rating)
    return effects


def _mentor(mentor: MentorFact) -> Effects:
    """A listed mentor counts by their sessions held: where the view's pages fall in its index."""
    effects = Effects()
    if mentor.rank is not None:
        effects.add(MENTORS_HELD, str(mentor.sessions_held))
    return effects


def _survey(survey: SurveyFact) -> Effects:
    effects = Effects()
    kind = survey.kind.value
    effects.add("surveys", kind, "responses")
    effects.add("surveys", kind, "promoters", n=int(survey.recommend >= PROMOTER))
    effects.add("surveys", kind, "detractors", n=int(survey.recommend <= DETRACTOR))
    effects.add("surveys", kind, "join_again", n=int(survey.join_again))
    effects.add("surveys", kind, "growth", n=survey.growth)
    effects.add("surveys", kind, "relationship", n=survey.relationship)
    return effects


_EFFECTS: Mapping[type[Fact], Any] = {
    ProgramFact: _nothing,
    InvitationFact: _nothing,
    PersonFact: _nothing,
    OutcomeFact: _nothing,
    OutcomeErasureFact: _nothing,
    MentorFact: _mentor,
    SkillsFact: _skills,
    ParticipantFact: _participant,
    RunFact: _run,
    PairFact: _pair,
    SessionFact: _rated,
    RhythmFact: _rhythm,
    SchedulingFact: _scheduling,
    FitFact: _fit,
    GoalFact: _goal,
    SurveyFact: _survey,
}

LINKS_TO: Mapping[type[Fact], tuple[type[Fact], ...]] = {
    PairFact: (ParticipantFact, RhythmFact, MentorFact),
    RunFact: (ParticipantFact,),
    GoalFact: (ParticipantFact,),
    SkillsFact: (ParticipantFact,),
    SessionFact: (RhythmFact,),
    SchedulingFact: (RhythmFact,),
    RhythmFact: (ParticipantFact, MentorFact),
    ParticipantFact: (MentorFact,),
}
"""Which kinds of documents each kind links to (the order documents are settled in)."""


def _settling_order() -> tuple[type[Fact], ...]:
    graph: graphlib.TopologicalSorter[type[Fact]] = graphlib.TopologicalSorter()
    for kind in FACT_KINDS:
        graph.add(kind)
    for child, parents in LINKS_TO.items():
        for parent in parents:
            graph.add(parent, child)
    return tuple(graph.static_order())


ORDER: Final = _settling_order()


def effects_of(document: Fact) -> Effects:
    """What ``document`` adds to its program's aggregates and sets in other documents."""
    effects: Effects = _EFFECTS[type(document)](document)
    return effects


_REMOVED: Final = object()


def _erased_person(document: Fact | None) -> bool:
    return isinstance(document, PersonFact) and document.erased


@dataclass(frozen=True, slots=True)
class Changes:
    """What a batch (or a rebuild) changes: documents, counters, entries."""

    documents: dict[Target, Fact]
    counts: dict[str, dict[CountKey, int]]
    """Per program, what to add to each counter (only non-zero)."""
    entries: dict[tuple[str, EntrySet], dict[str, Entry | None]]
    """Per program and set, the entries to put (None: to remove)."""
    forgotten: frozenset[str] = frozenset()
    """Keys of people the directory erased: their documents of `ERASED_WITH_PERSON` kinds go."""
    removed: frozenset[Target] = frozenset()
    """Stored documents to delete: made of links alone that no document links to any more,
    or outcomes an erasure of outcomes covers."""
    outcomes_erased: Mapping[str, str] = field(default_factory=dict)
    """Person keys whose outcomes an erasure newly covers, with its version: their outcomes
    of that version or before are deleted (`OutcomeErasureFact`)."""
    heads: dict[tuple[str, Head], dict[str, HeadRow | None]] = field(default_factory=dict)
    """Per program and head, the rows of its list that changed (None: out of the list);
    `analytics.domain.heads.merge` brings a stored head up to date with them."""


class Derivation:
    """Folds a batch of events into documents and settles their links and aggregates.

    Kinds are settled in `ORDER`. Settling a kind may link to documents not loaded yet:
    `missing` names them, the caller loads them and hands them over with `supply`, and
    settling goes on. Documents are never changed in place: the stored ones stay as they
    were, to compute what they added before.

    Invitations and HRIS outcomes (`ERASED_WITH_PERSON`) go with their person's erasure by
    the directory, in either order: a person newly erased has all their documents of those
    kinds deleted (`Changes.forgotten`), and one of a person erased already is not stored
    (settling those kinds first looks their people up). They count in no aggregate, so no
    counter moves.

    HRIS outcomes also go with an erasure of the person's outcomes (`OutcomeErasureFact`),
    in either order too, but only those recorded up to it: a newer erasure has the stored
    outcomes of that version or before deleted (`Changes.outcomes_erased`), and an outcome
    it covers is not stored (settling outcomes first looks their erasures up).
    """

    def __init__(self, stored: Mapping[Target, Fact], *, looked_up: Iterable[Target] = ()):
        self._old: dict[Target, Fact] = dict(stored)
        self._docs: dict[Target, Fact] = dict(stored)
        self._absent: set[Target] = set(looked_up) - set(stored)
        self._complete = False
        self._touched: dict[type[Fact], set[Target]] = defaultdict(set)
        self._incoming: dict[type[Fact], dict[Target, dict[tuple[str, str], Any]]] = {}
        self._program_of: dict[Target, str] = {}
        self._next = 0
        self._changed: dict[Target, Fact] = {}
        self._counts: dict[str, Counter[CountKey]] = defaultdict(Counter)
        self._entries: dict[tuple[str, EntrySet], dict[str, Entry | None]] = defaultdict(dict)
        self._head_rows: dict[tuple[str, Head], dict[str, HeadRow | None]] = defaultdict(dict)
        self._applied_before: set[str] = set()
        self._forgotten: set[str] = set()
        self._removed: set[Target] = set()
        self._outcomes_erased: dict[str, str] = {}

    @classmethod
    def rebuild(cls, documents: Iterable[Fact]) -> Changes:
        """Every link and aggregate of ``documents`` (all of a program's) from scratch.

        Returns the documents with their links as they should be (any other of theirs, made of
        links alone, is to be deleted), and the counters and entries in full.
        """
        derivation = cls({})
        derivation._complete = True
        for document in documents:
            target = Target(type(document), document.id)
            fresh = document.model_copy(update={slot: {} for slot in document.links})
            derivation._docs[target] = fresh
            derivation._touched[type(document)].add(target)
        while derivation.missing():  # pragma: no cover - a complete set misses nothing
            pass
        return derivation.changes()

    def fold(self, envelopes: Sequence[Envelope[Any]]) -> None:
        """Fold the batch's events into their documents.

        An event its document already holds (published twice, see `holds`) is not folded
        again: folding it would change nothing. `applied_before` names those events.
        """
        for envelope in envelopes:
            if holds(self._docs, envelope):
                self._applied_before.add(str(envelope.event_id))
                continue
            target = fold_into(self._docs, envelope)
            if target is not None:
                self._touched[target.kind].add(target)

    @property
    def applied_before(self) -> frozenset[str]:
        """The ids of the folded events that their documents already held."""
        return frozenset(self._applied_before)

    def missing(self) -> set[Target]:
        """Settle what can be; the documents to load before settling can go on (none: done)."""
        while self._next < len(ORDER):
            kind = ORDER[self._next]
            wanted = {
                target
                for target in (*self._incoming.get(kind, {}), *self._people_named_by(kind))
                if target not in self._docs and target not in self._absent
            }
            if wanted and not self._complete:
                return wanted
            self._settle(kind)
            self._next += 1
        return set()

    def supply(self, looked_up: Iterable[Target], found: Mapping[Target, Fact]) -> None:
        """The documents `missing` asked for (those not in ``found`` do not exist yet)."""
        for target, document in found.items():
            self._old[target] = self._docs[target] = document
        self._absent.update(target for target in looked_up if target not in found)

    @property
    def created(self) -> set[Target]:
        """The changed documents that were not stored before."""
        return {target for target in self._changed if target not in self._old}

    def changes(self) -> Changes:
        """What the batch changes (call once `missing` returns nothing)."""
        return Changes(
            documents=dict(self._changed),
            counts={
                program: {path: n for path, n in counts.items() if n}
                for program, counts in self._counts.items()
                if any(counts.values())
            },
            entries={key: dict(value) for key, value in self._entries.items() if value},
            forgotten=frozenset(self._forgotten),
            removed=frozenset(self._removed),
            outcomes_erased=dict(self._outcomes_erased),
            heads=self._head_changes(),
        )

    def _head_changes(self) -> dict[tuple[str, Head], dict[str, HeadRow | None]]:
        heads = {key: dict(rows) for key, rows in self._head_rows.items() if rows}
        for (program, kind), entries in self._entries.items():
            head = HEAD_OF_SET.get(kind)
            if head is not None and entries:
                heads[(program, head)] = {
                    key: None if entry is None else entry_row(kind, key, entry)
                    for key, entry in entries.items()
                }
        return heads

    def _people_named_by(self, kind: type[Fact]) -> set[Target]:
        """The erasures settling ``kind`` needs to know.

        The people's (`ERASED_WITH_PERSON`) and, for outcomes, those of their outcomes
        (`OutcomeErasureFact`).
        """
        if kind not in ERASED_WITH_PERSON:
            return set()
        keys = {
            document.person_key
            for target in self._touched.get(kind, set())
            if isinstance(document := self._docs[target], ERASED_WITH_PERSON)
        }
        erasures = {Target(OutcomeErasureFact, key) for key in keys} if kind is OutcomeFact else ()
        return {Target(PersonFact, key) for key in keys} | set(erasures)

    def _erased(self, person_key: str) -> bool:
        return _erased_person(self._docs.get(Target(PersonFact, person_key)))

    def _unless_erased(
        self, target: Target, old: Fact | None, outcome: OutcomeFact
    ) -> OutcomeFact | None:
        """``outcome`` as kept after the latest erasure of its person's outcomes, or None.

        None: the erasure covers it, so it is not stored, and a stored copy (older still)
        goes. One recorded after the erasure forgets the events before it.
        """
        erasure = self._docs.get(Target(OutcomeErasureFact, outcome.person_key))
        if not isinstance(erasure, OutcomeErasureFact):
            return outcome
        if erasure.covers(outcome):
            if old is not None:
                self._removed.add(target)
            return None
        kept = self._docs[target] = erasure.forgetting(outcome)
        return kept

    def _settle(self, kind: type[Fact]) -> None:
        for target, updates in self._incoming.pop(kind, {}).items():
            self._apply_links(target, updates)
        for target in self._touched.pop(kind, set()):
            old, new = self._old.get(target), self._docs[target]
            if isinstance(new, RhythmFact | MentorFact):
                if new is old:
                    new = self._docs[target] = new.model_copy()
                new.settle()
            if isinstance(new, ERASED_WITH_PERSON) and self._erased(new.person_key):
                self._forgotten.add(new.person_key)  # not stored; any stored copy goes
                continue
            if isinstance(new, OutcomeFact):
                kept = self._unless_erased(target, old, new)
                if kept is None:
                    continue
                new = kept
            if new.links_only and new == (stub := type(new).stub(target.key, new.program_id)):
                if old is not None:
                    self._removed.add(target)
                    self._account(old, stub)  # takes back what it counted
                continue
            if old == new:
                continue
            if isinstance(new, PersonFact) and new.erased and not _erased_person(old):
                self._forgotten.add(target.key)
            if isinstance(new, OutcomeErasureFact):
                self._outcomes_erased[target.key] = new.version
            self._changed[target] = new
            self._account(old, new)

    def _apply_links(self, target: Target, updates: dict[tuple[str, str], Any]) -> None:
        current = self._docs.get(target)
        if current is None:
            if all(value is _REMOVED for value in updates.values()):
                return
            current = target.kind.stub(target.key, self._program_of[target])
        slots: dict[str, dict[str, Any]] = {}
        for (slot, key), value in updates.items():
            if slot not in slots:
                slots[slot] = dict(getattr(current, slot))
            if value is _REMOVED:
                slots[slot].pop(key, None)
            else:
                slots[slot][key] = value
        self._docs[target] = current.model_copy(update=slots)
        self._touched[target.kind].add(target)

    def _account(self, old: Fact | None, new: Fact) -> None:
        before = effects_of(old) if old is not None else Effects()
        after = effects_of(new)
        old_program = old.program_id if old is not None else new.program_id
        moved = old_program != new.program_id
        self._counts[new.program_id].update(after.counts)
        self._counts[old_program].subtract(before.counts)
        for (kind, key), entry in after.entries.items():
            if moved or before.entries.get((kind, key)) != entry:
                self._entries[(new.program_id, kind)][key] = entry
        for kind, key in before.entries:
            if moved or (kind, key) not in after.entries:
                self._entries[(old_program, kind)].setdefault(key, None)
        if isinstance(new, MentorFact):
            self._account_mentor(old, new, old_program)
        if isinstance(new, RhythmFact):
            self._account_rhythm(old, new, old_program)
        for link, value in after.links.items():
            if before.links.get(link, _REMOVED) != value:
                self._queue(link, value, new.program_id)
        for link in before.links:
            if link not in after.links:
                self._queue(link, _REMOVED, old_program)

    def _account_mentor(self, old: Fact | None, new: MentorFact, old_program: str) -> None:
        """A mentor's row of the impact view's head, if it changed (None: no longer listed)."""
        before = mentor_row(old) if isinstance(old, MentorFact) else None
        after = mentor_row(new)
        if after is not None and (old_program != new.program_id or before != after):
            self._head_rows[(new.program_id, Head.MENTORS)][new.id] = after
        if before is not None and (old_program != new.program_id or after is None):
            self._head_rows[(old_program, Head.MENTORS)].setdefault(new.id, None)

    def _account_rhythm(self, old: Fact | None, new: RhythmFact, old_program: str) -> None:
        """Its member pairs' rows of the stalest pairs' head that changed (None: gone)."""
        before = stalest_rows(old) if isinstance(old, RhythmFact) else {}
        after = stalest_rows(new)
        moved = old_program != new.program_id
        for key, row in after.items():
            if moved or before.get(key) != row:
                self._head_rows[(new.program_id, Head.INACTIVE)][key] = row
        for key in before:
            if moved or key not in after:
                self._head_rows[(old_program, Head.INACTIVE)].setdefault(key, None)

    def _queue(self, link: Link, value: object, program_id: str) -> None:
        kind = link.parent.kind
        if ORDER.index(kind) < self._next:  # pragma: no cover - LINKS_TO forbids it
            msg = f"{kind.__name__} is settled before what links to it"
            raise AssertionError(msg)
        updates = self._incoming.setdefault(kind, {}).setdefault(link.parent, {})
        updates[(link.slot, link.key)] = value
        self._program_of.setdefault(link.parent, program_id)


class Counts:
    """A program's counters, as the reports read them."""

    def __init__(self, counts: Mapping[CountKey, int] | None = None) -> None:
        self._counts = {path: n for path, n in (counts or {}).items() if n}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and self._counts == other._counts

    def __hash__(self) -> int:  # pragma: no cover - not used as a key
        return hash(frozenset(self._counts.items()))

    def __repr__(self) -> str:
        return f"Counts({dict(sorted(self._counts.items()))!r})"

    def value(self, *path: str) -> int:
        """The counter at ``path`` (0 when never counted)."""
        return self._counts.get(path, 0)

    def under(self, *prefix: str) -> dict[str, int]:
        """The non-zero counters one level below ``prefix``, by their last key."""
        depth = len(prefix) + 1
        return {
            path[-1]: n
            for path, n in self._counts.items()
            if len(path) == depth and path[: len(prefix)] == prefix
        }

    def keys(self, *prefix: str) -> set[str]:
        """The keys one level below ``prefix`` with a non-zero counter somewhere below."""
        depth = len(prefix)
        return {
            path[depth] for path in self._counts if len(path) > depth and path[:depth] == prefix
        }

    def items(self) -> Iterable[tuple[CountKey, int]]:
        """Every non-zero counter."""
        return self._counts.items()


@dataclass(frozen=True, slots=True)
class ProgramAggregates:
    """What a program's reports are computed from."""

    program_id: str
    program: ProgramFact | None = None
    counts: Counts = field(default_factory=Counts)
    entries: Mapping[EntrySet, Mapping[str, Entry]] = field(default_factory=dict)
    heads: Mapping[Head, Sequence[HeadRow]] = field(default_factory=dict)
    """The heads read (`analytics.domain.heads`); one not read is absent, not empty."""

    def entries_of[E: Entry](self, kind: EntrySet, model: type[E]) -> list[tuple[str, E]]:
        """The program's entries of one set, with their keys."""
        return [
            (key, entry)
            for key, entry in self.entries.get(kind, {}).items()
            if isinstance(entry, model)
        ]
