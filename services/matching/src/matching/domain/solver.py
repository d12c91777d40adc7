"""The matching integer program: modelled in PuLP, solved by HiGHS, proven by pricing.

Variables ``x[i, j]`` pair mentee ``i`` with mentor ``j``. The optimisation is
lexicographic: first the most pairs, then the best total score.

1. **Most pairs.** A maximum flow (source -> mentee -> mentor -> sink, department caps as
   extra nodes), proven by a minimum cut checked against every allowed pair.
2. **Best score.** An LP over a few candidate pairs per mentee and per mentor, with one
   row keeping that many pairs. Pruning keeps a certificate: every excluded pair is
   priced with the duals (``c - A^T y``); none improving means the restricted optimum is
   the optimum over all pairs, otherwise the improving pairs are added and the LP is
   re-solved warm (column generation). The constraint matrix is a network matrix plus
   the count row, so the LP optimum is integral: proven optimal, gap 0.

A minimum cross-department share, or a bound on how many existing pairs may change
(what-if), adds one coupling row ``sum(a * x) >= b`` that breaks the network structure.
It is priced into the objective with a Lagrange multiplier: for each multiplier the
problem is a network again (integral, warm re-solves), every multiplier bounds the
optimum from above, and every solution meeting the row is feasible; bisection on the
multiplier returns the best feasible matching and the gap to the best bound. Peer pairing
(a general graph, whose LP relaxation has half-integral vertices), two coupling rows at
once, and a row that cannot hold with the most pairs (so fewer pairs must do) are solved
as a MIP; the priced LP relaxation bounds the full problem, so the gap
reported there is honest but may exceed zero even when the matching is optimal.
"""

from __future__ import annotations

import array
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pulp
from numpy.typing import NDArray
from pulp.apis import HiGHS

from matching.domain.flow import max_pairs
from matching.domain.parallel import each_block
from mentorship_contracts.types import SolverStatus

INTEGRALITY_TOLERANCE = 1e-6
PRICING_TOLERANCE = 1e-6
FEASIBILITY_TOLERANCE = 1e-7
MAX_PRICING_ROUNDS = 100
COLUMNS_PER_ROW_PER_ROUND = 5
PRICING_BLOCK_CELLS = 1_000_000
CANDIDATE_BLOCK_CELLS = 1_000_000
MIP_RELATIVE_GAP = 1e-3
MULTIPLIER_STEPS = 24
TARGET_GAP = 1e-4

_GREATER_EQUAL = pulp._rustcore.Sense.GreaterEqual
_LESS_EQUAL = pulp._rustcore.Sense.LessEqual

Pair = tuple[int, int]
Vector = NDArray[np.float64]
Indices = NDArray[np.intp]
Coefficients = Callable[[Indices, Indices], Vector]


@dataclass(frozen=True, slots=True)
class Coupling:
    """One row ``sum(a[i, j] * x[i, j]) >= bound`` outside the network structure."""

    name: str
    coefficients: Coefficients
    """``a`` for index arrays that broadcast (pairs, or a block of rows by all columns)."""
    bound: float
    infeasible_message: str


@dataclass(frozen=True, slots=True)
class SideConstraints:
    """Everything besides the scores that shapes the integer program."""

    mentor_capacity: NDArray[np.int64]
    pinned: tuple[Pair, ...] = ()
    mentee_department: NDArray[np.int32] | None = None
    mentor_department: NDArray[np.int32] | None = None
    max_pairs_per_department: int | None = None
    min_cross_department_share: float | None = None
    existing: tuple[Pair, ...] = ()
    max_changes: int | None = None
    peer: bool = False
    """Scores are symmetric and rows and columns are the same people."""

    def couplings(self, shape: tuple[int, int]) -> list[Coupling]:
        """The rows that break the network structure."""
        rows: list[Coupling] = []
        if self.min_cross_department_share is not None:
            share = self.min_cross_department_share
            mentee, mentor = self.mentee_department, self.mentor_department
            assert mentee is not None
            assert mentor is not None

            def cross(i: Indices, j: Indices) -> Vector:
                left, right = mentee[i], mentor[j]
                crossing = (left != right) | (left < 0) | (right < 0)
                return np.where(crossing, 1.0 - share, -share)

            rows.append(
                Coupling(
                    "cross_department_share",
                    cross,
                    0.0,
                    "the minimum cross-department share cannot be met with the most pairs",
                )
            )
        if self.max_changes is not None and self.existing:
            columns = shape[1]
            keys = np.unique(np.array([i * columns + j for i, j in self.existing], dtype=np.int64))

            def kept(i: Indices, j: Indices) -> Vector:
                pair_keys = np.asarray(i, dtype=np.int64) * columns + np.asarray(j, dtype=np.int64)
                return np.isin(pair_keys, keys).astype(np.float64)

            rows.append(
                Coupling(
                    "changes",
                    kept,
                    float(len(self.existing) - self.max_changes),
                    "the existing pairs cannot be kept within the allowed number of changes",
                )
            )
        return rows


@dataclass(frozen=True, slots=True)
class SolveResult:
    """The chosen pairs and how good they are proven to be."""

    pairs: tuple[Pair, ...]
    status: SolverStatus
    score: float
    bound: float
    gap: float
    pair_bound: int
    """Most pairs any solution has (the maximum flow, or the MIP's LP bound)."""
    rounds: int
    columns: int
    mip: bool
    seconds: dict[str, float] = field(default_factory=dict)


class Infeasible(Exception):  # noqa: N818 - a state, not a failure of the code
    """The side constraints leave no feasible matching (e.g. pins breaking a cap)."""


class TimeLimitReached(Exception):  # noqa: N818 - a state, not a failure of the code
    """The time limit passed before any feasible matching was found."""


@dataclass(frozen=True, slots=True)
class _Columns:
    cost: Vector
    lower: Vector
    upper: Vector


@dataclass(frozen=True, slots=True)
class _RowMatrix:
    lower: Vector
    upper: Vector
    starts: NDArray[np.int32]
    indices: NDArray[np.int32]
    values: Vector


class ArrayHiGHS(HiGHS):
    """PuLP's HiGHS interface, loading a model it is handed as arrays.

    PuLP's own `buildSolverModel` walks the problem's variables, objective and constraint
    terms back out of the model in Python. The matching model is built from arrays in the
    first place (the PuLP problem from the same arrays), so they are handed to HiGHS
    directly, in one ``addCols`` and one ``addRows`` call. A test checks both paths load
    the same model.
    """

    def __init__(self, columns: _Columns, rows: _RowMatrix, **options: Any) -> None:
        super().__init__(**options)
        self._columns = columns
        self._rows = rows

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP's name
        """Load the arrays; they describe ``lp`` exactly."""
        highs = _highs_of(lp)
        columns, rows = self._columns, self._rows
        model = lp._model  # its counts: `numVariables()` would wrap every variable first
        if model.num_variables != len(columns.cost) or model.num_constraints != len(rows.lower):
            msg = "the arrays do not describe this problem"
            raise RuntimeError(msg)
        empty = np.zeros(0, dtype=np.int32)
        count = len(columns.cost)
        highs.addCols(
            count, columns.cost, columns.lower, columns.upper, 0, empty, empty, np.zeros(0)
        )
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        highs.addRows(
            len(rows.lower),
            rows.lower,
            rows.upper,
            len(rows.indices),
            rows.starts,
            rows.indices,
            rows.values,
        )


@dataclass
class _Rows:
    mentee: dict[int, int] = field(default_factory=dict)
    mentor: dict[int, int] = field(default_factory=dict)
    department: dict[int, int] = field(default_factory=dict)
    coupling: dict[str, int] = field(default_factory=dict)
    count: int | None = None


@dataclass
class _Multiplier:
    """The Lagrange multiplier of the coupling row priced into the objective."""

    coupling: Coupling | None = None
    value: float = 0.0

    def shift(self, i: Indices, j: Indices) -> Vector | float:
        if self.coupling is None or self.value == 0.0:
            return 0.0
        return self.value * self.coupling.coefficients(i, j)


class AssignmentProgram:
    """One matching problem, from candidate selection to a proven solution."""

    def __init__(
        self,
        scores: NDArray[np.float64],
        constraints: SideConstraints,
        *,
        candidates_per_mentee: int = 10,
        time_limit_s: float = 60.0,
    ) -> None:
        self._scores = scores
        self._constraints = constraints
        self._pricing = scores.copy()
        """The scores of allowed pairs not yet in the model; ``-inf`` elsewhere."""
        if constraints.peer:
            self._pricing[np.tril_indices(len(scores))] = -np.inf
        self._k_mentee = candidates_per_mentee
        self._time_limit_s = time_limit_s
        self._candidates: tuple[Indices, Indices] | None = None
        self._problem = pulp.LpProblem("matching", pulp.LpMaximize)
        self._variables: list[pulp._rustcore.Variable] = []
        self._ids = np.zeros(0, dtype=np.uint64)
        self._columns_i = np.zeros(0, dtype=np.intp)
        self._columns_j = np.zeros(0, dtype=np.intp)
        self._rows = _Rows()
        self._constraint_objects: list[pulp.LpConstraint] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []
        self._row_members: list[Indices] = []
        self._row_values: list[Vector] = []
        self._multiplier = _Multiplier()
        self._rounds = 0
        self._deadline = float("inf")
        self._unproven = False
        """An LP stopped before optimality (time limit, pricing rounds): its value is no bound."""

    @property
    def problem(self) -> pulp.LpProblem:
        """The PuLP model (for inspection; it describes the last solve exactly)."""
        return self._problem

    # ------------------------------------------------------------------ public

    def solve(self) -> SolveResult:
        """Solve to proven optimality (or the time limit) and return the pairs."""
        started = time.perf_counter()
        self._deadline = started + self._time_limit_s
        if not np.isfinite(self._pricing).any():
            return SolveResult((), SolverStatus.OPTIMAL, 0.0, 0.0, 0.0, 0, 0, 0, mip=False)
        couplings = self._constraints.couplings(self._scores.shape)
        if len(couplings) > 1 or self._constraints.peer:
            return self._solve_mip_path(started)
        coupling = couplings[0] if couplings else None
        try:
            return self._solve_network(started, coupling)
        except Infeasible:
            if coupling is None:
                raise
        # The row cannot hold with the most pairs the network allows: the most pairs that
        # do meet it need the integer program over both phases.
        fresh = AssignmentProgram(
            self._scores, self._constraints, candidates_per_mentee=self._k_mentee
        )
        fresh._deadline = self._deadline
        return fresh._solve_mip_path(started)

    def max_pairs(self) -> int:
        """Only the first phase: the most pairs any matching can have (proven)."""
        self._deadline = time.perf_counter() + self._time_limit_s
        if not np.isfinite(self._pricing).any():
            return 0
        if not self._constraints.peer and not self._constraints.couplings(self._scores.shape):
            return self._max_pairs_by_flow()[0]
        self._add_columns(*self._initial_candidates())
        self._build_rows(count=None, couplings=self._constraints.couplings(self._scores.shape))
        highs = self._first_lp(phase=1)
        self._optimise(highs, phase=1)
        return round(self._solve_mip(highs))

    # ------------------------------------------------------------------ network path

    def _solve_network(self, started: float, coupling: Coupling | None) -> SolveResult:
        seconds: dict[str, float] = {}
        pairs_needed, extra_i, extra_j = self._max_pairs_by_flow()
        seconds["pairs"] = time.perf_counter() - started
        built = time.perf_counter()
        mentees, mentors = self._initial_candidates()
        self._add_columns(np.concatenate([mentees, extra_i]), np.concatenate([mentors, extra_j]))
        self._build_rows(count=pairs_needed, couplings=[])
        seconds["build"] = time.perf_counter() - built
        solved = time.perf_counter()
        highs = self._first_lp(phase=2)
        bound = self._optimise(highs, phase=2)
        values = self._values(highs)
        if not _integral(values):  # pragma: no cover - network LPs have integral vertices
            self._solve_mip(highs)
            values = self._values(highs)
        chosen = np.nonzero(values > 0.5)[0]
        if coupling is not None:
            self._multiplier.coupling = coupling
            chosen, bound = self._lagrangian(highs, coupling, values, bound)
        seconds["score"] = time.perf_counter() - solved
        return self._result(chosen, bound, pairs_needed, seconds=seconds, started=started)

    def _lagrangian(
        self, highs: highspy.Highs, coupling: Coupling, values: Vector, bound: float | None
    ) -> tuple[Indices, float | None]:
        """The best solution meeting ``coupling`` that a multiplier finds, and the bound.

        The LP with the row added gives the best bound there is (the Lagrangian dual of
        an LP is its LP dual) and, as the row's dual, the best multiplier. Just above that
        multiplier the network optimum is the integral vertex of the optimal face that
        leans furthest into the row, so it meets the row; the search widens the step only
        when numerical ties hide it. Solutions are kept as chosen column indices: columns
        added by later pricing do not change what an earlier solution chose.
        """
        chosen = np.nonzero(values > 0.5)[0]
        if self._meets(coupling, chosen):  # the row holds at multiplier 0: optimal as it is
            return chosen, bound
        row = self._add_coupling_row(highs, coupling)
        bound = _tighter(bound, self._optimise(highs, phase=2))
        dual = float(highs.getSolution().row_dual[row])
        best_multiplier = max(0.0, -dual)  # a >= row of a maximisation has a dual <= 0
        highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
        self._row_lower[row] = -highspy.kHighsInf
        # Past this multiplier one more unit of the row outweighs any score there is.
        best_score = float(self._scores[np.isfinite(self._scores)].max())
        limit = (abs(best_score) + 1.0) * (len(self._scores) + 1)
        low = best_multiplier
        step = 1e-5 * max(1.0, best_multiplier)
        best: Indices | None = None
        while best is None:
            high = best_multiplier + step
            chosen, value = self._solve_at(highs, high)
            bound = _tighter(bound, value)
            if self._meets(coupling, chosen):
                best = chosen
            elif self._unproven:
                msg = f"no matching meeting the {coupling.name} row was found in time"
                raise TimeLimitReached(msg)
            elif high > limit:
                raise Infeasible(coupling.infeasible_message)
            else:
                low, step = high, step * 4
        for _ in range(MULTIPLIER_STEPS):
            if self._unproven or (bound is not None and self._gap(best, bound) <= TARGET_GAP):
                break
            middle = (low + high) / 2
            chosen, value = self._solve_at(highs, middle)
            bound = _tighter(bound, value)
            if self._meets(coupling, chosen):
                high = middle
                if self._score(chosen) > self._score(best):
                    best = chosen
            else:
                low = middle
        return best, bound

    def _add_coupling_row(self, highs: highspy.Highs, coupling: Coupling) -> int:
        """Add ``coupling`` as a row (to PuLP and HiGHS); its index."""
        columns = np.arange(len(self._ids), dtype=np.intp)
        coefficients = coupling.coefficients(self._columns_i, self._columns_j)
        row = self._add_row(f"coupling:{coupling.name}", 0, columns, coefficients, coupling.bound)
        self._rows.coupling[coupling.name] = row
        highs.addRow(
            coupling.bound,
            highspy.kHighsInf,
            len(columns),
            columns.astype(np.int32),
            coefficients.astype(np.float64),
        )
        return row

    def _solve_at(self, highs: highspy.Highs, multiplier: float) -> tuple[Indices, float | None]:
        """Solve with the coupling row priced at ``multiplier``: (chosen columns, bound)."""
        self._multiplier.value = multiplier
        costs = self._costs(phase=2)
        columns = np.arange(len(costs), dtype=np.int32)
        highs.changeColsCost(len(costs), columns, costs)
        self._set_objective(costs)
        value = self._optimise(highs, phase=2)
        assert self._multiplier.coupling is not None
        chosen = np.nonzero(self._values(highs) > 0.5)[0]
        if value is None:
            return chosen, None
        return chosen, value - multiplier * self._multiplier.coupling.bound

    def _meets(self, coupling: Coupling, chosen: Indices) -> bool:
        activity = coupling.coefficients(self._columns_i[chosen], self._columns_j[chosen]).sum()
        return bool(activity >= coupling.bound - FEASIBILITY_TOLERANCE)

    def _score(self, chosen: Indices) -> float:
        return float(self._scores[self._columns_i[chosen], self._columns_j[chosen]].sum())

    def _gap(self, chosen: Indices, bound: float) -> float:
        score = self._score(chosen)
        return max(0.0, bound - score) / max(abs(score), 1e-9)

    def _max_pairs_by_flow(self) -> tuple[int, Indices, Indices]:
        """The first phase of a bipartite problem; pins are forced first."""
        c = self._constraints
        allowed = np.isfinite(self._scores)
        capacity = c.mentor_capacity.astype(np.int64).copy()
        pinned_mentees = np.array([i for i, _ in c.pinned], dtype=np.intp)
        for _, j in c.pinned:
            capacity[j] -= 1
        if (capacity < 0).any() or len(set(pinned_mentees.tolist())) < len(pinned_mentees):
            msg = "the pins give a mentor more mentees than their capacity, or a mentee two mentors"
            raise Infeasible(msg)
        if len(pinned_mentees):
            allowed = allowed.copy()
            allowed[pinned_mentees] = False
        mentees, mentors = self._initial_candidates()
        keep = allowed[mentees, mentors]
        result = max_pairs(
            allowed,
            mentees[keep],
            mentors[keep],
            capacity,
            mentee_department=c.mentee_department,
            department_cap=c.max_pairs_per_department,
            pinned_per_department=_pinned_per_department(c),
        )
        self._rounds += result.rounds
        return result.pairs + len(c.pinned), result.added_mentees, result.added_mentors

    # ------------------------------------------------------------------ MIP path

    def _solve_mip_path(self, started: float) -> SolveResult:
        """Peer pairing or two coupling rows: LP then MIP for pairs, then for the score."""
        seconds: dict[str, float] = {}
        couplings = self._constraints.couplings(self._scores.shape)
        self._add_columns(*self._initial_candidates())
        self._build_rows(count=None, couplings=couplings)
        seconds["build"] = time.perf_counter() - started
        phase = time.perf_counter()
        highs = self._first_lp(phase=1)
        relaxed_pairs = self._optimise(highs, phase=1)
        pairs_needed = round(self._solve_mip(highs))
        pair_bound = pairs_needed if relaxed_pairs is None else round(relaxed_pairs)
        self._relax(highs)
        seconds["pairs"] = time.perf_counter() - phase
        phase = time.perf_counter()
        self._add_count_row(highs, pairs_needed)
        bound = self._optimise(highs, phase=2)
        self._solve_mip(highs)
        chosen = np.nonzero(self._values(highs) > 0.5)[0]
        seconds["score"] = time.perf_counter() - phase
        return self._result(chosen, bound, pair_bound, seconds=seconds, started=started, mip=True)

    def _solve_mip(self, highs: highspy.Highs) -> float:
        count = len(self._variables)
        for variable in self._variables:
            variable.set_category(pulp._rustcore.Category.Integer)
        highs.changeColsIntegrality(
            count, np.arange(count, dtype=np.int32), np.full(count, highspy.HighsVarType.kInteger)
        )
        highs.setOptionValue("mip_rel_gap", MIP_RELATIVE_GAP)
        highs.setOptionValue("presolve", "on")
        self._run(highs)
        return float(highs.getInfo().objective_function_value)

    def _relax(self, highs: highspy.Highs) -> None:
        count = len(self._variables)
        for variable in self._variables:
            variable.set_category(pulp._rustcore.Category.Continuous)
        highs.changeColsIntegrality(
            count,
            np.arange(count, dtype=np.int32),
            np.full(count, highspy.HighsVarType.kContinuous),
        )

    def _add_count_row(self, highs: highspy.Highs, pairs: int) -> None:
        """Keep at least ``pairs`` pairs and maximise the score (in PuLP and in HiGHS)."""
        columns = np.arange(len(self._ids), dtype=np.intp)
        self._rows.count = self._add_row("count", 0, columns, np.ones(len(columns)), float(pairs))
        highs.addRow(
            float(pairs),
            highspy.kHighsInf,
            len(columns),
            columns.astype(np.int32),
            np.ones(len(columns)),
        )
        costs = self._costs(phase=2)
        self._set_objective(costs)
        highs.changeColsCost(len(columns), columns.astype(np.int32), costs)

    # ------------------------------------------------------------------ result

    def _result(
        self,
        chosen: Indices,
        bound: float | None,
        pair_bound: int,
        *,
        seconds: dict[str, float],
        started: float,
        mip: bool = False,
    ) -> SolveResult:
        pairs = tuple(
            (int(i), int(j))
            for i, j in zip(self._columns_i[chosen], self._columns_j[chosen], strict=True)
        )
        score = self._score(chosen)
        bound = max(self._relaxed_bound() if bound is None else bound, score)
        gap = self._gap(chosen, bound) if pairs else 0.0
        gap = 0.0 if gap <= 1e-9 else gap
        seconds["total"] = time.perf_counter() - started
        optimal = gap == 0.0 and len(pairs) == pair_bound and not self._unproven
        return SolveResult(
            pairs=pairs,
            status=SolverStatus.OPTIMAL if optimal else SolverStatus.FEASIBLE,
            score=score,
            bound=bound,
            gap=gap,
            pair_bound=pair_bound,
            rounds=self._rounds,
            columns=len(self._variables),
            mip=mip,
            seconds=seconds,
        )

    def _relaxed_bound(self) -> float:
        """A bound that needs no LP, for runs stopped early.

        Every mentee (up to the seats there are) with their best partner. Peer pairs are
        worth the mean of two people's best, so half the best of twice as many people.
        """
        best = np.max(self._scores, axis=1)
        best = np.sort(np.maximum(best[np.isfinite(best)], 0.0))[::-1]
        if self._constraints.peer:
            return float(best[: 2 * (len(self._scores) // 2)].sum() / 2)
        seats = int(self._constraints.mentor_capacity.sum())
        return float(best[:seats].sum())

    # ------------------------------------------------------------------ columns

    def _initial_candidates(self) -> tuple[Indices, Indices]:
        """Each mentee's best few mentors, each mentor's best mentee, pins, existing pairs.

        Computed once, in row blocks that stay in cache (the matrix is read only once).
        """
        if self._candidates is not None:
            return self._candidates
        scores = self._scores  # -inf where not allowed
        rows, columns = scores.shape
        k = min(self._k_mentee, columns)
        block = max(1, CANDIDATE_BLOCK_CELLS // max(columns, 1))

        def select(start: int) -> tuple[Indices, Indices, Vector, Indices]:
            part = scores[start : start + block]
            top = np.argpartition(part, columns - k, axis=1)[:, columns - k :]
            local = part.argmax(axis=0)
            return (
                np.repeat(np.arange(start, start + len(part)), k),
                top.ravel(),
                part[local, np.arange(columns)],
                local + start,
            )

        selected = each_block(select, range(0, rows, block))
        best_value = np.stack([value for _, _, value, _ in selected])
        best_row = np.stack([row for _, _, _, row in selected])
        winner = best_value.argmax(axis=0)
        fixed = [*self._constraints.pinned, *self._constraints.existing]
        mentees = np.concatenate(
            [
                *(i for i, _, _, _ in selected),
                best_row[winner, np.arange(columns)],
                np.array([i for i, _ in fixed], dtype=np.intp),
            ]
        )
        mentors = np.concatenate(
            [
                *(j for _, j, _, _ in selected),
                np.arange(columns),
                np.array([j for _, j in fixed], dtype=np.intp),
            ]
        )
        keep = np.isfinite(scores[mentees, mentors])
        keep[len(keep) - len(fixed) :] = True
        if self._constraints.peer:
            mentees, mentors = np.minimum(mentees, mentors), np.maximum(mentees, mentors)
            keep &= mentees != mentors
        keys = np.unique(mentees[keep].astype(np.int64) * columns + mentors[keep])
        self._candidates = (keys // columns).astype(np.intp), (keys % columns).astype(np.intp)
        return self._candidates

    def _costs(self, *, phase: int) -> Vector:
        if phase == 1:
            return np.ones(len(self._ids))
        base = self._scores[self._columns_i, self._columns_j]
        return base + self._multiplier.shift(self._columns_i, self._columns_j)

    def _add_columns(self, mentees: Indices, mentors: Indices) -> None:
        """The initial columns, created in one batch (before any row exists)."""
        created = self._problem._model.add_variables_batch(
            [f"x_{i}_{j}" for i, j in zip(mentees.tolist(), mentors.tolist(), strict=True)],
            0.0,
            1.0,
            pulp._rustcore.Category.Continuous,
        )
        for k in self._pinned_columns(mentees, mentors):
            created[k].set_lb(1.0)
        self._register(mentees, mentors, created)

    def _pinned_columns(self, mentees: Indices, mentors: Indices) -> list[int]:
        pinned = set(self._constraints.pinned)
        return [
            k
            for k, pair in enumerate(zip(mentees.tolist(), mentors.tolist(), strict=True))
            if pair in pinned
        ]

    def _register(self, mentees: Indices, mentors: Indices, variables: list[Any]) -> None:
        self._variables += variables
        ids = np.fromiter((variable.id() for variable in variables), dtype=np.uint64)
        self._ids = np.concatenate([self._ids, ids])
        self._columns_i = np.concatenate([self._columns_i, mentees])
        self._columns_j = np.concatenate([self._columns_j, mentors])
        self._pricing[mentees, mentors] = -np.inf

    def _append_columns(
        self, highs: highspy.Highs, mentees: Indices, mentors: Indices, costs: Vector
    ) -> None:
        """Add priced columns to the PuLP model and, warm, to the HiGHS model."""
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        variables: list[Any] = []
        for i, j, cost in zip(mentees.tolist(), mentors.tolist(), costs.tolist(), strict=True):
            entries = self._column_entries(i, j)
            starts.append(len(indices))
            indices += [row for row, _ in entries]
            values += [value for _, value in entries]
            variable = self._problem.add_column(
                f"x_{i}_{j}",
                0,
                1,
                obj=cost,
                coefficients={self._constraint_objects[row]: value for row, value in entries},
            )
            variables.append(variable._var)
        self._register(mentees, mentors, variables)
        highs.addCols(
            len(variables),
            costs,
            np.zeros(len(variables)),
            np.ones(len(variables)),
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values, dtype=np.float64),
        )

    def _column_entries(self, i: int, j: int) -> list[tuple[int, float]]:
        c, rows = self._constraints, self._rows
        entries = [(rows.mentee[i], 1.0), ((rows.mentee if c.peer else rows.mentor)[j], 1.0)]
        if c.mentee_department is not None and rows.department:
            department = int(c.mentee_department[i])
            if department in rows.department:
                entries.append((rows.department[department], 1.0))
        for coupling in c.couplings(self._scores.shape):
            if coupling.name in rows.coupling:
                coefficient = coupling.coefficients(np.array([i]), np.array([j]))[0]
                entries.append((rows.coupling[coupling.name], float(coefficient)))
        if rows.count is not None:
            entries.append((rows.count, 1.0))
        return entries

    # ------------------------------------------------------------------ rows

    def _row_specs(
        self, couplings: list[Coupling]
    ) -> list[tuple[str, int, Indices, Vector, float]]:
        """(kind, key, member columns, coefficients, bound) of every row."""
        c = self._constraints
        mentees, mentors = self._columns_i, self._columns_j
        columns = np.arange(len(mentees), dtype=np.intp)
        specs: list[tuple[str, int, Indices, Vector, float]] = []
        people = np.concatenate([mentees, mentors]) if c.peer else mentees
        owners = np.concatenate([columns, columns]) if c.peer else columns
        specs += [
            ("mentee", key, members, np.ones(len(members)), 1.0)
            for key, members in _groups(people, owners)
        ]
        if not c.peer:
            specs += [
                ("mentor", key, members, np.ones(len(members)), float(c.mentor_capacity[key]))
                for key, members in _groups(mentors, columns)
            ]
        if c.max_pairs_per_department is not None and c.mentee_department is not None:
            departments = c.mentee_department[mentees]
            known = departments >= 0
            cap = float(c.max_pairs_per_department)
            specs += [
                ("department", key, members, np.ones(len(members)), cap)
                for key, members in _groups(departments[known], columns[known])
            ]
        for position, coupling in enumerate(couplings):
            coefficients = coupling.coefficients(mentees, mentors)
            specs.append(
                (f"coupling:{coupling.name}", position, columns, coefficients, coupling.bound)
            )
        return specs

    def _build_rows(self, *, count: int | None, couplings: list[Coupling]) -> None:
        """The objective (pairs, or scores once ``count`` pairs are required) and rows."""
        self._set_objective(self._costs(phase=1 if count is None else 2))
        specs = self._row_specs(couplings)
        if count is not None:
            columns = np.arange(len(self._ids), dtype=np.intp)
            specs.append(("count", 0, columns, np.ones(len(columns)), float(count)))
        for kind, key, members, coefficients, bound in specs:
            index = self._add_row(kind, key, members, coefficients, bound)
            if kind == "mentee":
                self._rows.mentee[key] = index
            elif kind == "mentor":
                self._rows.mentor[key] = index
            elif kind == "department":
                self._rows.department[key] = index
            elif kind == "count":
                self._rows.count = index
            else:
                self._rows.coupling[kind.removeprefix("coupling:")] = index

    def _set_objective(self, costs: Vector) -> None:
        objective = pulp.LpAffineExpression.empty()
        objective._expr.add_term_ids_coeffs(
            self._problem._model,
            array.array("Q", self._ids.tolist()),
            array.array("d", costs.tolist()),
        )
        self._problem.setObjective(objective)

    def _add_row(
        self, kind: str, key: int, members: Indices, coefficients: Vector, bound: float
    ) -> int:
        """One constraint, built on PuLP's expression core (its operators copy the row)."""
        lower = kind == "count" or kind.startswith("coupling:")
        expression = pulp._rustcore.AffineExpr()
        expression.add_term_ids_coeffs(
            self._problem._model,
            array.array("Q", self._ids[members].tolist()),
            array.array("d", coefficients.tolist()),
        )
        expression.set_constant(-bound)
        expression.set_sense(_GREATER_EQUAL if lower else _LESS_EQUAL)
        expression.set_name(f"{kind.replace(':', '_')}_{key}")
        self._row_lower.append(bound if lower else -highspy.kHighsInf)
        self._row_upper.append(highspy.kHighsInf if lower else bound)
        self._row_members.append(members)
        self._row_values.append(coefficients)
        index = len(self._constraint_objects)
        self._constraint_objects.append(
            pulp.LpConstraint(self._problem._model.add_constraint(expression))
        )
        return index

    # ------------------------------------------------------------------ solving

    def solver(self, *, phase: int) -> ArrayHiGHS:
        """The PuLP solver that loads this model from its arrays."""
        count = len(self._ids)
        lower = np.zeros(count)
        lower[self._pinned_columns(self._columns_i, self._columns_j)] = 1.0
        lengths = [len(members) for members in self._row_members]
        rows = _RowMatrix(
            lower=np.asarray(self._row_lower),
            upper=np.asarray(self._row_upper),
            starts=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32),
            indices=np.concatenate(self._row_members).astype(np.int32),
            values=np.concatenate(self._row_values).astype(np.float64),
        )
        columns = _Columns(cost=self._costs(phase=phase), lower=lower, upper=np.ones(count))
        return ArrayHiGHS(columns, rows, msg=False, mip=False, timeLimit=self._time_limit_s)

    def _first_lp(self, *, phase: int) -> highspy.Highs:
        solver = self.solver(phase=phase)
        solver.createAndConfigureSolver(self._problem)
        solver.buildSolverModel(self._problem)
        highs = _highs_of(self._problem)
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("presolve", "off")  # measured: a third faster on these LPs
        return highs

    def _run(self, highs: highspy.Highs) -> None:
        highs.setOptionValue("time_limit", max(self._deadline - time.perf_counter(), 1e-3))
        highs.run()
        highs.setOptionValue("presolve", "off")  # later runs start warm from this basis
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            msg = "the pins and side constraints admit no matching"
            raise Infeasible(msg)
        if status == highspy.HighsModelStatus.kTimeLimit:
            if (
                highs.getInfo().primal_solution_status
                != highspy.SolutionStatus.kSolutionStatusFeasible
            ):
                msg = (
                    f"no feasible matching was found within the time limit of "
                    f"{self._time_limit_s:g} s"
                )
                raise TimeLimitReached(msg)
            self._unproven = True
        elif status != highspy.HighsModelStatus.kOptimal:
            msg = f"HiGHS stopped with {highs.modelStatusToString(status)}"
            raise RuntimeError(msg)

    def _values(self, highs: highspy.Highs) -> Vector:
        return np.asarray(highs.getSolution().col_value, dtype=np.float64)

    def _optimise(self, highs: highspy.Highs, *, phase: int) -> float | None:
        """Solve the LP of ``phase`` over every allowed pair (pricing) and return its value.

        None when the LP stopped before it was proven optimal over every pair (time limit
        or pricing rounds): its solution stands, its value bounds nothing.
        """
        self._run(highs)
        for _ in range(MAX_PRICING_ROUNDS):
            if self._unproven:
                break
            self._rounds += 1
            mentees, mentors, costs = self._improving_columns(highs, phase)
            if len(mentees) == 0:
                break
            self._append_columns(highs, mentees, mentors, costs)
            self._run(highs)
        else:
            self._unproven = True  # columns may still improve it: no certificate
        if self._unproven:
            return None
        return float(highs.getInfo().objective_function_value)

    def _improving_columns(
        self, highs: highspy.Highs, phase: int
    ) -> tuple[Indices, Indices, Vector]:
        """Excluded pairs with a positive reduced cost (a few per mentee) and their costs."""
        duals = np.asarray(highs.getSolution().row_dual, dtype=np.float64)
        c, rows = self._constraints, self._rows
        n, m = self._scores.shape
        mentee_price = np.zeros(n)
        for key, row in rows.mentee.items():
            mentee_price[key] = duals[row]
        if rows.department and c.mentee_department is not None:
            for key, row in rows.department.items():
                mentee_price[c.mentee_department == key] += duals[row]
        if c.peer:
            mentor_price = mentee_price
        else:
            mentor_price = np.zeros(m)
            for key, row in rows.mentor.items():
                mentor_price[key] = duals[row]
        constant = duals[rows.count] if rows.count is not None else 0.0
        couplings = [
            (coupling, duals[rows.coupling[coupling.name]])
            for coupling in c.couplings(self._scores.shape)
            if coupling.name in rows.coupling
        ]
        block = max(1, PRICING_BLOCK_CELLS // max(m, 1))
        columns = np.arange(m)[None, :]

        def price(start: int) -> tuple[Indices, Indices] | None:
            stop = min(n, start + block)
            pricing = self._pricing[start:stop]
            mentees = np.arange(start, stop)[:, None]
            offset = mentee_price[start:stop, None] + constant
            if phase == 1:  # every pair is worth 1; -inf keeps marking the excluded ones
                reduced = np.where(np.isfinite(pricing), 1.0 - offset, -np.inf)
            else:
                reduced = pricing - offset
                reduced += self._multiplier.shift(mentees, columns)
            reduced -= mentor_price[None, :]
            for coupling, dual in couplings:
                reduced -= dual * coupling.coefficients(mentees, columns)
            improving = np.nonzero(reduced.max(axis=1) > PRICING_TOLERANCE)[0]
            if len(improving) == 0:
                return None
            k = min(COLUMNS_PER_ROW_PER_ROUND, m)
            best = np.argpartition(-reduced[improving], k - 1, axis=1)[:, :k]
            keep = (
                np.take_along_axis(reduced[improving], best, axis=1) > PRICING_TOLERANCE
            ).ravel()
            return (np.repeat(improving, k) + start)[keep], best.ravel()[keep]

        found = [item for item in each_block(price, range(0, n, block)) if item is not None]
        if not found:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty, np.zeros(0)
        mentees = np.concatenate([i for i, _ in found])
        mentors = np.concatenate([j for _, j in found])
        if phase == 1:
            return mentees, mentors, np.ones(len(mentees))
        costs = self._scores[mentees, mentors] + self._multiplier.shift(mentees, mentors)
        return mentees, mentors, np.asarray(costs, dtype=np.float64)


def _groups(keys: NDArray[np.integer], owners: Indices) -> list[tuple[int, Indices]]:
    """``owners`` grouped by ``keys`` (in key order)."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    boundaries = np.nonzero(np.diff(sorted_keys))[0] + 1
    starts = np.concatenate([[0], boundaries])
    stops = np.concatenate([boundaries, [len(order)]])
    return [
        (int(sorted_keys[start]), owners[order[start:stop]])
        for start, stop in zip(starts, stops, strict=True)
    ]


def _pinned_per_department(constraints: SideConstraints) -> dict[int, int]:
    departments = constraints.mentee_department
    if departments is None:
        return {}
    counts: dict[int, int] = {}
    for i, _ in constraints.pinned:
        counts[int(departments[i])] = counts.get(int(departments[i]), 0) + 1
    return counts


def _tighter(bound: float | None, candidate: float | None) -> float | None:
    """The smaller of two upper bounds, either of which may be unknown."""
    if bound is None or candidate is None:
        return candidate if bound is None else bound
    return min(bound, candidate)


def _highs_of(problem: pulp.LpProblem) -> highspy.Highs:
    """The HiGHS model PuLP's solver interface attached to ``problem``."""
    model = problem.solverModel
    if model is None:  # pragma: no cover - createAndConfigureSolver always sets it
        msg = "the problem has no HiGHS model yet"
        raise RuntimeError(msg)
    highs: highspy.Highs = model
    return highs


def _integral(values: Vector) -> bool:
    return bool(np.all(np.minimum(values, 1.0 - values) < INTEGRALITY_TOLERANCE))
