"""The reports of a program, computed from its read-model documents.

Each function takes the program's documents of the collections it needs (see
`analytics.domain.facts`) and returns a report; nothing here does I/O, so the same code
serves the API and the property tests.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime

from pydantic import BaseModel, Field

from analytics.domain.facts import Doc

LOW_RATING = 2
PROMOTER, DETRACTOR = 9, 6
_MENTEES_WITH = re.compile(r"^mentees_with_(\d+)_sessions_share$")
CUMULATIVE_METRICS = {"sessions_held_per_pair", "sessions_per_pair", "goal_completion_rate"}
RATE_METRICS = {"match_rate", "average_rating"}


class DayCount(BaseModel):
    """A count on one day."""

    day: date
    count: int


class RegistrationReport(BaseModel):
    """Who registered: roles, capacity against demand, by day, answers, withdrawals."""

    program_id: str
    participants: int
    mentors: int
    mentees: int
    both: int
    withdrawn: int
    mentor_capacity: int
    mentee_demand: int
    registrations_by_day: list[DayCount]
    answers: dict[str, dict[str, int]] = Field(
        description="Per choice question, how many active participants chose each answer."
    )


def _active(participants: Iterable[Doc]) -> list[Doc]:
    return [p for p in participants if p.get("status") == "active" and "role" in p]


def registration(program_id: str, participants: Sequence[Doc]) -> RegistrationReport:
    """The registration report."""
    active = _active(participants)
    roles = Counter(p["role"] for p in active)
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    for person in active:
        for question, choices in sorted(person.get("answers", {}).items()):
            answers[question].update(choices)
    days = Counter(p["registered_at"].date() for p in participants if p.get("registered_at"))
    return RegistrationReport(
        program_id=program_id,
        participants=len(active),
        mentors=roles["mentor"],
        mentees=roles["mentee"],
        both=roles["both"],
        withdrawn=sum(1 for p in participants if p.get("status") == "withdrawn"),
        mentor_capacity=sum(p.get("capacity", 0) for p in active),
        mentee_demand=roles["mentee"] + roles["both"],
        registrations_by_day=[DayCount(day=d, count=n) for d, n in sorted(days.items())],
        answers={q: dict(sorted(c.items())) for q, c in sorted(answers.items())},
    )


class ScoreBucket(BaseModel):
    """Pairs whose score falls in [low, high)."""

    low: float
    high: float
    pairs: int


class PairingReport(BaseModel):
    """Pairs, match rate, scores, the unmatched, re-matches and endings."""

    program_id: str
    pairs: int
    active_pairs: int
    rematches: int
    mentees: int
    mentees_matched: int
    match_rate: float
    average_score: float | None
    score_distribution: list[ScoreBucket]
    runs: int
    runs_approved: int
    unmatched_by_reason: dict[str, int] = Field(description="In the latest run's proposal.")
    ended_by_reason: dict[str, int]


def pairing(
    program_id: str,
    participants: Sequence[Doc],
    pairs: Sequence[Doc],
    runs: Sequence[Doc],
    *,
    peer: bool = False,
) -> PairingReport:
    """The pairing report; in a ``peer`` program both members of a pair count as matched."""
    created = [p for p in pairs if "score" in p]
    active = [p for p in created if not p.get("ended")]
    roles = Counter(p["role"] for p in _active(participants))
    mentees = roles["mentee"] + roles["both"]
    sides = ("mentor_key", "mentee_key") if peer else ("mentee_key",)
    matched = len({p[side] for p in active for side in sides})
    scores = [p["score"] for p in created]
    top = math.floor(max(scores)) + 1 if scores else 0
    buckets = Counter(math.floor(score) for score in scores)
    latest = max(
        (r for r in runs if r.get("proposed_at")), key=lambda r: r["proposed_at"], default=None
    )
    unmatched: Counter[str] = Counter()
    for reasons in (latest or {}).get("parts", {}).values():
        unmatched.update(reasons)
    return PairingReport(
        program_id=program_id,
        pairs=len(created),
        active_pairs=len(active),
        rematches=sum(1 for p in created if p.get("is_rematch")),
        mentees=mentees,
        mentees_matched=matched,
        match_rate=round(matched / mentees, 4) if mentees else 0.0,
        average_score=round(statistics.fmean(scores), 4) if scores else None,
        score_distribution=[ScoreBucket(low=i, high=i + 1, pairs=buckets[i]) for i in range(top)],
        runs=sum(1 for r in runs if r.get("proposed_at")),
        runs_approved=sum(1 for r in runs if r.get("approved")),
        unmatched_by_reason=dict(sorted(unmatched.items())),
        ended_by_reason=dict(
            sorted(Counter(p["end_reason"] for p in pairs if p.get("ended")).items())
        ),
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


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def sessions(program_id: str, sessions: Sequence[Doc], feedback: Sequence[Doc]) -> SessionsReport:
    """The sessions report."""
    statuses = Counter(s.get("status", "scheduled") for s in sessions)
    held = [s for s in sessions if s.get("status") == "held" and s.get("held_at")]
    weeks = Counter(_iso_week(s["held_at"]) for s in held)
    authors: dict[str, set[str]] = defaultdict(set)
    for item in feedback:
        authors[item["session_id"]].add(item["author_key"])
    held_ids = {s["_id"] for s in held}
    by_pair: dict[str, list[datetime]] = defaultdict(list)
    for session in held:
        by_pair[session["pair_id"]].append(session["held_at"])
    gaps = [
        statistics.fmean((b - a).total_seconds() / 86400 for a, b in itertools.pairwise(times))
        for times in (sorted(t) for t in by_pair.values())
        if len(times) > 1
    ]
    return SessionsReport(
        program_id=program_id,
        sessions=len(sessions),
        scheduled=statuses["scheduled"],
        held=statuses["held"],
        missed=statuses["missed"],
        cancelled=statuses["cancelled"],
        held_by_week=[WeekCount(week=w, held=n) for w, n in sorted(weeks.items())],
        funnel=Funnel(
            scheduled=len(sessions),
            held=statuses["held"],
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


def _survey_summary(responses: Sequence[Doc]) -> SurveySummary:
    if not responses:
        return SurveySummary(
            responses=0,
            nps=None,
            would_join_again_share=None,
            average_growth=None,
            average_relationship=None,
        )
    count = len(responses)
    promoters = sum(1 for r in responses if r["recommend"] >= PROMOTER)
    detractors = sum(1 for r in responses if r["recommend"] <= DETRACTOR)
    return SurveySummary(
        responses=count,
        nps=round(100 * (promoters - detractors) / count, 2),
        would_join_again_share=round(sum(1 for r in responses if r["join_again"]) / count, 4),
        average_growth=round(statistics.fmean(r["growth"] for r in responses), 4),
        average_relationship=round(statistics.fmean(r["relationship"] for r in responses), 4),
    )


def scores(
    program_id: str, feedback: Sequence[Doc], fits: Sequence[Doc], surveys: Sequence[Doc]
) -> ScoresReport:
    """The scores report."""
    rated = [f for f in feedback if "rating" in f]
    months: dict[str, list[int]] = defaultdict(list)
    for item in rated:
        months[item["first_submitted_at"].strftime("%Y-%m")].append(item["rating"])
    answered = [f for f in fits if "good_fit" in f]
    kinds: dict[str, list[Doc]] = defaultdict(list)
    for response in surveys:
        kinds[response["kind"]].append(response)
    return ScoresReport(
        program_id=program_id,
        ratings=len(rated),
        average_rating=round(statistics.fmean(f["rating"] for f in rated), 4) if rated else None,
        rating_distribution={
            str(n): sum(1 for f in rated if f["rating"] == n) for n in range(1, 6)
        },
        ratings_by_month=[
            MonthRating(month=m, ratings=len(v), average=round(statistics.fmean(v), 4))
            for m, v in sorted(months.items())
        ],
        fit_good=sum(1 for f in answered if f["good_fit"]),
        fit_not_good=sum(1 for f in answered if not f["good_fit"]),
        fit_concerns=dict(
            sorted(
                Counter(
                    f["concern"] for f in answered if not f["good_fit"] and f.get("concern")
                ).items()
            )
        ),
        surveys=_survey_summary([s for s in surveys if "recommend" in s]),
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


def skills(program_id: str, feedback: Sequence[Doc], goals: Sequence[Doc]) -> SkillsReport:
    """The skills and goals report."""
    topics = Counter(topic for f in feedback for topic in set(f.get("topics", [])))
    tracked = [g for g in goals if "progress" in g]
    by_topic: dict[str, list[Doc]] = defaultdict(list)
    for goal in tracked:
        by_topic[goal["topic"]].append(goal)
    done = sum(1 for g in tracked if g["completed"])
    return SkillsReport(
        program_id=program_id,
        topics=[
            TopicCount(topic=t, mentions=n)
            for t, n in sorted(topics.items(), key=lambda item: (-item[1], item[0]))
        ],
        goals=len(tracked),
        goals_completed=done,
        goal_completion_rate=round(done / len(tracked), 4) if tracked else None,
        goals_by_topic=[
            GoalTopic(topic=t, goals=len(v), completed=sum(1 for g in v if g["completed"]))
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

    mentor_participant_id: str | None = Field(description="None once the mentor is erased.")
    pairs: int
    capacity: int


class KeyResultStatus(BaseModel):
    """The program's key result against its trajectory."""

    metric: str
    target: float
    actual: float | None
    expected_by_now: float | None
    on_track: bool | None = Field(description="None when the metric cannot be measured here.")


class HealthReport(BaseModel):
    """What needs a program manager's attention."""

    program_id: str
    inactive_after_days: int
    inactive_pairs: list[InactivePair]
    low_ratings: list[LowRating]
    not_a_good_fit: list[PoorFit]
    mentors_over_capacity: list[OverCapacity]
    key_result: KeyResultStatus | None


def health(
    program: Doc | None,
    docs: Mapping[str, Sequence[Doc]],
    *,
    now: datetime,
    inactive_after_days: int,
) -> HealthReport:
    """The health flags; ``docs`` maps collection names to the program's documents."""
    program_id = program["_id"] if program else ""
    pairs = [p for p in docs["pairs"] if "score" in p]
    active = [p for p in pairs if not p.get("ended")]
    last_held = {
        pair_id: max(times) for pair_id, times in held_by_pair(pairs, docs["sessions"]).items()
    }
    inactive = []
    for pair in active:
        created: datetime = pair["created_at"]
        since = last_held.get(pair["_id"], created)
        days = (now - since).days
        if days >= inactive_after_days:
            inactive.append(InactivePair(pair_id=pair["_id"], days_without_session=days))
    capacity = {p["_id"]: p.get("capacity", 0) for p in docs["participants"]}
    mentor_ids = {p["_id"]: p.get("participant_id") for p in docs["participants"]}
    load = Counter(p["mentor_key"] for p in active)
    return HealthReport(
        program_id=program_id,
        inactive_after_days=inactive_after_days,
        inactive_pairs=sorted(inactive, key=lambda p: (-p.days_without_session, p.pair_id)),
        low_ratings=sorted(
            (
                LowRating(session_id=f["session_id"], pair_id=f["pair_id"], rating=f["rating"])
                for f in docs["feedback"]
                if f.get("rating", 5) <= LOW_RATING
            ),
            key=lambda r: (r.session_id, r.pair_id, r.rating),
        ),
        not_a_good_fit=sorted(
            (
                PoorFit(pair_id=f["pair_id"], concern=f.get("concern"))
                for f in docs["fits"]
                if f.get("good_fit") is False
            ),
            key=lambda f: (f.pair_id, f.concern or ""),
        ),
        mentors_over_capacity=[
            OverCapacity(mentor_participant_id=mentor_ids.get(key), pairs=n, capacity=capacity[key])
            for key, n in sorted(load.items())
            if key in capacity and n > capacity[key]
        ],
        key_result=_key_result(program, docs, now) if program and "metric" in program else None,
    )


def held_by_pair(pairs: Sequence[Doc], sessions: Sequence[Doc]) -> dict[str, list[datetime]]:
    """When each pair held its sessions.

    A group's sessions carry the group id as their ``pair_id``: each counts for every pair of
    the group that existed, and had not ended, when it was held.
    """
    members: dict[str, list[Doc]] = defaultdict(list)
    for pair in pairs:
        if "group_id" in pair:
            members[pair["group_id"]].append(pair)
    held: dict[str, list[datetime]] = defaultdict(list)
    for session in sessions:
        held_at = session.get("held_at")
        if session.get("status") != "held" or held_at is None:
            continue
        if session["pair_id"] not in members:
            held[session["pair_id"]].append(held_at)
            continue
        for pair in members[session["pair_id"]]:
            joined, ended = pair.get("created_at"), pair.get("ended_at")
            if (joined is None or joined <= held_at) and (ended is None or held_at <= ended):
                held[pair["_id"]].append(held_at)
    return held


def _key_result(program: Doc, docs: Mapping[str, Sequence[Doc]], now: datetime) -> KeyResultStatus:
    metric, target = program["metric"], float(program["target"])
    actual = _measure(metric, docs)
    starts, ends = date.fromisoformat(program["starts_on"]), date.fromisoformat(program["ends_on"])
    elapsed = min(1.0, max(0.0, (now.date() - starts).days / max(1, (ends - starts).days)))
    cumulative = metric in CUMULATIVE_METRICS or _MENTEES_WITH.match(metric) is not None
    expected = round(target * elapsed, 4) if cumulative else (target if elapsed > 0 else 0.0)
    on_track = None if actual is None else actual >= expected
    return KeyResultStatus(
        metric=metric, target=target, actual=actual, expected_by_now=expected, on_track=on_track
    )


def _sessions_per_pair(docs: Mapping[str, Sequence[Doc]]) -> float | None:
    pairs = [p for p in docs["pairs"] if "score" in p]
    held = held_by_pair(pairs, docs["sessions"])
    total = sum(len(held.get(pair["_id"], ())) for pair in pairs)
    return round(total / len(pairs), 4) if pairs else 0.0


def _mentees_with(sessions_needed: int, docs: Mapping[str, Sequence[Doc]]) -> float:
    pairs = [p for p in docs["pairs"] if "score" in p]
    held = held_by_pair(pairs, docs["sessions"])
    per_mentee: Counter[str] = Counter()
    for pair in pairs:
        per_mentee[pair["mentee_key"]] += len(held.get(pair["_id"], ()))
    if not per_mentee:
        return 0.0
    return round(sum(1 for n in per_mentee.values() if n >= sessions_needed) / len(per_mentee), 4)


_METRICS: dict[str, Callable[[Mapping[str, Sequence[Doc]]], float | None]] = {
    "sessions_held_per_pair": _sessions_per_pair,
    "sessions_per_pair": _sessions_per_pair,
    "match_rate": lambda d: (
        pairing(
            "", d["participants"], d["pairs"], d["runs"], peer=is_peer_program(d["programs"])
        ).match_rate
    ),
    "average_rating": lambda d: scores("", d["feedback"], [], []).average_rating,
    "goal_completion_rate": lambda d: skills("", [], d["goals"]).goal_completion_rate,
}


def is_peer_program(programs: Sequence[Doc]) -> bool:
    """Whether the program pairs peers (both members of a pair are matched participants)."""
    return any(program.get("format") == "peer" for program in programs)


def _measure(metric: str, docs: Mapping[str, Sequence[Doc]]) -> float | None:
    """The metric's current value, or None for a metric this service cannot measure."""
    wanted = _MENTEES_WITH.match(metric)
    if wanted:
        return _mentees_with(int(wanted.group(1)), docs)
    measure = _METRICS.get(metric)
    return measure(docs) if measure else None
