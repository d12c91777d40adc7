"""Scores read block by block (`BlockScores`) against the dense matrix (`score_matrix`).

A run never holds every pair's score: the solver reads exact scores of the pairs it asks
for, the hard rules' blocks, and a float32 scan of every allowed block for candidate
selection, whose bounds prove that no pair left out improves the optimum. These tests
check each of those against the matrix, and the optimum against an independent solver.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.matching import MatchingRequest, PairKey, propose, setup_market
from matching.domain.scoring import BlockScores, score_matrix
from matching.domain.solver.candidates import initial_candidates
from matching.domain.solver.problem import SideConstraints
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.events.program import MatchingRules
from mentorship_contracts.types import ProgramFormat

from .programs import pools, program, rule_sets
from .reference import capacity_expanded_assignment

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIPARTITE = [ProgramFormat.ONE_ON_ONE, ProgramFormat.GROUP, ProgramFormat.REVERSE]


@st.composite
def requests(draw: st.DrawFn) -> MatchingRequest:
    """A bipartite program whose mentees may name mentors (required or not), with forbids."""
    pool: list[ParticipantRegistered] = draw(pools())
    rules: MatchingRules = draw(rule_sets())
    rules = rules.model_copy(update={"mentee_picks_required": draw(st.booleans())})
    ids = [p.participant_id for p in pool]
    picked = []
    for participant in pool:
        picks = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
        profile = participant.profile.model_copy(update={"preferred_mentors": tuple(picks)})
        picked.append(participant.model_copy(update={"profile": profile}))
    forbids = draw(
        st.lists(
            st.builds(PairKey, mentor=st.sampled_from(ids), mentee=st.sampled_from(ids)),
            max_size=4,
        )
    )
    return MatchingRequest(
        program(draw(st.sampled_from(BIPARTITE)), rules), picked, forbids=forbids
    )


@PROPERTIES
@given(request=requests())
def test_block_scores_are_the_matrix_bit_for_bit(request: MatchingRequest) -> None:
    setup = setup_market(request)
    matrix = score_matrix(setup.market, setup.preferences)
    blocks = BlockScores(setup.market, setup.preferences)
    n, m = matrix.shape
    assert blocks.shape == (n, m)
    np.testing.assert_array_equal(blocks.dense(), matrix)
    rows, columns = np.nonzero(np.ones((n, m), dtype=np.bool_))
    np.testing.assert_array_equal(blocks.pairs(rows, columns), matrix[rows, columns])
    flagged = np.arange(m) % 2 == 0
    total, marked = blocks.allowed_counts(np.arange(n, dtype=np.intp), flagged)
    allowed = np.isfinite(matrix)
    np.testing.assert_array_equal(total, allowed.sum(axis=1))
    np.testing.assert_array_equal(marked, (allowed & flagged[None, :]).sum(axis=1))
    np.testing.assert_array_equal(blocks.mentors_with_a_partner(), allowed.any(axis=0))


@PROPERTIES
@given(request=requests())
def test_the_scan_covers_every_allowed_pair_within_its_tolerance(
    request: MatchingRequest,
) -> None:
    setup = setup_market(request)
    matrix = score_matrix(setup.market, setup.preferences)
    blocks = BlockScores(setup.market, setup.preferences)
    structure = blocks.structure
    always = set(zip(*(a.tolist() for a in blocks.always), strict=True))
    seen = np.zeros(matrix.shape, dtype=np.bool_)
    for compute in blocks.scan():
        chunk = compute()
        assert not seen[np.ix_(chunk.mentees, chunk.mentors)].any()  # each pair once
        seen[np.ix_(chunk.mentees, chunk.mentors)] = True
        exact = matrix[np.ix_(chunk.mentees, chunk.mentors)]
        finite = np.isfinite(exact)
        for a, i in enumerate(chunk.mentees.tolist()):
            for b, j in enumerate(chunk.mentors.tolist()):
                if finite[a, b] and (i, j) not in always:
                    assert abs(float(chunk.values[a, b]) - exact[a, b]) <= blocks.tolerance
        groups = structure.mentor_group[chunk.mentors]
        assert (np.diff(groups) >= 0).all()
    for i, j in zip(*np.nonzero(np.isfinite(matrix)), strict=True):
        assert seen[i, j] or (int(i), int(j)) in always
    for i, j in zip(*np.nonzero(seen), strict=True):
        mentee_class = structure.mentee_class[i]
        assert mentee_class >= 0
        assert structure.allowed[mentee_class, structure.mentor_class[j]]


@PROPERTIES
@given(request=requests(), per_mentee=st.integers(1, 3))
def test_candidate_bounds_hold_for_every_pair_left_out(
    request: MatchingRequest, per_mentee: int
) -> None:
    setup = setup_market(request)
    matrix = score_matrix(setup.market, setup.preferences)
    blocks = BlockScores(setup.market, setup.preferences)
    candidates = initial_candidates(
        blocks, SideConstraints(mentor_capacity=setup.capacity), per_mentee
    )
    np.testing.assert_array_equal(candidates.scores, matrix[candidates.mentees, candidates.mentors])
    left_out = np.isfinite(matrix)
    left_out[candidates.mentees, candidates.mentors] = False
    groups = blocks.structure.mentor_group
    for i, j in zip(*np.nonzero(left_out), strict=True):
        assert matrix[i, j] <= candidates.bounds[i, groups[j]] + candidates.tolerance
    for i in range(matrix.shape[0]):
        assert matrix[i].max(initial=-np.inf) <= candidates.row_best[i]


@PROPERTIES
@given(request=requests())
def test_block_by_block_runs_reach_the_optimum_of_an_independent_solver(
    request: MatchingRequest,
) -> None:
    setup = setup_market(request)
    matrix = score_matrix(setup.market, setup.preferences)
    proposal = propose(request)
    if not len(matrix) or not matrix.shape[1]:
        assert not proposal.matches
        return
    optimum = capacity_expanded_assignment(matrix, setup.capacity.tolist())
    assert len(proposal.matches) == optimum.pairs
    assert abs(proposal.objective - optimum.score) <= 1e-6 * max(1.0, abs(optimum.score))


def test_a_program_larger_than_one_scan_chunk_keeps_its_optimum() -> None:
    """Many chunks and groups: the scan's pieces and the pricing bounds still add up."""
    from mentorship_contracts.events import ProgramCreated
    from mentorship_contracts.examples import example
    from mentorship_devstack.workloads import matching_pool

    request = MatchingRequest(example(ProgramCreated), list(matching_pool(400, seed=5)))
    setup = setup_market(request)
    matrix = score_matrix(setup.market, setup.preferences)
    optimum = capacity_expanded_assignment(matrix, setup.capacity.tolist())
    proposal = propose(replace(request))
    assert len(proposal.matches) == optimum.pairs
    assert abs(proposal.objective - optimum.score) <= 1e-6 * max(1.0, abs(optimum.score))
