"""The reports of a program, computed from its aggregates.

Each function takes the program's aggregates (`ProgramAggregates`: its counters, its sets of
entries and its program document, see `analytics.domain.aggregates`) and returns a report;
nothing here does I/O and nothing reads one document per person, pair or session, so a
report costs the same for a program of any size (apart from the invitation funnel and the
reporting-line conflicts, which join documents of the directory: `DirectoryFacts`, and the
health report's milestone flags, which read the goals that have a milestone not reached). Who
counts (in the program, withdrawn, erased) is decided once, in `analytics.domain.aggregates`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from analytics.domain.aggregates import (
    HEAD_OF_SET,
    LISTED,
    MICRO,
    Counts,
    EntrySet,
    ProgramAggregates,
    entry_rows,
)
from analytics.domain.documents import (
    DirectoryFacts,
    GoalFact,
    ProgramFact,
    RhythmFact,
    RunEntry,
    SessionStatus,
)
from analytics.domain.heads import HEAD_SIZE, Head, HeadRow, first_rows, stalest_first
from analytics.domain.milestone_flags import MilestoneFlag, milestone_flags
from mentorship_contracts.types import ParticipantRole, ProgramFormat

_MENTEES_WITH = re.compile(r"^mentees_with_(\d+)_sessions_share$")
CUMULATIVE_METRICS = {"sessions_held_per_pair", "sessions_per_pair", "goal_completion_rate"}
RATE_METRICS = {"match_rate", "average_rating"}
DEFAULT_LIST_LIMIT = 100
"""How many items each list of the health report holds at most, unless asked otherwise."""


class DayCount(BaseModel):
    """A count on one day."""

    day: date
    count: int


class DepartmentFunnel(BaseModel):
    """Invited and registered people of one department ("none": the directory gave none)."""

    department: str
    invited: int
    registered: int


class DayFunnel(BaseModel):
    """People invited on a day, and invited people who registered on a day."""

    day: date
    invited: int
    registered: int


class InvitationFunnel(BaseModel):
    """Invited -> registered: people invited, and how many of them registered.

    An invited person counts as registered once they registered for the program (withdrawn
    since or not); people the directory or the program erased count nowhere.
    """

    invited: int
    registered: int
    registration_rate: float | None = Field(description="registered / invited.")
    reminded: int = Field(description="Invited people who got at least one reminder.")
    by_department: list[DepartmentFunnel]
    by_day: list[DayFunnel]


class RegistrationReport(BaseModel):
    """Who registered: roles, capacity against demand, by day, answers, withdrawals.

    Counts people in the program (registered, not withdrawn, not erased), as matching's pool
    holds them; withdrawals apart. Erased people are in no count.
    """

    program_id: str
    participants: int
    mentors: int
    mentees: int
    both: int
    withdrawn: int
    mentor_capacity: int
    mentee_demand: int
    registrations_by_day: list[DayCount] = Field(
        description="Registrations of people in the program or withdrawn, by day."
    )
    answers: dict[str, dict[str, int]] = Field(
        description="Per choice question, how many people in the program chose each answer."
    )
    invitations: InvitationFunnel


def _rate(part: int, whole: int, digits: int) -> float | None:
    return round(part / whole, digits) if whole else None


def registration(
    aggregates: ProgramAggregates, directory: DirectoryFacts | None = None
) -> RegistrationReport:
    """The registration report (``directory``: for its invitation funnel)."""
    counts = aggregates.counts
    answers = {
        question: dict(sorted(counts.under("answers", question, "choices").items()))
        for question in sorted(counts.keys("answers"))
        if counts.value("answers", question, "people")
    }
    return RegistrationReport(
        program_id=aggregates.program_id,
        participants=counts.value("totals", "participants"),
        mentors=counts.value("totals", "roles", ParticipantRole.MENTOR.value),
        mentees=counts.value("totals", "roles", ParticipantRole.MENTEE.value),
        both=counts.value("totals", "roles", ParticipantRole.BOTH.value),
        withdrawn=counts.value("totals", "withdrawn"),
        mentor_capacity=counts.value("totals", "capacity"),
        mentee_demand=counts.value("totals", "demand"),
        registrations_by_day=[
            DayCount(day=date.fromisoformat(day), count=n)
            for day, n in sorted(counts.under("days").items())
        ],
        answers=answers,
        invitations=invitation_funnel(directory),
    )


class ScoreBucket(BaseModel):
    """Pairs whose score falls in [low, high)."""

    low: float
    high: float
    pairs: int


class PairingReport(BaseModel):
    """Pairs, match rate, scores, the unmatched, re-matches and endings.

    The match rate counts people in the program only (as the registration report does);
    pairs count as pairs, those of erased people too (anonymous, as matching keeps them).
    """

    program_id: str
    pairs: int
    active_pairs: int
    rematches: int
    mentees: int = Field(description="Mentees (and both) in the program.")
    mentees_matched: int = Field(description="Those of them in an active pair.")
    match_rate: float
    average_score: float | None
    score_distribution: list[ScoreBucket]
    runs: int
    runs_approved: int
    unmatched_by_reason: dict[str, int] = Field(
        description="In the latest run's proposal (erased people left out)."
    )
    ended_by_reason: dict[str, int]


def invitation_funnel(directory: DirectoryFacts | None) -> InvitationFunnel:
    """The funnel invited -> registered, by department and by day."""
    if directory is None:
        directory = DirectoryFacts(program_id="")
    erased = {key for key, person in directory.people.items() if person.erased}
    invited = [
        i for i in directory.invitations if i.sent_at is not None and i.person_key not in erased
    ]
    registered_on = {
        p.person_key: p.registered_at
        for p in directory.participants
        if p.person_key and p.registered_at and not p.erased
    }
    converted = [i for i in invited if i.person_key in registered_on]
    departments: dict[str, Counter[str]] = defaultdict(Counter)
    days: dict[date, Counter[str]] = defaultdict(Counter)
    for invitation in invited:
        departments[invitation.department or "none"]["invited"] += 1
        assert invitation.sent_at is not None
        days[invitation.sent_at.date()]["invited"] += 1
    for invitation in converted:
        departments[invitation.department or "none"]["registered"] += 1
        days[registered_on[invitation.person_key].date()]["registered"] += 1
    return InvitationFunnel(
        invited=len(invited),
        registered=len(converted),
        registration_rate=round(len(converted) / len(invited), 4) if invited else None,
        reminded=sum(1 for i in invited if i.reminders),
        by_department=[
            DepartmentFunnel(department=name, invited=c["invited"], registered=c["registered"])
            for name, c in sorted(departments.items())
        ],
        by_day=[
            DayFunnel(day=day, invited=c["invited"], registered=c["registered"])
            for day, c in sorted(days.items())
        ],
    )


def latest_run(aggregates: ProgramAggregates) -> str | None:
    """The run whose proposal came last (None before any proposal)."""
    runs = aggregates.entries_of(EntrySet.RUNS, RunEntry)
    return max(runs, key=lambda run: (run[1].proposed_at, run[0]))[0] if runs else None


def matched(aggregates: ProgramAggregates) -> int:
    """Mentees (and both) in the program in an active pair; in a peer program, on either side."""
    side = "either_side" if is_peer_program(aggregates.program) else "as_mentee"
    return aggregates.counts.value("totals", "matched", side)


def pairing(aggregates: ProgramAggregates) -> PairingReport:
    """The pairing report; in a peer program both members of a pair count as matched."""
    counts = aggregates.counts
    pairs = counts.value("totals", "pairs")
    mentees = counts.value("totals", "demand")
    buckets = {int(bucket): n for bucket, n in counts.under("scores").items()}
    top = max(buckets) + 1 if buckets else 0
    latest = latest_run(aggregates)
    unmatched = counts.under("runs", latest) if latest is not None else {}
    average = counts.value("totals", "score_micro") / MICRO / pairs if pairs else None
    return PairingReport(
        program_id=aggregates.program_id,
        pairs=pairs,
        active_pairs=counts.value("totals", "active_pairs"),
        rematches=counts.value("totals", "rematches"),
        mentees=mentees,
        mentees_matched=matched(aggregates),
        match_rate=_rate(matched(aggregates), mentees, 4) or 0.0,
        average_score=round(average, 4) if average is not None else None,
        score_distribution=[
            ScoreBucket(low=i, high=i + 1, pairs=buckets.get(i, 0)) for i in range(top)
        ],
        runs=counts.value("totals", "runs"),
        runs_approved=counts.value("totals", "runs_approved"),
        unmatched_by_reason=dict(sorted(unmatched.items())),
        ended_by_reason=dict(sorted(counts.under("totals", "ended").items())),
    )


class WeekCount(BaseModel):
    """Sessions held in one ISO week."""

    week: str
    held: int


class Funnel(BaseModel):
    """Scheduled, then held, then rated by both members."""

    scheduled: int
    held: int
    rated_by_both: int


class SessionsReport(BaseModel):
    """Sessions by status, held over time, the funnel and the rhythm of pairs."""

    program_id: str
    sessions: int
    scheduled: int
    held: int
    missed: int
    cancelled: int
    held_by_week: list[WeekCount]
    funnel: Funnel
    average_days_between_sessions: float | None


def sessions(aggregates: ProgramAggregates) -> SessionsReport:
    """The sessions report."""
    counts = aggregates.counts
    total = counts.value("totals", "sessions")
    held = counts.value("totals", "status", SessionStatus.HELD.value)
    gap_pairs = counts.value("totals", "gap_pairs")
    gaps = counts.value("totals", "gap_micro_days") / MICRO / gap_pairs if gap_pairs else None
    return SessionsReport(
        program_id=aggregates.program_id,
        sessions=total,
        scheduled=counts.value("totals", "status", SessionStatus.SCHEDULED.value),
        held=held,
        missed=counts.value("totals", "status", SessionStatus.MISSED.value),
        cancelled=counts.value("totals", "status", SessionStatus.CANCELLED.value),
        held_by_week=[WeekCount(week=w, held=n) for w, n in sorted(counts.under("weeks").items())],
        funnel=Funnel(
            scheduled=total, held=held, rated_by_both=counts.value("totals", "rated_by_both")
        ),
        average_days_between_sessions=round(gaps, 2) if gaps is not None else None,
    )


class MonthRating(BaseModel):
    """Ratings given in one month."""

    month: str
    ratings: int
    average: float


class SurveySummary(BaseModel):
    """Survey answers, with the recommendation score computed NPS-style."""

    responses: int
    nps: float | None = Field(description="% promoters (9-10) minus % detractors (0-6).")
    would_join_again_share: float | None
    average_growth: float | None
    average_relationship: float | None


class ScoresReport(BaseModel):
    """Session ratings, pairing fit and surveys."""

    program_id: str
    ratings: int
    average_rating: float | None
    rating_distribution: dict[str, int]
    ratings_by_month: list[MonthRating]
    fit_good: int
    fit_not_good: int
    fit_concerns: dict[str, int]
    surveys: SurveySummary
    surveys_by_kind: dict[str, SurveySummary]


_SURVEY_FIGURES = ("responses", "promoters", "detractors", "join_again", "growth", "relationship")


def _survey_summary(figures: dict[str, int]) -> SurveySummary:
    count = figures["responses"]
    return SurveySummary(
        responses=count,
        nps=round(100 * (figures["promoters"] - figures["detractors"]) / count, 2)
        if count
        else None,
        would_join_again_share=_rate(figures["join_again"], count, 4),
        average_growth=_rate(figures["growth"], count, 4),
        average_relationship=_rate(figures["relationship"], count, 4),
    )


def average_rating(counts: Counts) -> float | None:
    """The average session rating (None before any)."""
    return _rate(counts.value("totals", "rating_sum"), counts.value("totals", "ratings"), 4)


def scores(aggregates: ProgramAggregates) -> ScoresReport:
    """The scores report."""
    counts = aggregates.counts
    kinds = {
        kind: {figure: counts.value("surveys", kind, figure) for figure in _SURVEY_FIGURES}
        for kind in sorted(counts.keys("surveys"))
    }
    overall = {figure: sum(kind[figure] for kind in kinds.values()) for figure in _SURVEY_FIGURES}
    months = sorted(counts.keys("months"))
    return ScoresReport(
        program_id=aggregates.program_id,
        ratings=counts.value("totals", "ratings"),
        average_rating=average_rating(counts),
        rating_distribution={str(n): counts.value("ratings", str(n)) for n in range(1, 6)},
        ratings_by_month=[
            MonthRating(
                month=month,
                ratings=counts.value("months", month, "ratings"),
                average=round(
                    counts.value("months", month, "sum") / counts.value("months", month, "ratings"),
                    4,
                ),
            )
            for month in months
            if counts.value("months", month, "ratings")
        ],
        fit_good=counts.value("totals", "fit", "good"),
        fit_not_good=counts.value("totals", "fit", "not_good"),
        fit_concerns=dict(sorted(counts.under("concerns").items())),
        surveys=_survey_summary(overall),
        surveys_by_kind={
            kind: _survey_summary(figures)
            for kind, figures in kinds.items()
            if figures["responses"]
        },
    )


class TopicCount(BaseModel):
    """How often a topic came up in session feedback."""

    topic: str
    mentions: int


class GoalTopic(BaseModel):
    """Goals towards one topic and how many are completed."""

    topic: str
    goals: int
    completed: int


class SkillsReport(BaseModel):
    """Topics discussed most, and goal completion."""

    program_id: str
    topics: list[TopicCount]
    goals: int
    goals_completed: int
    goal_completion_rate: float | None
    goals_by_topic: list[GoalTopic]


def goal_completion(counts: Counts) -> float | None:
    """The share of goals completed (None without goals)."""
    return _rate(counts.value("totals", "goals_completed"), counts.value("totals", "goals"), 4)


def skills(aggregates: ProgramAggregates) -> SkillsReport:
    """The skills and goals report."""
    counts = aggregates.counts
    topics = counts.under("topics")
    return SkillsReport(
        program_id=aggregates.program_id,
        topics=[
            TopicCount(topic=t, mentions=n)
            for t, n in sorted(topics.items(), key=lambda item: (-item[1], item[0]))
        ],
        goals=counts.value("totals", "goals"),
        goals_completed=counts.value("totals", "goals_completed"),
        goal_completion_rate=goal_completion(counts),
        goals_by_topic=[
            GoalTopic(
                topic=topic,
                goals=counts.value("goals", topic, "goals"),
                completed=counts.value("goals", topic, "completed"),
            )
            for topic in sorted(counts.keys("goals"))
            if counts.value("goals", topic, "goals")
        ],
    )


class InactivePair(BaseModel):
    """An active pair that has not held a session for a while."""

    pair_id: str
    days_without_session: int


class LowRating(BaseModel):
    """A session rated 2 or below."""

    session_id: str
    pair_id: str
    rating: int


class PoorFit(BaseModel):
    """A pair a member called not a good fit."""

    pair_id: str
    concern: str | None


class OverCapacity(BaseModel):
    """A mentor with more active pairs than their capacity."""

    mentor_participant_id: str = Field(description="A mentor in the program.")
    pairs: int
    capacity: int


class KeyResultStatus(BaseModel):
    """The program's key result against its trajectory."""

    metric: str
    target: float
    actual: float | None
    expected_by_now: float | None
    on_track: bool | None = Field(description="None when the metric cannot be measured here.")


class LineConflict(BaseModel):
    """An active pair whose members are now in each other's reporting line.

    The directory changed since they were paired: the next run would not pair them.
    """

    pair_id: str
    levels: int = Field(description="1: one manages the other directly; 2: skip level ...")
    mentor_manages_mentee: bool


class HealthTotals(BaseModel):
    """How many of each flag there are (the lists above hold at most ``list_limit``)."""

    inactive_pairs: int
    low_ratings: int
    not_a_good_fit: int
    mentors_over_capacity: int


class HealthReport(BaseModel):
    """What needs a program manager's attention.

    Each list holds at most ``list_limit`` items, in its order; ``totals`` counts them all.
    A pair is inactive when no session of it was held for ``inactive_after_days`` calendar
    days (UTC), counted from its last held session, or from its creation if none.
    """

    program_id: str
    inactive_after_days: int
    inactive_pairs: list[InactivePair] = Field(description="Longest without a session first.")
    low_ratings: list[LowRating] = Field(description="By session, pair and rating.")
    not_a_good_fit: list[PoorFit] = Field(description="By pair and concern.")
    mentors_over_capacity: list[OverCapacity] = Field(description="By mentor.")
    reporting_line_conflicts: list[LineConflict] = Field(
        description="Active pairs that break the reporting-line rule as the directory stands."
    )
    overdue_milestones: list[MilestoneFlag] = Field(
        default_factory=list, description="Milestones past their due day, not reached."
    )
    milestones_at_risk: list[MilestoneFlag] = Field(
        default_factory=list,
        description="Milestones due within 14 days on goals under half way, not reached.",
    )
    key_result: KeyResultStatus | None
    totals: HealthTotals
    list_limit: int


def inactive_cutoff(now: datetime, inactive_after_days: int) -> date:
    """The last day a pair may have last met on to count as inactive ``now``."""
    return now.date() - timedelta(days=inactive_after_days)


def inactive_total(counts: Counts, cutoff: date) -> int:
    """How many active pairs last met (or were created) on ``cutoff`` or before."""
    last = cutoff.isoformat()
    return sum(n for day, n in counts.under("activity").items() if day <= last)


def inactive_pairs(
    rhythms: Sequence[RhythmFact], *, now: datetime, cutoff: date, limit: int
) -> list[InactivePair]:
    """The ``limit`` first inactive pairs among the members of ``rhythms``.

    ``rhythms`` need only be the program's ``limit`` first by (``stalest_day``,
    ``stalest_pair``) among those whose stalest day is at most ``cutoff``: a pair is a member
    of one rhythm only, and each rhythm before the one of a listed pair has a stalest pair
    that comes before it in this list's order (by day, then id), so fewer than ``limit``
    rhythms come before it.
    """
    rows = stalest_first(rhythms, max(limit, 0))
    return inactive_in_head(rows, now=now, cutoff=cutoff, limit=limit)


def inactive_in_head(
    rows: Sequence[HeadRow], *, now: datetime, cutoff: date, limit: int
) -> list[InactivePair]:
    """The ``limit`` first inactive pairs from the first rows of the stalest pairs.

    They hold the first active pairs by the day they last met: the inactive ones are its rows
    up to ``cutoff``, all of them unless every row of a full head is (then the first
    `HEAD_SIZE`, which is enough for a ``limit`` up to it).
    """
    today = now.date()
    last = cutoff.isoformat()
    return [
        InactivePair(
            pair_id=row.row["pair_id"],
            days_without_session=(today - date.fromisoformat(row.row["since"])).days,
        )
        for row in rows
        if row.rank[0] <= last
    ][: max(limit, 0)]


def health(
    aggregates: ProgramAggregates,
    *,
    now: datetime,
    inactive_after_days: int,
    inactive: Sequence[RhythmFact] = (),
    limit: int = DEFAULT_LIST_LIMIT,
    directory: DirectoryFacts | None = None,
    goals: Iterable[GoalFact] = (),
) -> HealthReport:
    """The health flags, as of ``now``.

    ``inactive``: see `inactive_pairs` (not read when the aggregates hold the head of the
    stalest pairs: `inactive_in_head`); ``directory``: for the reporting-line conflicts;
    ``goals``: the program's goals with a milestone not reached, but those of erased people
    (for the milestone flags; other goals are never flagged, so need not be read).
    """
    counts = aggregates.counts
    overdue, at_risk = milestone_flags(goals, now.date())
    cutoff = inactive_cutoff(now, inactive_after_days)
    low, low_total = health_list(aggregates, EntrySet.LOW_RATINGS, limit)
    poor, poor_total = health_list(aggregates, EntrySet.POOR_FITS, limit)
    over, over_total = health_list(aggregates, EntrySet.OVER_CAPACITY, limit)
    program = aggregates.program
    stalest = aggregates.heads.get(Head.INACTIVE)
    return HealthReport(
        program_id=aggregates.program_id,
        inactive_after_days=inactive_after_days,
        inactive_pairs=(
            inactive_pairs(inactive, now=now, cutoff=cutoff, limit=limit)
            if stalest is None
            else inactive_in_head(stalest, now=now, cutoff=cutoff, limit=limit)
        ),
        low_ratings=[LowRating.model_validate(row) for row in low],
        not_a_good_fit=[PoorFit.model_validate(row) for row in poor],
        mentors_over_capacity=[OverCapacity.model_validate(row) for row in over],
        key_result=_key_result(program, aggregates, now) if program else None,
        totals=HealthTotals(
            inactive_pairs=inactive_total(counts, cutoff),
            low_ratings=low_total,
            not_a_good_fit=poor_total,
            mentors_over_capacity=over_total,
        ),
        list_limit=limit,
        reporting_line_conflicts=line_conflicts(directory),
        overdue_milestones=overdue,
        milestones_at_risk=at_risk,
    )


def health_list(
    aggregates: ProgramAggregates, kind: EntrySet, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A health list's first ``limit`` rows, in its order, and how many it holds in all.

    From the list's head if it was read (it holds the first rows: ``limit`` must not be more)
    and its ``listed`` counter; else from the whole set of entries.
    """
    head = aggregates.heads.get(HEAD_OF_SET[kind])
    if head is not None and limit <= HEAD_SIZE:
        return [row.row for row in head[:limit]], aggregates.counts.value(LISTED, kind.value)
    entries = aggregates.entries.get(kind, {})
    return [row.row for row in first_rows(entry_rows(kind, entries), limit)], len(entries)


def line_conflicts(directory: DirectoryFacts | None) -> list[LineConflict]:
    """Active pairs whose members are in each other's line, by the directory now.

    One member is within the program's reporting-line depth above the other, walking the
    directory's manager edges as they stand.
    """
    if directory is None:
        return []
    depth = directory.reporting_line_depth
    person_of = {p.id: p.person_key for p in directory.participants if p.person_key}

    def above(person: str) -> list[str]:
        line: list[str] = []
        current = directory.people.get(person)
        while current is not None and current.manager_key and len(line) < depth:
            if current.manager_key in line or current.manager_key == person:
                break
            line.append(current.manager_key)
            current = directory.people.get(current.manager_key)
        return line

    conflicts = []
    for pair in directory.pairs:
        if not pair.active:
            continue
        mentor, mentee = person_of.get(pair.mentor_key), person_of.get(pair.mentee_key)
        if not mentor or not mentee:
            continue
        if mentor in (line := above(mentee)):
            conflicts.append(
                LineConflict(
                    pair_id=pair.id, levels=line.index(mentor) + 1, mentor_manages_mentee=True
                )
            )
        elif mentee in (line := above(mentor)):
            conflicts.append(
                LineConflict(
                    pair_id=pair.id, levels=line.index(mentee) + 1, mentor_manages_mentee=False
                )
            )
    return sorted(conflicts, key=lambda conflict: conflict.pair_id)


def _key_result(
    program: ProgramFact, aggregates: ProgramAggregates, now: datetime
) -> KeyResultStatus:
    metric, target = program.metric, program.target
    actual = _measure(metric, aggregates)
    starts, ends = program.starts_on, program.ends_on
    elapsed = min(1.0, max(0.0, (now.date() - starts).days / max(1, (ends - starts).days)))
    cumulative = metric in CUMULATIVE_METRICS or _MENTEES_WITH.match(metric) is not None
    expected = round(target * elapsed, 4) if cumulative else (target if elapsed > 0 else 0.0)
    on_track = None if actual is None else actual >= expected
    return KeyResultStatus(
        metric=metric, target=target, actual=actual, expected_by_now=expected, on_track=on_track
    )


def _sessions_per_pair(aggregates: ProgramAggregates) -> float | None:
    counts = aggregates.counts
    return _rate(counts.value("totals", "held_credited"), counts.value("totals", "pairs"), 4) or 0.0


def _mentees_with(sessions_needed: int, aggregates: ProgramAggregates) -> float:
    mentees = {int(held): n for held, n in aggregates.counts.under("mentee_sessions").items()}
    enough = sum(n for held, n in mentees.items() if held >= sessions_needed)
    return _rate(enough, sum(mentees.values()), 4) or 0.0


_METRICS: dict[str, Callable[[ProgramAggregates], float | None]] = {
    "sessions_held_per_pair": _sessions_per_pair,
    "sessions_per_pair": _sessions_per_pair,
    "match_rate": lambda aggregates: pairing(aggregates).match_rate,
    "average_rating": lambda aggregates: average_rating(aggregates.counts),
    "goal_completion_rate": lambda aggregates: goal_completion(aggregates.counts),
}


def is_peer_program(program: ProgramFact | None) -> bool:
    """Whether the program pairs peers (both members of a pair are matched participants)."""
    return program is not None and program.format is ProgramFormat.PEER


def _measure(metric: str, aggregates: ProgramAggregates) -> float | None:
    """The metric's current value, or None for a metric this service cannot measure."""
    wanted = _MENTEES_WITH.match(metric)
    if wanted:
        return _mentees_with(int(wanted.group(1)), aggregates)
    measure = _METRICS.get(metric)
    return measure(aggregates) if measure else None
