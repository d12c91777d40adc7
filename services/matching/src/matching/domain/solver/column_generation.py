"""The LP/column-generation core: the restricted master problem and its pricing.

The model holds a column ``x[i, j]`` per candidate pair and these rows: each mentee at
most once (in a peer program, each person at most once on either side), each mentor at
most their capacity, each department at most its cap, the coupling rows the caller adds,
and, in the second phase, "at least the most pairs". Its columns are a few of all the
allowed pairs; pricing (``c - A^T y`` with the LP's duals, over every allowed pair not
in the model) either proves that no left-out pair could improve the optimum, or adds
those that could, and the LP is re-solved warm.

The model is kept as arrays (columns, and rows as member lists) from which HiGHS is
loaded once (`highs.HighsModel`) and PuLP's statement is built on demand (`pulp_model`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.domain.parallel import each_block
from matching.domain.solver.candidates import initial_candidates
from matching.domain.solver.highs import INFINITY, HighsModel
from matching.domain.solver.problem import (
    Coupling,
    Indices,
    SideConstraints,
    SolveResult,
    Vector,
)
from mentorship_contracts.types import SolverStatus

INTEGRALITY_TOLERANCE = 1e-6
PRICING_TOLERANCE = 1e-6
FEASIBILITY_TOLERANCE = 1e-7
MAX_PRICING_ROUNDS = 100
COLUMNS_PER_ROW_PER_ROUND = 5
PRICING_BLOCK_CELLS = 1_000_000

PAIRS, SCORE = 1, 2
"""The two phases: most pairs (every pair worth 1), then best score."""


@dataclass
class RowIndex:
    """Which model row holds each constraint."""

    mentee: dict[int, int] = field(default_factory=dict)
    mentor: dict[int, int] = field(default_factory=dict)
    department: dict[int, int] = field(default_factory=dict)
    coupling: dict[str, int] = field(default_factory=dict)
    count: int | None = None


@dataclass
class Rows:
    """Every row as bounds and member columns with coefficients, in model order.

    A row's members are those at its creation; columns added later by pricing keep their
    entries in ``appended`` (copying whole rows once per added column would cost more
    than the LP).
    """

    names: list[str] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    members: list[Indices] = field(default_factory=list)
    values: list[Vector] = field(default_factory=list)
    appended: list[tuple[Indices, Indices, Vector]] = field(default_factory=list)
    """(column, row, value) entries of the columns pricing added after the rows were built."""

    def entries(self, row: int) -> tuple[Indices, Vector]:
        """Every (column, coefficient) of ``row``, including the appended columns'."""
        members, values = [self.members[row]], [self.values[row]]
        for columns, rows, coefficients in self.appended:
            mine = rows == row
            members.append(columns[mine])
            values.append(coefficients[mine])
        return np.concatenate(members), np.concatenate(values)


@dataclass
class Multiplier:
    """The Lagrange multiplier of the coupling row priced into the objective."""

    coupling: Coupling | None = None
    value: float = 0.0

    def shift(self, i: Indices, j: Indices) -> Vector | float:
        """What the priced row adds to the cost of pairs ``(i, j)``."""
        if self.coupling is None or self.value == 0.0:
            return 0.0
        return self.value * self.coupling.coefficients(i, j)


class RestrictedMaster:
    """The matching LP over candidate pairs, solved to a pricing certificate."""

    def __init__(
        self,
        scores: NDArray[np.float64],
        constraints: SideConstraints,
        *,
        candidates_per_mentee: int,
        time_limit_s: float,
        deadline: float,
    ) -> None:
        self.scores = scores
        self.constraints = constraints
        self.candidates_per_mentee = candidates_per_mentee
        self.time_limit_s = time_limit_s
        self.deadline = deadline
        self.pricing = scores.copy()
        """The scores of allowed pairs not yet in the model; ``-inf`` elsewhere."""
        if constraints.peer:
            self.pricing[np.tril_indices(len(scores))] = -np.inf
        self.columns_i = np.zeros(0, dtype=np.intp)
        self.columns_j = np.zeros(0, dtype=np.intp)
        self.costs = np.zeros(0)
        """The objective as last given to HiGHS."""
        self.integer = False
        self.rows = Rows()
        self.index = RowIndex()
        self.multiplier = Multiplier()
        self.rounds = 0
        self.unproven = False
        """An LP stopped before optimality (time limit, pricing rounds): its value is no bound."""
        self.highs: HighsModel | None = None
        self._candidates: tuple[Indices, Indices] | None = None

    # ------------------------------------------------------------------ columns

    def candidates(self) -> tuple[Indices, Indices]:
        """The starting pairs (computed once)."""
        if self._candidates is None:
            self._candidates = initial_candidates(
                self.scores, self.constraints, self.candidates_per_mentee
            )
        return self._candidates

    def add_columns(self, mentees: Indices, mentors: Indices) -> None:
        """The initial columns, before any row exists."""
        self._register(mentees, mentors)

    def pinned_columns(self) -> Indices:
        """Columns of pinned pairs (their lower bound is 1)."""
        pinned = set(self.constraints.pinned)
        return np.array(
            [
                k
                for k, pair in enumerate(
                    zip(self.columns_i.tolist(), self.columns_j.tolist(), strict=True)
                )
                if pair in pinned
            ],
            dtype=np.intp,
        )

    def _register(self, mentees: Indices, mentors: Indices) -> None:
        self.columns_i = np.concatenate([self.columns_i, mentees])
        self.columns_j = np.concatenate([self.columns_j, mentors])
        self.pricing[mentees, mentors] = -np.inf

    def column_costs(self, phase: int) -> Vector:
        """Each column's cost in ``phase`` (with the priced coupling row, if any)."""
        if phase == PAIRS:
            return np.ones(len(self.columns_i))
        base = self.scores[self.columns_i, self.columns_j]
        return np.asarray(
            base + self.multiplier.shift(self.columns_i, self.columns_j), dtype=np.float64
        )

    # ------------------------------------------------------------------ rows

    def _row_specs(
        self, couplings: list[Coupling]
    ) -> list[tuple[str, int, Indices, Vector, float]]:
        """(kind, key, member columns, coefficients, bound) of every row."""
        c = self.constraints
        mentees, mentors = self.columns_i, self.columns_j
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

    def build_rows(self, *, count: int | None, couplings: list[Coupling]) -> None:
        """Every row for the current columns (with ``count``, the second phase's)."""
        specs = self._row_specs(couplings)
        if count is not None:
            columns = np.arange(len(self.columns_i), dtype=np.intp)
            specs.append(("count", 0, columns, np.ones(len(columns)), float(count)))
        for kind, key, members, coefficients, bound in specs:
            index = self._add_row(kind, key, members, coefficients, bound)
            if kind == "mentee":
                self.index.mentee[key] = index
            elif kind == "mentor":
                self.index.mentor[key] = index
            elif kind == "department":
                self.index.department[key] = index
            elif kind == "count":
                self.index.count = index
            else:
                self.index.coupling[kind.removeprefix("coupling:")] = index

    def _add_row(
        self, kind: str, key: int, members: Indices, coefficients: Vector, bound: float
    ) -> int:
        lower = kind == "count" or kind.startswith("coupling:")
        rows = self.rows
        rows.names.append(f"{kind.replace(':', '_')}_{key}")
        rows.lower.append(bound if lower else -INFINITY)
        rows.upper.append(INFINITY if lower else bound)
        rows.members.append(members)
        rows.values.append(coefficients)
        return len(rows.lower) - 1

    def add_row(self, kind: str, coefficients: Vector, bound: float) -> int:
        """A ``>=`` row over every column (a coupling or the count), in HiGHS too."""
        columns = np.arange(len(self.columns_i), dtype=np.intp)
        row = self._add_row(kind, 0, columns, coefficients, bound)
        self._solver().add_row(bound, INFINITY, columns, coefficients)
        return row

    def free_row(self, row: int) -> None:
        """Drop a row's bounds (its multiplier prices it into the objective instead)."""
        self.rows.lower[row] = -INFINITY
        self._solver().free_row(row)

    # ------------------------------------------------------------------ HiGHS

    def load(self, *, phase: int) -> HighsModel:
        """Load the model into a new HiGHS instance, with the costs of ``phase``."""
        count = len(self.columns_i)
        lower = np.zeros(count)
        lower[self.pinned_columns()] = 1.0
        rows = self.rows
        lengths = [len(members) for members in rows.members]
        self.costs = self.column_costs(phase)
        self.highs = HighsModel(time_limit_s=self.time_limit_s)
        self.highs.load(
            costs=self.costs,
            lower=lower,
            upper=np.ones(count),
            row_lower=np.asarray(rows.lower, dtype=np.float64),
            row_upper=np.asarray(rows.upper, dtype=np.float64),
            row_starts=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32),
            row_indices=np.concatenate(rows.members).astype(np.int32),
            row_values=np.concatenate(rows.values).astype(np.float64),
        )
        return self.highs

    def _solver(self) -> HighsModel:
        if self.highs is None:  # pragma: no cover - every path loads before changing
            msg = "the model is not loaded into HiGHS yet"
            raise RuntimeError(msg)
        return self.highs

    def set_costs(self, costs: Vector) -> None:
        """Replace the objective."""
        self.costs = costs
        self._solver().set_costs(costs)

    def set_integer(self, integer: bool) -> None:
        """Solve as a MIP, or as its LP relaxation again."""
        self.integer = integer
        self._solver().set_integer(integer)

    def run(self) -> None:
        """Solve once as the model stands (no pricing)."""
        model = self._solver()
        model.run(self.deadline)
        self.unproven |= model.stopped_early

    def values(self) -> Vector:
        """The columns' values in the last solution."""
        return self._solver().values()

    def chosen(self) -> Indices:
        """Columns set to 1 in the last solution."""
        return np.nonzero(self.values() > 0.5)[0]

    def integral(self) -> bool:
        """Whether the last solution is integral."""
        values = self.values()
        return bool(np.all(np.minimum(values, 1.0 - values) < INTEGRALITY_TOLERANCE))

    # ------------------------------------------------------------------ pricing

    def optimise(self, *, phase: int) -> float | None:
        """Solve the LP of ``phase`` over every allowed pair (pricing) and return its value.

        None when the LP stopped before it was proven optimal over every pair (time limit
        or pricing rounds): its solution stands, its value bounds nothing.
        """
        self.run()
        for _ in range(MAX_PRICING_ROUNDS):
            if self.unproven:
                break
            self.rounds += 1
            mentees, mentors, costs = self._improving_columns(phase)
            if len(mentees) == 0:
                break
            self._append_columns(mentees, mentors, costs)
            self.run()
        else:
            self.unproven = True  # columns may still improve it: no certificate
        if self.unproven:
            return None
        return self._solver().objective()

    def _improving_columns(self, phase: int) -> tuple[Indices, Indices, Vector]:
        """Excluded pairs with a positive reduced cost (a few per mentee) and their costs."""
        duals = self._solver().duals()
        c, index = self.constraints, self.index
        n, m = self.scores.shape
        mentee_price = np.zeros(n)
        for key, row in index.mentee.items():
            mentee_price[key] = duals[row]
        if index.department and c.mentee_department is not None:
            for key, row in index.department.items():
                mentee_price[c.mentee_department == key] += duals[row]
        if c.peer:
            mentor_price = mentee_price
        else:
            mentor_price = np.zeros(m)
            for key, row in index.mentor.items():
                mentor_price[key] = duals[row]
        constant = duals[index.count] if index.count is not None else 0.0
        couplings = [
            (coupling, duals[index.coupling[coupling.name]])
            for coupling in c.couplings(self.scores.shape)
            if coupling.name in index.coupling
        ]
        block = max(1, PRICING_BLOCK_CELLS // max(m, 1))
        columns = np.arange(m)[None, :]

        def price(start: int) -> tuple[Indices, Indices] | None:
            stop = min(n, start + block)
            pricing = self.pricing[start:stop]
            mentees = np.arange(start, stop)[:, None]
            offset = mentee_price[start:stop, None] + constant
            if phase == PAIRS:  # every pair is worth 1; -inf keeps marking the excluded ones
                reduced = np.where(np.isfinite(pricing), 1.0 - offset, -np.inf)
            else:
                reduced = pricing - offset
                reduced += self.multiplier.shift(mentees, columns)
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
        if phase == PAIRS:
            return mentees, mentors, np.ones(len(mentees))
        costs = self.scores[mentees, mentors] + self.multiplier.shift(mentees, mentors)
        return mentees, mentors, np.asarray(costs, dtype=np.float64)

    def _append_columns(self, mentees: Indices, mentors: Indices, costs: Vector) -> None:
        """Add priced columns, warm, with their entries in every row they belong to."""
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        for i, j in zip(mentees.tolist(), mentors.tolist(), strict=True):
            starts.append(len(indices))
            for row, value in self._column_entries(i, j):
                indices.append(row)
                values.append(value)
        first = len(self.columns_i)
        self._register(mentees, mentors)
        ends = [*starts[1:], len(indices)]
        lengths = [stop - start for start, stop in zip(starts, ends, strict=True)]
        self.rows.appended.append(
            (
                np.repeat(np.arange(first, first + len(lengths), dtype=np.intp), lengths),
                np.array(indices, dtype=np.intp),
                np.array(values, dtype=np.float64),
            )
        )
        self.costs = np.concatenate([self.costs, costs])
        self._solver().add_columns(
            costs,
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values, dtype=np.float64),
        )
        if self.integer:  # pragma: no cover - columns are priced into LPs only
            self.set_integer(True)

    def _column_entries(self, i: int, j: int) -> list[tuple[int, float]]:
        c, index = self.constraints, self.index
        entries = [(index.mentee[i], 1.0), ((index.mentee if c.peer else index.mentor)[j], 1.0)]
        if c.mentee_department is not None and index.department:
            department = int(c.mentee_department[i])
            if department in index.department:
                entries.append((index.department[department], 1.0))
        for coupling in c.couplings(self.scores.shape):
            if coupling.name in index.coupling:
                coefficient = coupling.coefficients(np.array([i]), np.array([j]))[0]
                entries.append((index.coupling[coupling.name], float(coefficient)))
        if index.count is not None:
            entries.append((index.count, 1.0))
        return entries

    # ------------------------------------------------------------------ solutions

    def meets(self, coupling: Coupling, chosen: Indices) -> bool:
        """Whether the columns ``chosen`` satisfy ``coupling``."""
        activity = coupling.coefficients(self.columns_i[chosen], self.columns_j[chosen]).sum()
        return bool(activity >= coupling.bound - FEASIBILITY_TOLERANCE)

    def score(self, chosen: Indices) -> float:
        """The total score of the columns ``chosen``."""
        return float(self.scores[self.columns_i[chosen], self.columns_j[chosen]].sum())

    def gap(self, chosen: Indices, bound: float) -> float:
        """Relative gap between ``chosen``'s score and ``bound``."""
        score = self.score(chosen)
        return max(0.0, bound - score) / max(abs(score), 1e-9)

    def result(
        self,
        chosen: Indices,
        bound: float | None,
        pair_bound: int,
        *,
        seconds: dict[str, float],
        mip: bool = False,
    ) -> SolveResult:
        """The result for the columns ``chosen`` (``bound``: None when unproven)."""
        pairs = tuple(
            (int(i), int(j))
            for i, j in zip(self.columns_i[chosen], self.columns_j[chosen], strict=True)
        )
        score = self.score(chosen)
        bound = max(self.relaxed_bound() if bound is None else bound, score)
        gap = self.gap(chosen, bound) if pairs else 0.0
        gap = 0.0 if gap <= 1e-9 else gap
        optimal = gap == 0.0 and len(pairs) == pair_bound and not self.unproven
        return SolveResult(
            pairs=pairs,
            status=SolverStatus.OPTIMAL if optimal else SolverStatus.FEASIBLE,
            score=score,
            bound=bound,
            gap=gap,
            pair_bound=pair_bound,
            rounds=self.rounds,
            columns=len(self.columns_i),
            mip=mip,
            seconds=seconds,
        )

    def relaxed_bound(self) -> float:
        """A bound that needs no LP, for runs stopped early.

        Every mentee (up to the seats there are) with their best partner. Peer pairs are
        worth the mean of two people's best, so half the best of twice as many people.
        """
        best = np.max(self.scores, axis=1)
        best = np.sort(np.maximum(best[np.isfinite(best)], 0.0))[::-1]
        if self.constraints.peer:
            return float(best[: 2 * (len(self.scores) // 2)].sum() / 2)
        seats = int(self.constraints.mentor_capacity.sum())
        return float(best[:seats].sum())


def tighter(bound: float | None, candidate: float | None) -> float | None:
    """The smaller of two upper bounds, either of which may be unknown."""
    if bound is None or candidate is None:
        return candidate if bound is None else bound
    return min(bound, candidate)


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
