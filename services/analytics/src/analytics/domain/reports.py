"""The reports of a program, computed from its read-model documents.

Each function takes the program's documents (`ProgramFacts`, see
`analytics.domain.documents`) and returns a report; nothing here does I/O, so the same code
serves the API and the property tests. Who counts (in the program, withdrawn, erased) is
decided once, in `analytics.domain.documents`.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from pydantic import BaseModel, Field

from analytics.domain.documents import (
    FeedbackFact,
    GoalFact,
    PairFact,
    ParticipantFact,
    ProgramFact,
    ProgramFacts,
    RunFact,
    SessionFact,
    SessionStatus,
    SurveyFact,
)
from analytics.domain.milestone_flags import MilestoneFlag, milestone_flags
from mentorship_contracts.types import ParticipantRole, ProgramFormat

LOW_RATING = 2
PROMOTER, DETRACTOR = 9, 6
_MENTEES_WITH = re.compile(r"^mentees_with_(\d+)_sessions_share$")
CUMULATIVE_METRICS = {"sessions_held_per_pair", "sessions_per_pair", "goal_completion_rate"}
RATE_METRICS = {"match_rate", "average_rating"}


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


def _in_program(participants: Iterable[ParticipantFact]) -> list[ParticipantFact]:
    return [p for p in participants if p.in_program]


def _erased(participants: Iterable[ParticipantFact]) -> frozenset[str]:
    return frozenset(p.id for p in participants if p.erased)


def registration(facts: ProgramFacts) -> RegistrationReport:
    """The registration report."""
    participants = facts.participants
    active = _in_program(participants)
    roles = Counter(p.role for p in active)
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    for person in active:
        for question, choices in sorted(person.answers.items()):
            answers[question].update(choices)
    days = Counter(p.registered_at.date() for p in participants if p.registered_at and not p.erased)
    return RegistrationReport(
        program_id=facts.program_id,
        participants=len(active),
        mentors=roles[ParticipantRole.MENTOR],
        mentees=roles[ParticipantRole.MENTEE],
        both=roles[ParticipantRole.BOTH],
        withdrawn=sum(1 for p in participants if p.withdrawn),
        mentor_capacity=sum(p.capacity for p in active),
        mentee_demand=sum(1 for p in active if p.seeks_mentor),
        registrations_by_day=[DayCount(day=d, count=n) for d, n in sorted(days.items())],
        answers={q: dict(sorted(c.items())) for q, c in sorted(answers.items())},
        invitations=invitation_funnel(facts),
    )


def invitation_funnel(facts: ProgramFacts) -> InvitationFunnel:
    """The funnel invited -> registered, by department and by day."""
    erased = {key for key, person in facts.people.items() if person.erased}
    invited = [i for i in facts.invitations if i.sent_at is not None and i.person_key not in erased]
    registered_on = {
        p.person_key: p.registered_at
        for p in facts.participants
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


def _created(pairs: Iterable[PairFact]) -> list[PairFact]:
    return [p for p in pairs if p.created]


def _latest_proposal(runs: Iterable[RunFact]) -> RunFact | None:
    proposed = [(r.proposed_at, r) for r in runs if r.proposed_at is not None]
    return max(proposed, key=lambda found: found[0])[1] if proposed else None


def pairing(facts: ProgramFacts) -> PairingReport:
    """The pairing report; in a peer program both members of a pair count as matched."""
    created = _created(facts.pairs)
    active = [p for p in created if p.active]
    seekers = {p.id for p in _in_program(facts.participants) if p.seeks_mentor}
    mentees = len(seekers)
    peer = is_peer_program(facts.program)
    matched = len(seekers.intersection(k for p in active for k in _matched_sides(p, peer=peer)))
    scores = [p.score for p in created]
    top = math.floor(max(scores)) + 1 if scores else 0
    buckets = Counter(math.floor(score) for score in scores)
    latest = _latest_proposal(facts.runs)
    erased = _erased(facts.participants)
    unmatched: Counter[str] = Counter()
    for people in latest.unmatched.values() if latest else ():
        unmatched.update(person.reason.value for person in people if person.key not in erased)
    return PairingReport(
        program_id=facts.program_id,
        pairs=len(created),
        active_pairs=len(active),
        rematches=sum(1 for p in created if p.is_rematch),
        mentees=mentees,
        mentees_matched=matched,
        match_rate=round(matched / mentees, 4) if mentees else 0.0,
        average_score=round(statistics.fmean(scores), 4) if scores else None,
        score_distribution=[ScoreBucket(low=i, high=i + 1, pairs=buckets[i]) for i in range(top)],
        runs=sum(1 for r in facts.runs if r.proposed_at is not None),
        runs_approved=sum(1 for r in facts.runs if r.approved),
        unmatched_by_reason=dict(sorted(unmatched.items())),
        ended_by_reason=dict(
            sorted(Counter(p.end_reason.value for p in facts.pairs if p.end_reason).items())
        ),
    )


def _matched_sides(pair: PairFact, *, peer: bool) -> tuple[str, ...]:
    return (pair.mentor_key, pair.mentee_key) if peer else (pair.mentee_key,)


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


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _held(sessions: Iterable[SessionFact]) -> list[tuple[SessionFact, datetime]]:
    """The held sessions, with when they were held."""
    return [
        (s, s.held_at) for s in sessions if s.status is SessionStatus.HELD and s.held_at is not None
    ]


def sessions(facts: ProgramFacts) -> SessionsReport:
    """The sessions report."""
    sessions = facts.sessions
    statuses = Counter(s.status for s in sessions)
    held = _held(sessions)
    weeks = Counter(_iso_week(held_at) for _, held_at in held)
    authors: dict[str, set[str]] = defaultdict(set)
    for item in facts.feedback:
        authors[item.session_id].add(item.author_key)
    held_ids = {s.id for s, _ in held}
    by_pair: dict[str, list[datetime]] = defaultdict(list)
    for session, held_at in held:
        by_pair[session.pair_id].append(held_at)
    gaps = [
        statistics.fmean((b - a).total_seconds() / 86400 for a, b in itertools.pairwise(times))
        for times in (sorted(t) for t in by_pair.values())
        if len(times) > 1
    ]
    return SessionsReport(
        program_id=facts.program_id,
        sessions=len(sessions),
        scheduled=statuses[SessionStatus.SCHEDULED],
        held=statuses[SessionStatus.HELD],
        missed=statuses[SessionStatus.MISSED],
        cancelled=statuses[SessionStatus.CANCELLED],
        held_by_week=[WeekCount(week=w, held=n) for w, n in sorted(weeks.items())],
        funnel=Funnel(
            scheduled=len(sessions),
            held=statuses[SessionStatus.HELD],
            rated_by_both=sum(1 for s, who in authors.items() if s in held_ids and len(who) >= 2),
        ),
        average_days_between_sessions=round(statistics.fmean(gaps), 2) if gaps else None,
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


def _survey_summary(responses: Sequence[SurveyFact]) -> SurveySummary:
    if not responses:
        return SurveySummary(
            responses=0,
            nps=None,
            would_join_again_share=None,
            average_growth=None,
            average_relationship=None,
        )
    count = len(responses)
    promoters = sum(1 for r in responses if r.recommend >= PROMOTER)
    detractors = sum(1 for r in responses if r.recommend <= DETRACTOR)
    return SurveySummary(
        responses=count,
        nps=round(100 * (promoters - detractors) / count, 2),
        would_join_again_share=round(sum(1 for r in responses if r.join_again) / count, 4),
        average_growth=round(statistics.fmean(r.growth for r in responses), 4),
        average_relationship=round(statistics.fmean(r.relationship for r in responses), 4),
    )


def _average_rating(feedback: Sequence[FeedbackFact]) -> float | None:
    return round(statistics.fmean(f.rating for f in feedback), 4) if feedback else None


def scores(facts: ProgramFacts) -> ScoresReport:
    """The scores report."""
    rated = facts.feedback
    months: dict[str, list[int]] = defaultdict(list)
    for item in rated:
        months[item.first_submitted_at.strftime("%Y-%m")].append(item.rating)
    answered = facts.fits
    kinds: dict[str, list[SurveyFact]] = defaultdict(list)
    for response in facts.surveys:
        kinds[response.kind.value].append(response)
    return ScoresReport(
        program_id=facts.program_id,
        ratings=len(rated),
        average_rating=_average_rating(rated),
        rating_distribution={str(n): sum(1 for f in rated if f.rating == n) for n in range(1, 6)},
        ratings_by_month=[
            MonthRating(month=m, ratings=len(v), average=round(statistics.fmean(v), 4))
            for m, v in sorted(months.items())
        ],
        fit_good=sum(1 for f in answered if f.good_fit),
        fit_not_good=sum(1 for f in answered if not f.good_fit),
        fit_concerns=dict(
            sorted(
                Counter(f.concern.value for f in answered if not f.good_fit and f.concern).items()
            )
        ),
        surveys=_survey_summary(facts.surveys),
        surveys_by_kind={k: _survey_summary(v) for k, v in sorted(kinds.items())},
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


def _goals(facts: ProgramFacts) -> list[GoalFact]:
    """The program's goals but those of erased people (the feedback service deletes them)."""
    erased = _erased(facts.participants)
    return [goal for goal in facts.goals if goal.owner_key not in erased]


def _goal_completion(goals: Sequence[GoalFact]) -> float | None:
    return round(sum(1 for g in goals if g.completed) / len(goals), 4) if goals else None


def skills(facts: ProgramFacts) -> SkillsReport:
    """The skills and goals report."""
    topics = Counter(topic for f in facts.feedback for topic in set(f.topics))
    tracked = _goals(facts)
    by_topic: dict[str, list[GoalFact]] = defaultdict(list)
    for goal in tracked:
        by_topic[goal.topic].append(goal)
    done = sum(1 for g in tracked if g.completed)
    return SkillsReport(
        program_id=facts.program_id,
        topics=[
            TopicCount(topic=t, mentions=n)
            for t, n in sorted(topics.items(), key=lambda item: (-item[1], item[0]))
        ],
        goals=len(tracked),
        goals_completed=done,
        goal_completion_rate=_goal_completion(tracked),
        goals_by_topic=[
            GoalTopic(topic=t, goals=len(v), completed=sum(1 for g in v if g.completed))
            for t, v in sorted(by_topic.items())
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


class HealthReport(BaseModel):
    """What needs a program manager's attention."""

    program_id: str
    inactive_after_days: int
    inactive_pairs: list[InactivePair]
    low_ratings: list[LowRating]
    not_a_good_fit: list[PoorFit]
    mentors_over_capacity: list[OverCapacity]
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


def health(facts: ProgramFacts, *, now: datetime, inactive_after_days: int) -> HealthReport:
    """The health flags, as of ``now``."""
    pairs = _created(facts.pairs)
    active = [p for p in pairs if p.active]
    overdue, at_risk = milestone_flags(_goals(facts), now.date())
    last_held = {
        pair_id: max(times) for pair_id, times in held_by_pair(pairs, facts.sessions).items()
    }
    inactive = []
    for pair in active:
        since = last_held.get(pair.id, pair.created_at)
        days = (now - since).days if since else 0
        if days >= inactive_after_days:
            inactive.append(InactivePair(pair_id=pair.id, days_without_session=days))
    mentors = {
        p.id: (p.participant_id, p.capacity)
        for p in _in_program(facts.participants)
        if p.participant_id is not None
    }
    load = Counter(p.mentor_key for p in active)
    return HealthReport(
        program_id=facts.program_id,
        inactive_after_days=inactive_after_days,
        inactive_pairs=sorted(inactive, key=lambda p: (-p.days_without_session, p.pair_id)),
        low_ratings=sorted(
            (
                LowRating(session_id=f.session_id, pair_id=f.pair_id, rating=f.rating)
                for f in facts.feedback
                if f.rating <= LOW_RATING
            ),
            key=lambda r: (r.session_id, r.pair_id, r.rating),
        ),
        not_a_good_fit=sorted(
            (
                PoorFit(pair_id=f.pair_id, concern=f.concern.value if f.concern else None)
                for f in facts.fits
                if not f.good_fit
            ),
            key=lambda f: (f.pair_id, f.concern or ""),
        ),
        mentors_over_capacity=[
            OverCapacity(mentor_participant_id=participant_id, pairs=n, capacity=capacity)
            for key, n in sorted(load.items())
            if key in mentors
            for participant_id, capacity in (mentors[key],)
            if n > capacity
        ],
        reporting_line_conflicts=line_conflicts(facts, active),
        overdue_milestones=overdue,
        milestones_at_risk=at_risk,
        key_result=_key_result(facts.program, facts, now) if facts.program else None,
    )


def line_conflicts(facts: ProgramFacts, active: Sequence[PairFact]) -> list[LineConflict]:
    """Active pairs whose members are in each other's line, by the directory now.

    One member is within the program's reporting-line depth above the other, walking the
    directory's manager edges as they stand.
    """
    depth = facts.program.reporting_line_depth if facts.program else 0
    person_of = {p.id: p.person_key for p in facts.participants if p.person_key}

    def above(person: str) -> list[str]:
        line: list[str] = []
        current = facts.people.get(person)
        while current is not None and current.manager_key and len(line) < depth:
            if current.manager_key in line or current.manager_key == person:
                break
            line.append(current.manager_key)
            current = facts.people.get(current.manager_key)
        return line

    conflicts = []
    for pair in active:
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


def held_by_pair(
    pairs: Sequence[PairFact], sessions: Sequence[SessionFact]
) -> dict[str, list[datetime]]:
    """When each pair held its sessions.

    A group's sessions carry the group id as their ``pair_id``: each counts for every pair of
    the group that existed, and had not ended, when it was held.
    """
    members: dict[str, list[PairFact]] = defaultdict(list)
    for pair in pairs:
        if pair.group_id is not None:
            members[pair.group_id].append(pair)
    held: dict[str, list[datetime]] = defaultdict(list)
    for session, held_at in _held(sessions):
        if session.pair_id not in members:
            held[session.pair_id].append(held_at)
            continue
        for pair in members[session.pair_id]:
            joined, ended = pair.created_at, pair.ended_at
            if (joined is None or joined <= held_at) and (ended is None or held_at <= ended):
                held[pair.id].append(held_at)
    return held


def _key_result(program: ProgramFact, facts: ProgramFacts, now: datetime) -> KeyResultStatus:
    metric, target = program.metric, program.target
    actual = _measure(metric, facts)
    starts, ends = program.starts_on, program.ends_on
    elapsed = min(1.0, max(0.0, (now.date() - starts).days / max(1, (ends - starts).days)))
    cumulative = metric in CUMULATIVE_METRICS or _MENTEES_WITH.match(metric) is not None
    expected = round(target * elapsed, 4) if cumulative else (target if elapsed > 0 else 0.0)
    on_track = None if actual is None else actual >= expected
    return KeyResultStatus(
        metric=metric, target=target, actual=actual, expected_by_now=expected, on_track=on_track
    )


def _sessions_per_pair(facts: ProgramFacts) -> float | None:
    pairs = _created(facts.pairs)
    held = held_by_pair(pairs, facts.sessions)
    total = sum(len(held.get(pair.id, ())) for pair in pairs)
    return round(total / len(pairs), 4) if pairs else 0.0


def _mentees_with(sessions_needed: int, facts: ProgramFacts) -> float:
    pairs = _created(facts.pairs)
    held = held_by_pair(pairs, facts.sessions)
    erased = _erased(facts.participants)
    per_mentee: Counter[str] = Counter()
    for pair in pairs:
        if pair.mentee_key not in erased:
            per_mentee[pair.mentee_key] += len(held.get(pair.id, ()))
    if not per_mentee:
        return 0.0
    return round(sum(1 for n in per_mentee.values() if n >= sessions_needed) / len(per_mentee), 4)


_METRICS: dict[str, Callable[[ProgramFacts], float | None]] = {
    "sessions_held_per_pair": _sessions_per_pair,
    "sessions_per_pair": _sessions_per_pair,
    "match_rate": lambda facts: pairing(facts).match_rate,
    "average_rating": lambda facts: _average_rating(facts.feedback),
    "goal_completion_rate": lambda facts: _goal_completion(_goals(facts)),
}


def is_peer_program(program: ProgramFact | None) -> bool:
    """Whether the program pairs peers (both members of a pair are matched participants)."""
    return program is not None and program.format is ProgramFormat.PEER


def _measure(metric: str, facts: ProgramFacts) -> float | None:
    """The metric's current value, or None for a metric this service cannot measure."""
    wanted = _MENTEES_WITH.match(metric)
    if wanted:
        return _mentees_with(int(wanted.group(1)), facts)
    measure = _METRICS.get(metric)
    return measure(facts) if measure else None
