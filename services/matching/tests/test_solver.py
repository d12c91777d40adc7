"""The integer program against exhaustive search and against assignment algorithms."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import highspy
import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from pulp.apis import HiGHS
from scipy.sparse import csc_array

from matching.domain.solver import (
    AssignmentProgram,
    Infeasible,
    SideConstraints,
    SolveResult,
    TimeLimitReached,
    column_generation,
)
from matching.domain.solver import network as network_path
from matching.domain.solver.assignment import Assignment, assign
from mentorship_contracts.types import SolverStatus

from .reference import (
    Optimum,
    Problem,
    brute_force,
    capacity_expanded_assignment,
    peer_brute_force,
)

SMALL = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-6

Scores = NDArray[np.float64]


@st.composite
def score_matrices(draw: st.DrawFn, *, max_mentees: int = 5, max_mentors: int = 3) -> Scores:
    """Scores in quarter points, about a third of the pairs disallowed."""
    mentees = draw(st.integers(1, max_mentees))
    mentors = draw(st.integers(1, max_mentors))
    cells = draw(
        st.lists(st.integers(-20, 40), min_size=mentees * mentors, max_size=mentees * mentors)
    )
    values = np.array(cells, dtype=np.float64).reshape(mentees, mentors)
    return np.where(values < 0, -np.inf, values / 4)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    scores = draw(score_matrices())
    _, mentors = scores.shape
    capacity = draw(st.lists(st.integers(1, 3), min_size=mentors, max_size=mentors))
    return Problem(scores=scores, capacity=capacity)


def departments(count: int) -> st.SearchStrategy[list[int]]:
    """Department codes; -1 is a participant without a department."""
    return st.lists(st.integers(-1, 2), min_size=count, max_size=count)


def constraints_of(problem: Problem) -> SideConstraints:
    return SideConstraints(
        mentor_capacity=np.array(problem.capacity, dtype=np.int64),
        pinned=tuple(problem.pinned),
        mentee_department=_codes(problem.mentee_department),
        mentor_department=_codes(problem.mentor_department),
        max_pairs_per_department=problem.department_cap,
        min_cross_department_share=problem.cross_share,
        existing=tuple(problem.existing),
        max_changes=problem.max_changes,
    )


def _codes(values: Sequence[int] | None) -> NDArray[np.int32] | None:
    return None if values is None else np.array(values, dtype=np.int32)


def solve(problem: Problem, **options: int) -> SolveResult:
    return AssignmentProgram(problem.scores, constraints_of(problem), **options).solve()


def assert_optimal(result: SolveResult, problem: Problem, optimum: Optimum | None) -> None:
    assert optimum is not None
    assert problem.feasible(result.pairs)
    assert len(result.pairs) == optimum.pairs
    assert result.score == pytest.approx(optimum.score, abs=TOLERANCE)
    assert result.status is SolverStatus.OPTIMAL
    assert result.gap == 0.0


def assert_sound(result: SolveResult, problem: Problem, optimum: Optimum | None) -> None:
    """Feasible, as many pairs as possible, and a bound that really bounds the optimum."""
    assert optimum is not None
    assert problem.feasible(result.pairs)
    assert len(result.pairs) == optimum.pairs
    assert result.score <= optimum.score + TOLERANCE
    assert result.bound >= optimum.score - TOLERANCE
    if result.status is SolverStatus.OPTIMAL:
        assert result.score == pytest.approx(optimum.score, abs=TOLERANCE)


# ---------------------------------------------------------------------- network path


@SMALL
@given(problems())
def test_plain_problem_reaches_the_exhaustive_optimum(problem: Problem) -> None:
    assert_optimal(solve(problem), problem, brute_force(problem))


@SMALL
@given(st.data())
def test_department_cap_reaches_the_exhaustive_optimum(data: st.DataObject) -> None:
    base = data.draw(problems())
    mentees, _ = base.scores.shape
    problem = Problem(
        scores=base.scores,
        capacity=base.capacity,
        mentee_department=data.draw(departments(mentees)),
        mentor_department=data.draw(departments(len(base.capacity))),
        department_cap=data.draw(st.integers(1, 3)),
    )
    assert_optimal(solve(problem), problem, brute_force(problem))


@SMALL
@given(st.data())
def test_pins_are_kept_and_the_rest_is_optimal(data: st.DataObject) -> None:
    base = data.draw(problems())
    allowed = [(int(i), int(j)) for i, j in np.argwhere(np.isfinite(base.scores))]
    pins = data.draw(st.lists(st.sampled_from(allowed), max_size=3, unique=True)) if allowed else []
    problem = Problem(scores=base.scores, capacity=base.capacity, pinned=pins)
    optimum = brute_force(problem)
    if optimum is None:  # two pins on one mentee, or more pins than a mentor's capacity
        with pytest.raises(Infeasible):
            solve(problem)
        return
    assert_optimal(solve(problem), problem, optimum)


def test_few_candidates_are_completed_by_pricing() -> None:
    """With one candidate per mentee the first model misses the optimum; pricing finds it."""
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 100, size=(60, 12)).astype(np.float64)
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(1, 6, size=12)
    result = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=capacity), candidates_per_mentee=1
    ).solve()
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    assert result.rounds > 2
    assert len(result.pairs) == reference.pairs
    assert result.score == pytest.approx(reference.score)
    assert result.status is SolverStatus.OPTIMAL


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    mentees=st.integers(20, 120),
    mentors_per_mentee=st.floats(0.1, 0.5),
    excluded=st.floats(0.0, 0.8),
)
def test_plain_problem_equals_assignment_on_capacity_expanded_matrix(
    seed: int, mentees: int, mentors_per_mentee: float, excluded: float
) -> None:
    rng = np.random.default_rng(seed)
    mentors = max(1, int(mentees * mentors_per_mentee))
    scores = rng.random((mentees, mentors)) * 10
    scores[rng.random(scores.shape) < excluded] = -np.inf
    capacity = rng.integers(1, 6, size=mentors)
    result = AssignmentProgram(scores, SideConstraints(mentor_capacity=capacity)).solve()
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    assert len(result.pairs) == reference.pairs
    assert result.score == pytest.approx(reference.score, rel=1e-9)
    assert result.status is SolverStatus.OPTIMAL
    assert result.gap == 0.0


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    mentees=st.integers(1, 60),
    mentors=st.integers(1, 20),
    excluded=st.floats(0.0, 0.9),
)
def test_assignment_duals_prove_the_optimum_exactly_where_one_side_fills(
    seed: int, mentees: int, mentors: int, excluded: float
) -> None:
    """Over every allowed pair, the assignment path either declines (the most pairs fill
    neither side) or returns the optimum with duals that price every pair at most 0 and
    whose objective equals the score (the certificate pricing relies on)."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((mentees, mentors)) * 10, 2)
    scores[rng.random(scores.shape) < excluded] = -np.inf
    capacity = rng.integers(0, 5, size=mentors)
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    rows, columns = np.nonzero(np.isfinite(scores))
    found = assign(
        rows,
        columns,
        scores[rows, columns],
        capacity=capacity.astype(np.int64),
        shape=scores.shape,
        pairs=reference.pairs,
    )
    fills_a_side = reference.pairs > 0 and reference.pairs == min(
        len(np.unique(rows)), int(capacity[np.unique(columns)].sum())
    )
    assert (found is not None) == fills_a_side
    if found is None:
        return
    _assert_proven(found, rows, columns, scores, capacity=capacity, reference=reference)
    # Warm: the result over some of the pairs first, then over all of them (appended).
    some = rng.random(len(rows)) < 0.7
    rows = np.concatenate([rows[some], rows[~some]])
    columns = np.concatenate([columns[some], columns[~some]])
    part = assign(
        rows[: some.sum()],
        columns[: some.sum()],
        scores[rows[: some.sum()], columns[: some.sum()]],
        capacity=capacity.astype(np.int64),
        shape=scores.shape,
        pairs=reference.pairs,
    )
    warm = assign(
        rows,
        columns,
        scores[rows, columns],
        capacity=capacity.astype(np.int64),
        shape=scores.shape,
        pairs=reference.pairs,
        previous=part,
    )
    assert warm is not None
    _assert_proven(warm, rows, columns, scores, capacity=capacity, reference=reference)


def _assert_proven(
    found: Assignment,
    rows: NDArray[np.intp],
    columns: NDArray[np.intp],
    scores: Scores,
    *,
    capacity: NDArray[np.int64],
    reference: Optimum,
) -> None:
    """A feasible matching of the most pairs, optimal, with duals that prove it."""
    assert len(found.chosen) == reference.pairs
    assert len(np.unique(rows[found.chosen])) == reference.pairs
    assert (np.bincount(columns[found.chosen], minlength=len(capacity)) <= capacity).all()
    score = float(scores[rows[found.chosen], columns[found.chosen]].sum())
    assert score == pytest.approx(reference.score, abs=TOLERANCE)
    assert found.bound == pytest.approx(score, abs=TOLERANCE)
    assert (found.mentor_price >= 0).all()
    reduced = scores - found.mentee_price[:, None] - found.mentor_price[None, :]
    assert reduced[np.isfinite(scores)].max() <= 1e-7


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), mentees=st.integers(20, 150))
def test_the_assignment_path_reaches_the_lp_paths_optimum(seed: int, mentees: int) -> None:
    """Same pairs count, same score, both proven, with pricing rounds on the way; the
    LP path is the one the solver takes when the assignment path declines."""
    rng = np.random.default_rng(seed)
    mentors = max(1, mentees // 4)
    scores = np.round(rng.random((mentees, mentors)) * 10, 3)
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(1, 6, size=mentors)
    constraints = SideConstraints(mentor_capacity=capacity)
    calls: list[Assignment | None] = []

    def counted(*args: object, **options: object) -> Assignment | None:
        found = assign(*args, **options)  # type: ignore[arg-type]
        calls.append(found)
        return found

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(network_path, "assign", counted)
        ours = AssignmentProgram(scores, constraints, candidates_per_mentee=1).solve()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(network_path, "assign", lambda *_, **__: None)
        lp = AssignmentProgram(scores, constraints, candidates_per_mentee=1).solve()
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    if reference.pairs == min(mentees, int(capacity.sum())):
        assert calls, "the most pairs fill a side: the assignment path applies"
        assert all(found is not None for found in calls)
    assert ours.status is lp.status is SolverStatus.OPTIMAL
    assert len(ours.pairs) == len(lp.pairs) == reference.pairs
    assert ours.score == pytest.approx(lp.score, abs=TOLERANCE)
    assert ours.score == pytest.approx(reference.score, abs=TOLERANCE)
    assert ours.bound == pytest.approx(ours.score, abs=TOLERANCE)


def test_a_model_solved_by_assignment_is_still_stated_in_pulp_and_loaded() -> None:
    """No LP was solved, yet `problem()` and `loaded()` give the model the LP path would
    have solved (count row included), and PuLP solving it finds the same optimum."""
    rng = np.random.default_rng(11)
    scores = rng.random((60, 12)) * 10
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(1, 4, size=12)
    program = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=capacity), candidates_per_mentee=2
    )
    result = program.solve()
    assert len(result.pairs) == int(capacity.sum()), "every seat is filled: assignment path"
    ours = program.loaded()
    assert isinstance(ours, highspy.HighsLp)
    problem = program.problem()
    assert any(
        name.startswith("count") for name in (row.name or "" for row in problem.constraints())
    )
    plain = HiGHS(msg=False)
    plain.createAndConfigureSolver(problem)
    plain.buildSolverModel(problem)
    theirs = _loaded(problem)
    for name in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(np.asarray(getattr(ours, name)), np.asarray(getattr(theirs, name)))
    assert np.array_equal(_dense(ours), _dense(theirs))
    problem.solve(HiGHS(msg=False))
    assert pulp.value(problem.objective) == pytest.approx(result.score, abs=TOLERANCE)


# ---------------------------------------------------------------------- coupling rows


@SMALL
@given(st.data())
def test_cross_department_share_is_met_and_bounded(data: st.DataObject) -> None:
    base = data.draw(problems())
    mentees, _ = base.scores.shape
    problem = Problem(
        scores=base.scores,
        capacity=base.capacity,
        mentee_department=data.draw(departments(mentees)),
        mentor_department=data.draw(departments(len(base.capacity))),
        cross_share=data.draw(st.sampled_from([0.25, 0.5, 0.75, 1.0])),
    )
    assert_sound(solve(problem), problem, brute_force(problem))


@SMALL
@given(st.data())
def test_what_if_changes_at_most_the_allowed_existing_pairs(data: st.DataObject) -> None:
    base = data.draw(problems())
    existing = _a_matching(base, data.draw(st.randoms(use_true_random=False)))
    problem = Problem(
        scores=base.scores,
        capacity=base.capacity,
        existing=existing,
        max_changes=data.draw(st.integers(0, len(existing))),
    )
    assert_sound(solve(problem), problem, brute_force(problem))


@SMALL
@given(st.data())
def test_two_coupling_rows_are_solved_as_an_integer_program(data: st.DataObject) -> None:
    base = data.draw(problems())
    mentees, _ = base.scores.shape
    problem = Problem(
        scores=base.scores,
        capacity=base.capacity,
        mentee_department=data.draw(departments(mentees)),
        mentor_department=data.draw(departments(len(base.capacity))),
        cross_share=0.5,
        existing=_a_matching(base, data.draw(st.randoms(use_true_random=False))),
        max_changes=1,
    )
    optimum = brute_force(problem)
    if optimum is None:  # keeping enough existing pairs breaks the share
        with pytest.raises(Infeasible):
            solve(problem)
        return
    assert_sound(solve(problem), problem, optimum)


def test_a_share_the_most_pairs_cannot_meet_is_met_with_fewer_pairs() -> None:
    """Two mentees of department 0; only one mentor outside it: half the pairs at most."""
    problem = Problem(
        scores=np.array([[5.0, 4.0], [5.0, 4.0]]),
        capacity=[2, 1],
        mentee_department=[0, 0],
        mentor_department=[0, 1],
        cross_share=1.0,
    )
    result = solve(problem)
    assert result.pairs in {((0, 1),), ((1, 1),)}
    assert_sound(result, problem, brute_force(problem))


def test_the_network_path_states_a_share_as_a_cap_on_within_department_pairs() -> None:
    """With the count of pairs fixed, ``share`` of them crossing is at most ``1 - share`` of
    them within a department: the row loaded into HiGHS has non-zeros (-1) only on
    within-department columns, not on every column, and the share still holds."""
    rng = np.random.default_rng(5)
    mentee_department = rng.integers(0, 4, size=40).astype(np.int32)
    mentor_department = rng.integers(0, 4, size=30).astype(np.int32)
    same = mentee_department[:, None] == mentor_department[None, :]
    scores = rng.random((40, 30)) * 5 + 5 * same  # the best pairs stay within a department
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    constraints = SideConstraints(
        mentor_capacity=rng.integers(1, 4, size=30),
        mentee_department=mentee_department,
        mentor_department=mentor_department,
        min_cross_department_share=0.8,
    )
    program = AssignmentProgram(scores, constraints)
    result = program.solve()
    assert not result.mip
    crossing = sum(1 for i, j in result.pairs if not same[i, j])
    assert crossing >= 0.8 * len(result.pairs) - TOLERANCE
    lp = program.loaded()
    assert isinstance(lp, highspy.HighsLp)
    matrix = _dense(lp)
    (row,) = np.nonzero((matrix < 0).any(axis=1))[0]  # the share; every other row is >= 0
    stated = program.problem()
    columns = [tuple(map(int, v.name.split("_")[1:])) for v in stated.variables()]
    within = np.array([bool(same[i, j]) for i, j in columns])
    assert within.any()
    assert not within.all()
    assert np.array_equal(matrix[row] != 0, within)
    assert np.all(matrix[row][within] == -1.0)


def _a_matching(problem: Problem, random: object) -> list[tuple[int, int]]:
    """Some feasible matching of ``problem`` to play the existing pairs."""
    import random as stdlib_random

    assert isinstance(random, stdlib_random.Random)
    load: Counter[int] = Counter()
    pairs = []
    for i in range(problem.scores.shape[0]):
        options = [
            j
            for j in range(problem.scores.shape[1])
            if np.isfinite(problem.scores[i, j]) and load[j] < problem.capacity[j]
        ]
        if options and random.random() < 0.7:
            j = random.choice(options)
            load[j] += 1
            pairs.append((i, j))
    return pairs


# ---------------------------------------------------------------------- peer


@st.composite
def peer_scores(draw: st.DrawFn) -> Scores:
    people = draw(st.integers(2, 7))
    scores = np.full((people, people), -np.inf)
    for i in range(people):
        for j in range(i + 1, people):
            value = draw(st.integers(-15, 40))
            if value >= 0:
                scores[i, j] = scores[j, i] = value / 4
    return scores


@SMALL
@given(peer_scores())
def test_peer_pairing_reaches_the_exhaustive_optimum(scores: Scores) -> None:
    people = len(scores)
    result = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=np.ones(people, dtype=np.int64), peer=True)
    ).solve()
    optimum = peer_brute_force(scores)
    everyone = [person for pair in result.pairs for person in pair]
    assert len(everyone) == len(set(everyone))
    assert all(i != j and np.isfinite(scores[i, j]) for i, j in result.pairs)
    assert len(result.pairs) == optimum.pairs
    assert result.score == pytest.approx(optimum.score, rel=1e-3, abs=TOLERANCE)
    assert result.bound >= optimum.score - TOLERANCE


# ---------------------------------------------------------------------- model loading


def test_array_loading_builds_the_model_pulp_would_build() -> None:
    """The solver's own loading hands HiGHS exactly what PuLP's interface would load
    from the model stated with PuLP's public API, priced columns and count row included."""
    rng = np.random.default_rng(3)
    scores = rng.random((40, 10)) * 10
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    constraints = SideConstraints(
        mentor_capacity=rng.integers(1, 4, size=10),
        mentee_department=rng.integers(0, 3, size=40).astype(np.int32),
        mentor_department=rng.integers(0, 3, size=10).astype(np.int32),
        max_pairs_per_department=8,
        pinned=((0, int(np.argmax(scores[0]))),),
    )
    program = AssignmentProgram(scores, constraints, candidates_per_mentee=2)
    result = program.solve()
    assert result.rounds > 0, "pricing added columns after loading"
    ours = program.loaded()
    assert isinstance(ours, highspy.HighsLp)
    problem = program.problem()
    plain = HiGHS(msg=False)
    plain.createAndConfigureSolver(problem)
    plain.buildSolverModel(problem)
    theirs = _loaded(problem)

    assert ours.sense_ == theirs.sense_ == highspy.ObjSense.kMaximize
    for name in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(np.asarray(getattr(ours, name)), np.asarray(getattr(theirs, name)))
    assert np.array_equal(_dense(ours), _dense(theirs))


def _loaded(problem: pulp.LpProblem) -> highspy.HighsLp:
    model = problem.solverModel
    assert model is not None
    loaded: highspy.HighsLp = model.getLp()
    return loaded


def _dense(lp: highspy.HighsLp) -> NDArray[np.float64]:
    matrix = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    values = np.asarray(matrix.value_)
    indices = np.asarray(matrix.index_)
    starts = np.asarray(matrix.start_)
    if matrix.format_ == highspy.MatrixFormat.kColwise:
        return csc_array((values, indices, starts), shape=shape).toarray()
    return csc_array((values, indices, starts), shape=shape[::-1]).toarray().T


# ---------------------------------------------------------------------- first phase


@SMALL
@given(st.data())
def test_max_pairs_counts_the_most_pairs_under_every_constraint(data: st.DataObject) -> None:
    base = data.draw(problems())
    mentees, _ = base.scores.shape
    problem = Problem(
        scores=base.scores,
        capacity=base.capacity,
        mentee_department=data.draw(departments(mentees)),
        mentor_department=data.draw(departments(len(base.capacity))),
        department_cap=data.draw(st.one_of(st.none(), st.integers(1, 3))),
        cross_share=data.draw(st.one_of(st.none(), st.sampled_from([0.5, 1.0]))),
    )
    optimum = brute_force(problem)
    assert optimum is not None
    assert AssignmentProgram(problem.scores, constraints_of(problem)).max_pairs() == optimum.pairs


def test_nothing_allowed_is_an_empty_optimal_matching() -> None:
    scores = np.full((3, 2), -np.inf)
    result = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=np.ones(2, np.int64))
    ).solve()
    assert result.pairs == ()
    assert result.status is SolverStatus.OPTIMAL
    assert math.isclose(result.score, 0.0)


@pytest.mark.parametrize("time_limit_s", [1e-4, 0.05, 0.3, 1.0])
def test_a_run_stopped_by_the_time_limit_says_so(time_limit_s: float) -> None:
    """Either no matching was found in time, or the one found is feasible and not called
    optimal unless its bound proves it.
    """
    rng = np.random.default_rng(1)
    scores = rng.random((1500, 400)) * 10
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    capacity = rng.integers(1, 6, size=400)
    program = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=capacity), time_limit_s=time_limit_s
    )
    try:
        result = program.solve()
    except TimeLimitReached:
        return
    problem = Problem(scores=scores, capacity=capacity.tolist())
    assert problem.feasible(result.pairs)
    assert result.bound >= result.score
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    if result.status is SolverStatus.OPTIMAL:
        assert result.score == pytest.approx(reference.score)
    else:
        assert result.bound >= reference.score - TOLERANCE


def test_a_run_without_a_pricing_certificate_is_not_called_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(column_generation, "MAX_PRICING_ROUNDS", 0)
    rng = np.random.default_rng(5)
    scores = rng.random((80, 20)) * 10
    capacity = rng.integers(1, 4, size=20)
    result = AssignmentProgram(
        scores, SideConstraints(mentor_capacity=capacity), candidates_per_mentee=1
    ).solve()
    reference = capacity_expanded_assignment(scores, capacity.tolist())
    assert result.status is SolverStatus.FEASIBLE
    assert result.bound >= reference.score
    assert result.gap > 0
