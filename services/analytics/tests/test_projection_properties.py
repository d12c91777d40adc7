"""Reports equal a straightforward recount of the distinct events, whatever the delivery.

Random histories are delivered in random order, in random batches, with random duplicates
(redeliveries); the read models and aggregates folded from them must give the same reports
as a recount written directly over the distinct events, and the very aggregates a rebuild
computes from the documents alone. Histories erase some people (at any time, even before
they registered): the recount leaves them out of every count of people.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.domain.documents import FOLDED_KEPT, ParticipantFact
from analytics.domain.facts import person_key, target_of
from analytics.domain.heads import Head
from analytics.domain.mentor_impact import MentorImpactReport
from analytics.domain.skills_growth import MIN_GROUP_SIZE
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionMissed,
    SessionRescheduled,
    SessionScheduled,
    SurveyResponseSubmitted,
)

from .histories import PROGRAM, history
from .memory import Store, batches, project

NOW = datetime(2027, 5, 1, tzinfo=UTC)


def all_reports(store: Store) -> dict[str, Any]:
    return store.reports(PROGRAM, now=NOW)


def _latest(envelopes: Sequence[Envelope[Any]]) -> Envelope[Any]:
    return max(envelopes, key=lambda e: (e.occurred_at, str(e.event_id)))


def _by_type(events: Sequence[Envelope[Any]]) -> dict[type, list[Envelope[Any]]]:
    of: dict[type, list[Envelope[Any]]] = defaultdict(list)
    for envelope in events:
        of[type(envelope.data)].append(envelope)
    return of


@dataclass(frozen=True)
class People:
    """Who is who at the end of a history."""

    erased: set[str]
    in_program: dict[str, ParticipantRegistered | ParticipantUpdated]
    """The latest state of everyone registered, not withdrawn and not erased."""

    @property
    def seekers(self) -> set[str]:
        return {p for p, state in self.in_program.items() if state.role.value != "mentor"}


def _people(of: dict[type, list[Envelope[Any]]]) -> tuple[People, int]:
    by_person: dict[str, list[Envelope[Any]]] = defaultdict(list)
    for kind in (ParticipantRegistered, ParticipantUpdated, ParticipantWithdrew):
        for envelope in of[kind]:
            by_person[envelope.data.participant_id].append(envelope)
    erased = {e.data.participant_id for e in of[ParticipantErased]}
    in_program, withdrawn = {}, 0
    for person, envelopes in by_person.items():
        if person in erased:
            continue
        if isinstance(_latest(envelopes).data, ParticipantWithdrew):
            withdrawn += 1
            continue
        states = [e for e in envelopes if not isinstance(e.data, ParticipantWithdrew)]
        in_program[person] = _latest(states).data
    return People(erased, in_program), withdrawn


def _recount_people(of: dict[type, list[Envelope[Any]]]) -> tuple[dict[str, Any], People]:
    people, withdrawn = _people(of)
    roles = Counter(state.role.value for state in people.in_program.values())
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    for state in people.in_program.values():
        for question, choices in state.choice_answers.items():
            answers[question].update(choices)
    days = Counter(
        e.data.registered_at.date()
        for e in of[ParticipantRegistered]
        if e.data.participant_id not in people.erased
    )
    return {
        "participants": len(people.in_program),
        "roles": (roles["mentor"], roles["mentee"], roles["both"]),
        "withdrawn": withdrawn,
        "capacity": sum(state.capacity for state in people.in_program.values()),
        "days": sorted(days.items()),
        "answers": {q: dict(c) for q, c in answers.items()},
    }, people


def _recount_pairing(of: dict[type, list[Envelope[Any]]], people: People) -> dict[str, Any]:
    pairs = {e.data.pair_id: e.data for e in of[PairCreated]}
    ends: dict[str, list[Envelope[Any]]] = defaultdict(list)
    for envelope in of[PairEnded]:
        ends[envelope.data.pair_id].append(envelope)
    live = [p for p in pairs.values() if p.pair_id not in ends]
    matched = people.seekers & {p.mentee_participant_id for p in live}
    runs: dict[str, dict[int, Counter[str]]] = defaultdict(dict)
    run_times: dict[str, datetime] = {}
    for envelope in of[MatchingRunProposed]:
        run_times.setdefault(envelope.data.run_id, envelope.data.proposed_at)
        reasons = Counter(
            u.reason.value for u in envelope.data.unmatched if u.participant_id not in people.erased
        )
        runs[envelope.data.run_id][envelope.data.part] = reasons
    unmatched: Counter[str] = Counter()
    if run_times:
        for reasons in runs[max(run_times, key=lambda run: run_times[run])].values():
            unmatched.update(reasons)
    load = Counter(p.mentor_participant_id for p in live)
    return {
        "pairs": len(pairs),
        "active_pairs": len(live),
        "rematches": sum(1 for p in pairs.values() if p.is_rematch),
        "mentees": len(people.seekers),
        "match_rate": round(len(matched) / len(people.seekers), 4) if people.seekers else 0.0,
        "ended": dict(Counter(_latest(e).data.reason.value for e in ends.values())),
        "unmatched": dict(unmatched),
        "runs": (len(runs), len({e.data.run_id for e in of[MatchingRunApproved]})),
        "score_buckets": Counter(math.floor(p.score) for p in pairs.values()),
        "over_capacity": sorted(
            (mentor, n, people.in_program[mentor].capacity)
            for mentor, n in load.items()
            if mentor in people.in_program and n > people.in_program[mentor].capacity
        ),
    }


def _final_feedback(of: dict[type, list[Envelope[Any]]]) -> dict[str, SessionFeedbackSubmitted]:
    feedback: dict[str, list[Envelope[Any]]] = defaultdict(list)
    for envelope in of[SessionFeedbackSubmitted]:
        feedback[envelope.data.feedback_id].append(envelope)
    return {
        fid: max(items, key=lambda e: (e.data.revision, e.occurred_at, str(e.event_id))).data
        for fid, items in feedback.items()
    }


def _recount_sessions(of: dict[type, list[Envelope[Any]]]) -> dict[str, Any]:
    outcome = {
        e.data.session_id: "scheduled" for e in of[SessionScheduled] + of[SessionRescheduled]
    }
    for envelope in of[SessionCancelled]:
        outcome[envelope.data.session_id] = "cancelled"
    for envelope in of[SessionMissed]:
        outcome[envelope.data.session_id] = "missed"
    held_at = {e.data.session_id: e.data.held_at for e in of[SessionCompleted]}
    outcome |= dict.fromkeys(held_at, "held")
    authors: dict[str, set[str]] = defaultdict(set)
    for item in _final_feedback(of).values():
        authors[item.session_id].add(item.participant_id)
    weeks = Counter(f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}" for t in held_at.values())
    return {
        "statuses": Counter(outcome.values()),
        "weeks": sorted(weeks.items()),
        "rated_by_both": sum(
            1 for s, who in authors.items() if outcome.get(s) == "held" and len(who) >= 2
        ),
    }


def _latest_of(of: dict[type, list[Envelope[Any]]], kind: type, key: Any) -> list[Any]:
    groups: dict[Any, list[Envelope[Any]]] = defaultdict(list)
    for envelope in of[kind]:
        groups[key(envelope.data)].append(envelope)
    return [_latest(items).data for items in groups.values()]


def _recount_scores(of: dict[type, list[Envelope[Any]]], people: People) -> dict[str, Any]:
    final = _final_feedback(of)
    ratings = [f.rating for f in final.values()]
    fits = _latest_of(of, PairingFitReported, lambda e: (e.pair_id, e.participant_id))
    surveys = _latest_of(of, SurveyResponseSubmitted, lambda e: e.response_id)
    goals = [
        goal
        for goal in _latest_of(of, GoalProgressUpdated, lambda e: e.goal_id)
        if goal.participant_id not in people.erased
    ]
    promoters = sum(1 for s in surveys if s.recommend_score >= 9)
    detractors = sum(1 for s in surveys if s.recommend_score <= 6)
    return {
        "ratings": (len(ratings), round(statistics.fmean(ratings), 4) if ratings else None),
        "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
        "fit": (sum(1 for f in fits if f.good_fit), sum(1 for f in fits if not f.good_fit)),
        "nps": round(100 * (promoters - detractors) / len(surveys), 2) if surveys else None,
        "goals": (len(goals), sum(1 for g in goals if g.completed)),
        "topics": dict(Counter(t for f in final.values() for t in set(f.topics))),
        "low_ratings": sorted((f.session_id, f.rating) for f in final.values() if f.rating <= 2),
    }


def _recount_mentors(of: dict[type, list[Envelope[Any]]], people: People) -> list[Any]:
    """Per listed mentor (registered, not erased, mentoring in their latest state; withdrawn
    too), most sessions first: (id, mentees, held, minutes, ratings, sum, raters, goals, done)."""
    latest_state = {
        person: _latest(envelopes).data
        for person, envelopes in _group(
            of[ParticipantRegistered] + of[ParticipantUpdated], lambda e: e.participant_id
        ).items()
    }
    registered = {e.data.participant_id for e in of[ParticipantRegistered]}
    held = {e.data.session_id: e.data.duration_minutes for e in of[SessionCompleted]}
    sessions_of = _group(of[SessionCompleted], lambda e: e.pair_id)
    feedback = [f for f in _final_feedback(of).values() if f.author_role.value == "mentee"]
    goals = [
        goal
        for goal in _latest_of(of, GoalProgressUpdated, lambda e: e.goal_id)
        if goal.participant_id not in people.erased
    ]
    pairs = [e.data for e in of[PairCreated]]
    rows = []
    for mentor, state in latest_state.items():
        if mentor in people.erased or mentor not in registered or state.role.value == "mentee":
            continue
        mine = [p for p in pairs if p.mentor_participant_id == mentor]
        sessions = {e.data.session_id for p in mine for e in sessions_of.get(p.pair_id, [])}
        ratings = [f for f in feedback if f.session_id in sessions]
        mentees = {p.mentee_participant_id for p in mine}
        owned = [g for g in goals if g.participant_id in mentees]
        rows.append(
            (
                mentor,
                len(mentees),
                len(sessions),
                sum(held[s] for s in sessions),
                len(ratings),
                sum(f.rating for f in ratings),
                len({f.participant_id for f in ratings}),
                len(owned),
                sum(1 for g in owned if g.completed),
            )
        )
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def _group(envelopes: list[Envelope[Any]], key: Any) -> dict[Any, list[Envelope[Any]]]:
    grouped: dict[Any, list[Envelope[Any]]] = defaultdict(list)
    for envelope in envelopes:
        grouped[key(envelope.data)].append(envelope)
    return grouped


def recount(events: Sequence[Envelope[Any]]) -> dict[str, Any]:
    """The reports' numbers, counted directly from the distinct events."""
    of = _by_type(events)
    counts, people = _recount_people(of)
    return (
        counts
        | _recount_pairing(of, people)
        | _recount_sessions(of)
        | _recount_scores(of, people)
        | {"mentors": _recount_mentors(of, people)}
    )


def check_mentors(report: MentorImpactReport, expected: list[Any]) -> None:
    """The mentor impact view against the recount; averages of under five raters hidden."""
    assert report.next_cursor is None
    assert len(report.mentors) == len(expected)
    for row, (mentor, mentees, held, minutes, ratings, total, raters, goals, done) in zip(
        report.mentors, expected, strict=True
    ):
        assert row.mentor_participant_id == mentor
        assert (row.mentees, row.sessions_held, row.hours) == (
            mentees,
            held,
            round(minutes / 60, 2),
        )
        assert (row.ratings, row.goals, row.goals_completed) == (ratings, goals, done)
        shown = raters >= MIN_GROUP_SIZE
        assert row.average_rating == (round(total / ratings, 2) if ratings and shown else None)
        assert row.average_rating_hidden == (bool(ratings) and not shown)


def check(got: dict[str, Any], expected: dict[str, Any]) -> None:
    registration, pairing = got["registration"], got["pairing"]
    sessions, scores_, skills = got["sessions"], got["scores"], got["skills"]
    assert registration.participants == expected["participants"]
    assert (registration.mentors, registration.mentees, registration.both) == expected["roles"]
    assert registration.withdrawn == expected["withdrawn"]
    assert registration.mentor_capacity == expected["capacity"]
    assert [(d.day, d.count) for d in registration.registrations_by_day] == expected["days"]
    assert registration.answers == expected["answers"]
    assert pairing.pairs == expected["pairs"]
    assert pairing.active_pairs == expected["active_pairs"]
    assert pairing.rematches == expected["rematches"]
    assert pairing.mentees == expected["mentees"] == registration.mentee_demand
    assert pairing.match_rate == expected["match_rate"]
    assert pairing.ended_by_reason == expected["ended"]
    assert pairing.unmatched_by_reason == expected["unmatched"]
    assert (pairing.runs, pairing.runs_approved) == expected["runs"]
    assert {int(b.low): b.pairs for b in pairing.score_distribution if b.pairs} == dict(
        expected["score_buckets"]
    )
    statuses = expected["statuses"]
    assert (sessions.scheduled, sessions.held, sessions.missed, sessions.cancelled) == (
        statuses["scheduled"],
        statuses["held"],
        statuses["missed"],
        statuses["cancelled"],
    )
    assert [(w.week, w.held) for w in sessions.held_by_week] == expected["weeks"]
    assert sessions.funnel.rated_by_both == expected["rated_by_both"]
    assert (scores_.ratings, scores_.average_rating) == expected["ratings"]
    assert scores_.rating_distribution == expected["distribution"]
    assert (scores_.fit_good, scores_.fit_not_good) == expected["fit"]
    assert scores_.surveys.nps == expected["nps"]
    assert (skills.goals, skills.goals_completed) == expected["goals"]
    assert {t.topic: t.mentions for t in skills.topics} == expected["topics"]
    check_mentors(got["mentors"], expected["mentors"])
    low = got["health"].low_ratings
    assert sorted((r.session_id, r.rating) for r in low) == expected["low_ratings"]
    over = got["health"].mentors_over_capacity
    assert (
        sorted((m.mentor_participant_id, m.pairs, m.capacity) for m in over)
        == (expected["over_capacity"])
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    shuffle=st.integers(min_value=0, max_value=2**32),
    duplicates=st.floats(min_value=0, max_value=0.5),
    batch_sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
)
def test_reports_equal_a_recount_of_the_distinct_events(
    seed: int, shuffle: int, duplicates: float, batch_sizes: list[int]
) -> None:
    events = history(seed).envelopes
    rng = random.Random(shuffle)
    deliveries = events + [e for e in events if rng.random() < duplicates]
    rng.shuffle(deliveries)
    store = project(deliveries, batch_sizes)
    got = all_reports(store)
    check(got, recount(events))
    # Any other delivery gives the very same documents and aggregates (and so reports), and
    # so does rebuilding the aggregates from the documents alone.
    in_order = project(events, [len(events)])
    assert store.settled() == in_order.settled()
    assert Store.rebuilt(store.documents.values()).settled() == store.settled()
    assert {k: v.model_dump() for k, v in got.items()} == {
        k: v.model_dump() for k, v in all_reports(in_order).items()
    }


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    shuffle=st.integers(min_value=0, max_value=2**32),
)
@settings(max_examples=40, deadline=None)
def test_erased_participants_leave_no_ids_but_their_counts(seed: int, shuffle: int) -> None:
    events = history(seed).envelopes
    erased = {e.data.participant_id for e in events if isinstance(e.data, ParticipantErased)}
    deliveries = list(events)
    random.Random(shuffle).shuffle(deliveries)
    store = project(deliveries, [7])
    for document in store.documents.values():
        text = repr(sorted(document.model_dump(by_alias=True).items()))
        for person in erased:
            assert f"'{person}'" not in text, document
    for entries in store.entries.values():
        for entry in entries.values():
            for person in erased:
                assert f"'{person}'" not in repr(entry.model_dump()), entry
    keys = {person_key(p) for p in erased}
    assert all(p.erased for p in store.of_kind(ParticipantFact) if p.id in keys)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    shuffle=st.integers(min_value=0, max_value=2**32),
    batch_sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
)
def test_an_event_delivered_again_is_known_as_applied_before(
    seed: int, shuffle: int, batch_sizes: list[int]
) -> None:
    """What lets the consumer count a re-published event as a duplicate without a marker.

    Every delivery of an event after its first is reported, and no first one, so long as its
    document remembers it (a document that got more events than it keeps may not).
    """
    events = history(seed).envelopes
    rng = random.Random(shuffle)
    deliveries = events + [e for e in events if rng.random() < 0.3]
    rng.shuffle(deliveries)
    per_target = Counter(target_of(e.data) for e in events)
    remembered = {str(e.event_id) for e in events if per_target[target_of(e.data)] <= FOLDED_KEPT}
    assert remembered, "the histories have documents of few events"
    seen: set[str] = set()
    expected: list[frozenset[str]] = []
    for batch in batches(deliveries, batch_sizes):
        again = set()
        for envelope in batch:
            event_id = str(envelope.event_id)
            if event_id in seen:
                again.add(event_id)
            seen.add(event_id)
        expected.append(frozenset(again))

    store = project(deliveries, batch_sizes)

    assert [ids & remembered for ids in store.applied_before] == [
        ids & remembered for ids in expected
    ]
    assert all(got <= want for got, want in zip(store.applied_before, expected, strict=True))
    assert store.settled() == project(events, [len(events)]).settled()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    shuffle=st.integers(min_value=0, max_value=2**32),
    duplicates=st.floats(min_value=0, max_value=0.5),
    batch_sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
    head_size=st.integers(min_value=1, max_value=4),
)
def test_heads_are_the_first_rows_of_their_lists_whatever_the_delivery(
    seed: int, shuffle: int, duplicates: float, batch_sizes: list[int], head_size: int
) -> None:
    """Heads small enough to fill up, so rows leave them and they are read anew too.

    Each stored head is the first rows of its whole list (the program's listed mentors, or
    set of entries), as a rebuild computes them; the first pages read from the heads are
    those read from the whole lists, and the ``listed`` counters count the whole sets.
    """
    events = history(seed).envelopes
    rng = random.Random(shuffle)
    deliveries = events + [e for e in events if rng.random() < duplicates]
    rng.shuffle(deliveries)
    store = project(deliveries, batch_sizes, head_size)
    for head in Head:
        assert store.heads.get((PROGRAM, head), []) == store.head_anew(PROGRAM, head), head
    rebuilt = Store.rebuilt(store.documents.values(), head_size)
    assert rebuilt.settled() == store.settled()
    assert store.settled() == project(events, [len(events)], head_size).settled()
    limit = head_size - 1
    if limit:
        assert store.first_mentors(PROGRAM) == store.mentors(PROGRAM, limit=limit)
    from_heads = store.health(PROGRAM, now=NOW, limit=head_size)
    store.head_size = 0  # the lists from the whole sets of entries
    from_sets = store.health(PROGRAM, now=NOW, limit=head_size)
    assert from_heads == from_sets
