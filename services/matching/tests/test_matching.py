"""Matching runs on random programs: rules, capacities, explanations, reasons, options."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.compatibility import CRITERIA, PICK
from matching.domain.matching import (
    MENTEE_ROLES,
    MENTOR_ROLES,
    MatchingFailed,
    MatchingRequest,
    MatchingRequestError,
    PairKey,
    Proposal,
    propose,
)
from matching.domain.why_not import why_not
from mentorship_contracts.events import ParticipantRegistered, ProgramCreated
from mentorship_contracts.events.program import CriterionWeights, MatchingRules
from mentorship_contracts.types import (
    ParticipantRole,
    ProgramFormat,
    Seniority,
    SolverStatus,
    UnmatchedReason,
)

from .programs import MENTEE, MENTOR, broken_rule, person, pools, program, rule_sets
from .reference import capacity_expanded_assignment, peer_brute_force

PROPERTIES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIPARTITE = [
    ProgramFormat.ONE_ON_ONE,
    ProgramFormat.GROUP,
    ProgramFormat.REVERSE,
    ProgramFormat.FLASH,
]


def capacity_of(prog: ProgramCreated, participant: ParticipantRegistered) -> int:
    if prog.max_group_size is not None:
        return min(participant.capacity, prog.max_group_size)
    return participant.capacity


def check_proposal(
    prog: ProgramCreated,
    pool: Sequence[ParticipantRegistered],
    proposal: Proposal,
    *,
    existing: Sequence[PairKey] = (),
) -> None:
    """Everything any proposal must satisfy, checked participant by participant."""
    by_id = {p.participant_id: p for p in pool}
    peer = prog.format is ProgramFormat.PEER
    weights = prog.matching.weights.model_dump()
    for match in proposal.matches:
        mentee, mentor = by_id[match.mentee], by_id[match.mentor]
        assert mentee.role in MENTEE_ROLES
        assert mentor.role in MENTOR_ROLES
        assert broken_rule(prog, mentee, mentor) is None
        if peer:
            assert broken_rule(prog, mentor, mentee) is None
        assert sum(match.contributions.values()) == pytest.approx(match.score)
        for name, value in match.contributions.items():
            limit = prog.matching.rules.pick_bonus if name == PICK else weights[name]
            assert name in (*CRITERIA, PICK)
            assert -1e-9 <= value <= limit + 1e-9
    assert sum(m.score for m in proposal.matches) == pytest.approx(proposal.objective)
    mentees = [m.mentee for m in proposal.matches]
    if peer:
        everyone = mentees + [m.mentor for m in proposal.matches]
        assert len(everyone) == len(set(everyone))
    else:
        assert len(mentees) == len(set(mentees))
        assert not set(mentees) & {pair.mentee for pair in existing}
        load = Counter(m.mentor for m in proposal.matches) + Counter(p.mentor for p in existing)
        assert all(load[j] <= capacity_of(prog, by_id[j]) for j in load)
    unmatched = {(left.participant_id, left.role) for left in proposal.unmatched}
    mentors = {m.mentor for m in proposal.matches}
    assert not {(i, ParticipantRole.MENTEE) for i in mentees} & unmatched
    assert not {(j, ParticipantRole.MENTOR) for j in mentors} & unmatched
    for left in proposal.unmatched:
        assert left.detail
        if left.reason is UnmatchedReason.NO_COMPATIBLE_PARTNER and left.role in MENTEE_ROLES:
            assert all(
                broken_rule(prog, by_id[left.participant_id], other) is not None
                for other in pool
                if other.role in MENTOR_ROLES
            )


def most_pairs(prog: ProgramCreated, pool: Sequence[ParticipantRegistered]) -> int:
    """The most pairs the hard rules and capacities allow, computed independently."""
    if prog.format is ProgramFormat.PEER:
        people = [p for p in pool if p.role is ParticipantRole.BOTH]
        scores = np.array(
            [
                [
                    0.0
                    if i != j
                    and broken_rule(prog, a, b) is None
                    and broken_rule(prog, b, a) is None
                    else -np.inf
                    for j, b in enumerate(people)
                ]
                for i, a in enumerate(people)
            ]
        ).reshape(len(people), len(people))
        return peer_brute_force(scores).pairs
    mentees = [p for p in pool if p.role in MENTEE_ROLES]
    mentors = [p for p in pool if p.role in MENTOR_ROLES]
    if not mentees or not mentors:
        return 0
    scores = np.array(
        [[0.0 if broken_rule(prog, a, b) is None else -np.inf for b in mentors] for a in mentees]
    )
    return capacity_expanded_assignment(scores, [capacity_of(prog, b) for b in mentors]).pairs


def pairs_of(proposal: Proposal) -> list[PairKey]:
    return [PairKey(mentor=m.mentor, mentee=m.mentee) for m in proposal.matches]


def some_pairs_of(proposal: Proposal, data: st.DataObject) -> list[PairKey]:
    pairs = pairs_of(proposal)
    return data.draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []


# ---------------------------------------------------------------------- properties


@PROPERTIES
@given(pool=pools(), rules=rule_sets(), format_=st.sampled_from(BIPARTITE))
def test_every_proposal_keeps_the_rules_and_matches_the_most_mentees(
    pool: list[ParticipantRegistered], rules: MatchingRules, format_: ProgramFormat
) -> None:
    prog = program(format_, rules)
    proposal = propose(MatchingRequest(prog, pool))
    check_proposal(prog, pool, proposal)
    assert len(proposal.matches) == most_pairs(prog, pool)
    assert proposal.status is SolverStatus.OPTIMAL
    assert proposal.gap == 0.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools(max_size=8, peer=True), rules=rule_sets())
def test_peer_proposals_pair_people_among_themselves(
    pool: list[ParticipantRegistered], rules: MatchingRules
) -> None:
    prog = program(ProgramFormat.PEER, rules)
    proposal = propose(MatchingRequest(prog, pool))
    check_proposal(prog, pool, proposal)
    assert len(proposal.matches) == most_pairs(prog, pool)


@PROPERTIES
@given(pool=pools(), rules=rule_sets(), data=st.data())
def test_existing_pairs_keep_their_places(
    pool: list[ParticipantRegistered], rules: MatchingRules, data: st.DataObject
) -> None:
    prog = program(ProgramFormat.ONE_ON_ONE, rules)
    first = propose(MatchingRequest(prog, pool))
    existing = some_pairs_of(first, data)
    proposal = propose(MatchingRequest(prog, pool, existing_pairs=existing))
    check_proposal(prog, pool, proposal, existing=existing)
    assert len(proposal.matches) + len(existing) >= len(first.matches)


@PROPERTIES
@given(pool=pools(), rules=rule_sets(), data=st.data())
def test_what_if_changes_no_more_existing_pairs_than_allowed(
    pool: list[ParticipantRegistered], rules: MatchingRules, data: st.DataObject
) -> None:
    prog = program(ProgramFormat.ONE_ON_ONE, rules)
    reversed_pool = list(reversed(pool))  # a different, still valid, starting matching
    first = propose(MatchingRequest(prog, reversed_pool))
    existing = pairs_of(first)
    allowed = data.draw(st.integers(0, len(existing)))
    proposal = propose(MatchingRequest(prog, pool, existing_pairs=existing, max_changes=allowed))
    check_proposal(prog, pool, proposal)
    chosen = {PairKey(mentor=m.mentor, mentee=m.mentee) for m in proposal.matches}
    removed = [pair for pair in existing if pair not in chosen]
    assert sorted(removed, key=str) == sorted(proposal.removed, key=str)
    assert len(removed) <= allowed
    assert all(
        m.kept == (PairKey(mentor=m.mentor, mentee=m.mentee) in existing) for m in proposal.matches
    )


@PROPERTIES
@given(pool=pools(), rules=rule_sets())
def test_max_min_raises_the_worst_pair_without_losing_pairs(
    pool: list[ParticipantRegistered], rules: MatchingRules
) -> None:
    plain = propose(MatchingRequest(program(ProgramFormat.ONE_ON_ONE, rules), pool))
    fair_rules = rules.model_copy(update={"maximise_worst_pair": True})
    fair_program = program(ProgramFormat.ONE_ON_ONE, fair_rules)
    fair = propose(MatchingRequest(fair_program, pool))
    check_proposal(fair_program, pool, fair)
    assert len(fair.matches) == len(plain.matches)
    if plain.matches:
        worst = min(m.score for m in fair.matches)
        assert worst >= min(m.score for m in plain.matches) - 1e-9


@PROPERTIES
@given(pool=pools(), rules=rule_sets(), data=st.data())
def test_forbidden_pairs_are_never_proposed(
    pool: list[ParticipantRegistered], rules: MatchingRules, data: st.DataObject
) -> None:
    prog = program(ProgramFormat.ONE_ON_ONE, rules)
    forbids = some_pairs_of(propose(MatchingRequest(prog, pool)), data)
    proposal = propose(MatchingRequest(prog, pool, forbids=forbids))
    check_proposal(prog, pool, proposal)
    assert not set(pairs_of(proposal)) & set(forbids)


# ---------------------------------------------------------------------- examples


def test_the_explanation_names_each_criterion_with_its_weighted_value() -> None:
    prog = program(weights=CriterionWeights(skills=3, goals=2, interests=1))
    pool = [
        person(
            "e", MENTEE, skills_wanted=("python", "hiring", "finance"), interests=("chess", "go")
        ),
        person("m", MENTOR, capacity=1, skills_offered=("python", "hiring"), interests=("go",)),
    ]
    (match,) = propose(MatchingRequest(prog, pool)).matches
    assert match.contributions["skills"] == pytest.approx(3 * 2 / 3)
    assert match.contributions["interests"] == pytest.approx(1 / 2)
    assert match.contributions["goals"] == 0
    assert match.contributions["location"] == 1  # both in Berlin
    assert match.contributions["time_zone"] == 1
    assert match.score == pytest.approx(sum(match.contributions.values()))


def test_unmatched_people_carry_the_reason() -> None:
    prog = program()
    pool = [
        person("m", MENTOR, capacity=1, skills_offered=("python",)),
        person("best", MENTEE, skills_wanted=("python",)),
        person("second", MENTEE),
        person("tokyo", MENTEE, time_zone="Asia/Tokyo", locations=("tokyo",), remote_ok=False),
        person("boss-report", MENTEE, reporting_line=("person-lonely",)),
        person("lonely", MENTOR, capacity=1, languages=("fr",)),
    ]
    proposal = propose(MatchingRequest(prog, pool))
    assert [(m.mentor, m.mentee) for m in proposal.matches] == [("m", "best")]
    reasons = {p.participant_id: p for p in proposal.unmatched}
    assert reasons["second"].reason is UnmatchedReason.CAPACITY_EXHAUSTED
    assert reasons["tokyo"].reason is UnmatchedReason.NO_COMPATIBLE_PARTNER
    assert "time zones too far apart" in reasons["tokyo"].detail
    assert reasons["boss-report"].reason is UnmatchedReason.CAPACITY_EXHAUSTED
    assert reasons["lonely"].reason is UnmatchedReason.NO_COMPATIBLE_PARTNER


def test_a_pin_is_honoured_even_against_a_better_fit() -> None:
    prog = program()
    pool = [
        person("m", MENTOR, capacity=1, skills_offered=("python",)),
        person("best", MENTEE, skills_wanted=("python",)),
        person("pinned", MENTEE),
    ]
    proposal = propose(MatchingRequest(prog, pool, pins=[PairKey(mentor="m", mentee="pinned")]))
    (match,) = proposal.matches
    assert (match.mentee, match.pinned) == ("pinned", True)


def test_a_pin_that_breaks_a_hard_rule_is_refused_with_the_rule() -> None:
    pool = [person("m", MENTOR, capacity=1), person("e", MENTEE, languages=("fr",))]
    with pytest.raises(MatchingRequestError, match="no shared language"):
        propose(MatchingRequest(program(), pool, pins=[PairKey(mentor="m", mentee="e")]))


def test_mentees_who_must_get_a_pick_get_one_or_are_told_why() -> None:
    rules = MatchingRules(mentee_picks_required=True, pick_bonus=2.0)
    pool = [
        person("m1", MENTOR, capacity=1),
        person("m2", MENTOR, capacity=1),
        person("a", MENTEE, preferred_mentors=("m2",)),
        person("b", MENTEE, preferred_mentors=("m2",)),
    ]
    proposal = propose(MatchingRequest(program(rules=rules), pool))
    (match,) = proposal.matches
    assert match.mentor == "m2"
    assert match.pick_rank == 1
    assert match.contributions[PICK] == pytest.approx(2.0)
    loser = "b" if match.mentee == "a" else "a"
    (reason,) = [p for p in proposal.unmatched if p.participant_id == loser]
    assert reason.reason is UnmatchedReason.CAPACITY_EXHAUSTED


def test_a_group_mentor_takes_no_more_than_the_group_size() -> None:
    prog = program(ProgramFormat.GROUP)  # groups of at most two
    pool = [person("m", MENTOR, capacity=5), *(person(f"e{k}", MENTEE) for k in range(4))]
    proposal = propose(MatchingRequest(prog, pool))
    assert len(proposal.matches) == 2


def test_reverse_mentoring_pairs_the_junior_as_mentor() -> None:
    prog = program(ProgramFormat.REVERSE)
    pool = [
        person("junior", MENTOR, capacity=1, seniority=Seniority.ASSOCIATE),
        person("exec", MENTEE, seniority=Seniority.EXECUTIVE),
        person("peer", MENTEE, seniority=Seniority.ASSOCIATE),
    ]
    (match,) = propose(MatchingRequest(prog, pool)).matches
    assert (match.mentor, match.mentee) == ("junior", "exec")


def test_the_cross_department_share_is_met() -> None:
    rules = MatchingRules(min_cross_department_share=0.5)
    pool = [
        person("m1", MENTOR, capacity=2, department="sales", skills_offered=("python",)),
        person("m2", MENTOR, capacity=2, department="product"),
        *(person(f"e{k}", MENTEE, department="sales", skills_wanted=("python",)) for k in range(4)),
    ]
    proposal = propose(MatchingRequest(program(rules=rules), pool))
    assert len(proposal.matches) == 4
    assert sum(m.mentor == "m2" for m in proposal.matches) >= 2


# ---------------------------------------------------------------------- why not


def test_why_not_names_the_broken_rule() -> None:
    pool = [person("m", MENTOR, capacity=1), person("e", MENTEE, languages=("fr",))]
    answer = why_not(MatchingRequest(program(), pool), "e", "m")
    assert not answer.can_be_paired
    assert answer.reasons == ("hard rule: no shared language",)
    assert "no shared language" in answer.summary


def test_why_not_prices_a_pair_the_run_passed_over() -> None:
    pool = [
        person("m", MENTOR, capacity=1, skills_offered=("python",)),
        person("best", MENTEE, skills_wanted=("python",)),
        person("other", MENTEE),
    ]
    request = MatchingRequest(program(), pool)
    answer = why_not(request, "other", "m")
    assert answer.can_be_paired
    assert not answer.paired
    assert answer.objective is not None
    assert answer.objective_with_pair is not None
    assert answer.score is not None
    assert answer.objective - answer.objective_with_pair == pytest.approx(3.0)  # the skill
    assert "lower the program's total score by 3.000" in answer.summary
    assert why_not(request, "best", "m").paired


def test_why_not_reports_exclusions_and_absence() -> None:
    pool = [person("m", MENTOR, capacity=1), person("e", MENTEE)]
    forbidden = MatchingRequest(program(), pool, forbids=[PairKey(mentor="m", mentee="e")])
    assert why_not(forbidden, "e", "m").reasons == ("an admin forbade this pair",)
    (reason,) = why_not(MatchingRequest(program(), pool), "e", "nobody").reasons
    assert "mentor nobody is not available" in reason


def test_why_not_drops_the_pins_that_are_no_longer_possible() -> None:
    pool = [
        person("m", MENTOR, capacity=2, skills_offered=("python",)),
        person("full", MENTOR, capacity=1),
        person("pinned", MENTEE),
        person("best", MENTEE, skills_wanted=("python",)),
        person("other", MENTEE),
        person("paired", MENTEE),
    ]
    pins = [
        PairKey(mentor="m", mentee="pinned"),  # the run was approved: they are a pair now
        PairKey(mentor="m", mentee="withdrawn"),
        PairKey(mentor="full", mentee="other"),  # the mentor has no room left
    ]
    existing = [PairKey(mentor="m", mentee="pinned"), PairKey(mentor="full", mentee="paired")]
    request = MatchingRequest(program(), pool, existing_pairs=existing, pins=pins)
    answer = why_not(request, "other", "m")
    assert answer.can_be_paired
    assert answer.objective is not None
    assert answer.objective_with_pair is not None
    assert answer.objective - answer.objective_with_pair == pytest.approx(3.0)  # the skill


def test_why_not_cannot_answer_for_a_run_that_cannot_be_solved() -> None:
    pool = [person("m", MENTOR, capacity=1), person("a", MENTEE), person("b", MENTEE)]
    pins = [PairKey(mentor="m", mentee="a"), PairKey(mentor="m", mentee="b")]
    with pytest.raises(MatchingFailed):
        why_not(MatchingRequest(program(), pool, pins=pins), "a", "m")
