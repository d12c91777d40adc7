"""The LP/column-generation core: the restricted master problem and its pricing.

The model holds a column ``x[i, j]`` per candidate pair and these rows: each mentee at
most once (in a peer program, each person at most once on either side), each mentor at
most their capacity, each department at most its cap, the coupling rows the caller adds,
and, in the second phase, "at least the most pairs". Its columns are a few of all the
allowed pairs; pricing either proves that no left-out pair could improve the optimum
(its reduced cost ``c - A^T y`` with the LP's duals is not positive), or adds those that
could, and the LP is re-solved warm.

Pricing never scores every left-out pair again. Candidate selection left, per mentee
``i`` and group ``g`` of mentors, a bound ``b[i, g]`` on the score of every pair it left
out (`candidates`). A left-out pair's reduced cost is therefore at most
``b[i, g] - u_i - min(v_j, j in g) - w`` plus the most its coupling terms can add (``u``,
``v``, ``w``: the mentee's, the mentors' and the count row's duals). Only where that bound
is positive are the group's mentors whose dual is low enough priced exactly, block by
block (the mentee's class with the mentors its class is allowed), a grid at a time.

The model is kept as arrays (columns, and rows as member lists) from which HiGHS is
loaded once (`highs.HighsModel`) and PuLP's statement is built on demand (`pulp_model`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.domain.solver.candidates import Candidates, initial_candidates
from matching.domain.solver.highs import INFINITY, HighsModel
from matching.domain.solver.problem import (
    Coupling,
    Indices,
    SideConstraints,
    SolveResult,
    Vector,
)
from matching.domain.solver.scores import PairScores
from mentorship_contracts.types import SolverStatus

INTEGRALITY_TOLERANCE = 1e-6
PRICING_TOLERANCE = 1e-6
FEASIBILITY_TOLERANCE = 1e-7
MAX_PRICING_ROUNDS = 100
COLUMNS_PER_ROW_PER_ROUND = 5
PRICING_GRID_CELLS = 1_000_000
"""Exact scores computed at once while pricing a block."""

PAIRS, SCORE = 1, 2
"""The two phases: most pairs (every pair worth 1), then best score."""


@dataclass
class RowIndex:
    """Which model row holds each constraint (-1: none yet)."""

    mentee: NDArray[np.intp]
    """Per mentee (per person in a peer program)."""
    mentor: NDArray[np.intp]
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


@dataclass(frozen=True, slots=True)
class _Prices:
    """The duals of the last LP, per mentee and mentor, and the coupling terms."""

    mentee: Vector
    """The mentee's row dual plus its department's and the count row's."""
    mentor: Vector
    terms: list[tuple[Coupling, float]]
    """(coupling, factor): the reduced cost adds ``factor * a[i, j]``."""
    slack: float
    """The most the terms add to a left-out pair's reduced cost."""


class RestrictedMaster:
    """The matching LP over candidate pairs, solved to a pricing certificate."""

    def __init__(
        self,
        source: PairScores,
        constraints: SideConstraints,
        *,
        candidates_per_mentee: int,
        time_limit_s: float,
        deadline: float,
        initial: Candidates | None = None,
    ) -> None:
        self.source = source
        self.shape = source.shape
        self.constraints = constraints
        self.candidates_per_mentee = candidates_per_mentee
        self.time_limit_s = time_limit_s
        self.deadline = deadline
        n, m = self.shape
        self.columns_i = np.zeros(0, dtype=np.intp)
        self.columns_j = np.zeros(0, dtype=np.intp)
        self.column_scores = np.zeros(0)
        """Each column's exact score."""
        self._present = np.zeros(0, dtype=np.int64)
        """Sorted keys ``i * mentors + j`` of the columns."""
        self.costs = np.zeros(0)
        """The objective as last given to HiGHS."""
        self.integer = False
        self.rows = Rows()
        self.index = RowIndex(
            mentee=np.full(n, -1, dtype=np.intp),
            mentor=np.full(n if constraints.peer else m, -1, dtype=np.intp),
        )
        self.rows_built = False
        self.couplings = constraints.couplings(self.shape)
        """The coupling rows as this model states them (the network path restates a row
        for its fixed number of pairs, `Coupling.with_pairs`)."""
        self.multiplier = Multiplier()
        self.rounds = 0
        self.unproven = False
        """An LP stopped before optimality (time limit, pricing rounds): its value is no bound."""
        self.highs: HighsModel | None = None
        self.pairs_needed: int | None = None
        """The most pairs (the second phase's count row), once the first phase proved it."""
        self._initial = initial

    # ------------------------------------------------------------------ columns

    @property
    def initial(self) -> Candidates:
        """Candidate selection's result (computed once)."""
        if self._initial is None:
            self._initial = initial_candidates(
                self.source, self.constraints, self.candidates_per_mentee
            )
        return self._initial

    def candidates(self) -> tuple[Indices, Indices]:
        """The starting pairs."""
        return self.initial.mentees, self.initial.mentors

    def anything_allowed(self) -> bool:
        """Whether any pair may be allowed (False proves that none is)."""
        initial = self.initial
        return bool(len(initial.mentees)) or bool(np.isfinite(initial.bounds).any())

    def add_columns(self, mentees: Indices, mentors: Indices) -> None:
        """The initial columns, before any row exists (pairs already present are skipped)."""
        keys = self._keys(mentees, mentors)
        keys, first = np.unique(keys, return_index=True)
        new = ~self._has(keys)
        mentees, mentors = mentees[first][new], mentors[first][new]
        self._register(mentees, mentors, self.source.pairs(mentees, mentors))

    def extend(self, mentees: Indices, mentors: Indices, scores: Vector) -> None:
        """New columns (not yet columns) with their exact scores, before rows exist."""
        if self.rows_built:  # pragma: no cover - priced columns go through the LP then
            msg = "columns after the rows are built go through pricing's warm re-solve"
            raise RuntimeError(msg)
        self._register(mentees, mentors, scores)

    def ensure_model(self) -> None:
        """Rows and a loaded HiGHS model for a solve that did without them.

        The assignment path (`network`) proves the plain problem without an LP; PuLP's
        statement (`pulp_model`) and HiGHS's model are then built on demand, as the LP
        path would have built them, for inspection and export.
        """
        if self.highs is not None or self.pairs_needed is None:
            return
        if not self.rows_built:
            self.build_rows(count=self.pairs_needed, couplings=self.couplings)
        self.load(phase=SCORE)

    def pinned_columns(self) -> Indices:
        """Columns of pinned pairs (their lower bound is 1)."""
        if not self.constraints.pinned:
            return np.zeros(0, dtype=np.intp)
        pins = np.array(self.constraints.pinned, dtype=np.intp).reshape(-1, 2)
        keys = self._keys(self.columns_i, self.columns_j)
        return np.nonzero(np.isin(keys, self._keys(pins[:, 0], pins[:, 1])))[0]

    def _keys(self, mentees: Indices, mentors: Indices) -> NDArray[np.int64]:
        return np.asarray(mentees, dtype=np.int64) * self.shape[1] + np.asarray(
            mentors, dtype=np.int64
        )

    def _has(self, keys: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether each key is a column already."""
        present = self._present
        if len(present) == 0:
            return np.zeros(len(keys), dtype=np.bool_)
        at = np.minimum(np.searchsorted(present, keys), len(present) - 1)
        return np.asarray(present[at] == keys, dtype=np.bool_)

    def _register(self, mentees: Indices, mentors: Indices, scores: Vector) -> None:
        self.columns_i = np.concatenate([self.columns_i, mentees])
        self.columns_j = np.concatenate([self.columns_j, mentors])
        self.column_scores = np.concatenate([self.column_scores, scores])
        self._present = np.sort(np.concatenate([self._present, self._keys(mentees, mentors)]))

    def column_costs(self, phase: int) -> Vector:
        """Each column's cost in ``phase`` (with the priced coupling row, if any)."""
        if phase == PAIRS:
            return np.ones(len(self.columns_i))
        shift = self.multiplier.shift(self.columns_i, self.columns_j)
        return np.asarray(self.column_scores + shift, dtype=np.float64)

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
            coefficients = np.asarray(coupling.coefficients(mentees, mentors), dtype=np.float64)
            nonzero = coefficients != 0.0
            specs.append(
                (
                    f"coupling:{coupling.name}",
                    position,
                    columns[nonzero],
                    coefficients[nonzero],
                    coupling.bound,
                )
            )
        return specs

    def build_rows(self, *, count: int | None, couplings: list[Coupling]) -> None:
        """Every row for the current columns (with ``count``, the second phase's)."""
        specs = self._row_specs(couplings)
        if count is not None:
            columns = np.arange(len(self.columns_i), dtype=np.intp)
            specs.append(("count", 0, columns, np.ones(len(columns)), float(count)))
        for kind, key, members, coefficients, bound in specs:
            self._index_row(kind, key, self._add_row(kind, key, members, coefficients, bound))
        self.rows_built = True

    def _index_row(self, kind: str, key: int, row: int) -> None:
        if kind == "mentee":
            self.index.mentee[key] = row
        elif kind == "mentor":
            self.index.mentor[key] = row
        elif kind == "department":
            self.index.department[key] = row
        elif kind == "count":
            self.index.count = row
        else:
            self.index.coupling[kind.removeprefix("coupling:")] = row

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
        columns = np.nonzero(coefficients)[0].astype(np.intp)
        coefficients = coefficients[columns]
        row = self._add_row(kind, 0, columns, coefficients, bound)
        self._solver().add_row(bound, INFINITY, columns, coefficients)
        return row

    def _ensure_rows(self, mentees: Indices, mentors: Indices) -> None:
        """Rows for the people and departments of new columns that have none yet (empty)."""
        c, index = self.constraints, self.index
        wanted: list[tuple[str, int, float]] = []
        people = np.concatenate([mentees, mentors]) if c.peer else mentees
        wanted += [("mentee", int(i), 1.0) for i in np.unique(people[index.mentee[people] < 0])]
        if not c.peer:
            missing = np.unique(mentors[index.mentor[mentors] < 0])
            wanted += [("mentor", int(j), float(c.mentor_capacity[j])) for j in missing]
        if c.max_pairs_per_department is not None and c.mentee_department is not None:
            cap = float(c.max_pairs_per_department)
            departments = np.unique(c.mentee_department[mentees])
            wanted += [
                ("department", int(d), cap)
                for d in departments.tolist()
                if d >= 0 and d not in index.department
            ]
        empty = np.zeros(0, dtype=np.intp)
        for kind, key, bound in wanted:
            self._index_row(kind, key, self._add_row(kind, key, empty, np.zeros(0), bound))
            self._solver().add_row(-INFINITY, bound, empty, np.zeros(0))

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
            mentees, mentors, scores = self._improving_columns(phase)
            if len(mentees) == 0:
                break
            self._append_columns(mentees, mentors, scores, phase)
            self.run()
        else:
            self.unproven = True  # columns may still improve it: no certificate
        if self.unproven:
            return None
        return self._solver().objective()

    def _prices(self, phase: int) -> _Prices:
        duals = self._solver().duals()
        c, index = self.constraints, self.index
        n, m = self.shape
        mentee_price = np.zeros(n)
        has = index.mentee >= 0
        mentee_price[has] = duals[index.mentee[has]]
        mentor_price = mentee_price.copy() if c.peer else np.zeros(m)
        if not c.peer:
            has = index.mentor >= 0
            mentor_price[has] = duals[index.mentor[has]]
        if index.department and c.mentee_department is not None:
            for key, row in index.department.items():
                mentee_price[c.mentee_department == key] += duals[row]
        if index.count is not None:
            mentee_price += duals[index.count]
        terms: list[tuple[Coupling, float]] = [
            (coupling, -float(duals[index.coupling[coupling.name]]))
            for coupling in self.couplings
            if coupling.name in index.coupling
        ]
        if phase == SCORE and self.multiplier.coupling is not None and self.multiplier.value:
            terms.append((self.multiplier.coupling, self.multiplier.value))
        terms = [(coupling, factor) for coupling, factor in terms if factor != 0.0]
        slack = sum(
            max(factor * coupling.left_out[0], factor * coupling.left_out[1])
            for coupling, factor in terms
        )
        return _Prices(mentee_price, mentor_price, terms, float(slack))

    def improving_columns(
        self, mentee_price: Vector, mentor_price: Vector
    ) -> tuple[Indices, Indices, Vector]:
        """Left-out pairs that price in against duals found outside HiGHS (plain problem).

        ``mentee_price``: each mentee's row dual plus the count row's; ``mentor_price``:
        each mentor's row dual (`assignment`). The second phase's pricing, no coupling.
        """
        return self._improving(SCORE, _Prices(mentee_price, mentor_price, [], 0.0))

    def _improving_columns(self, phase: int) -> tuple[Indices, Indices, Vector]:
        """Left-out pairs with a positive reduced cost (a few per mentee) and their scores."""
        return self._improving(phase, self._prices(phase))

    def _improving(self, phase: int, prices: _Prices) -> tuple[Indices, Indices, Vector]:
        initial = self.initial
        structure = self.source.structure
        if phase == PAIRS:
            value = np.where(np.isfinite(initial.bounds), 1.0, -np.inf)
        else:
            value = initial.bounds.astype(np.float64) + initial.tolerance
        value += prices.slack - prices.mentee[:, None]
        groups = structure.mentor_group
        lowest = np.full(structure.groups, np.inf)
        np.minimum.at(lowest, groups, prices.mentor)
        rows, suspect_groups = np.nonzero(value - lowest[None, :] > PRICING_TOLERANCE)
        if len(rows) == 0:
            return _nothing()
        limits = value[rows, suspect_groups] - PRICING_TOLERANCE
        classes = structure.mentee_class[rows]
        by_price = np.lexsort((prices.mentor, groups))
        group_starts = np.searchsorted(groups[by_price], np.arange(structure.groups + 1))
        order = np.lexsort((classes, suspect_groups))
        keys = (
            suspect_groups[order].astype(np.int64) * (len(structure.allowed) + 1) + classes[order]
        )
        cuts = np.concatenate([[0], np.nonzero(np.diff(keys))[0] + 1, [len(order)]])
        found: list[tuple[Indices, Indices, Vector, Vector]] = []
        for start, stop in itertools.pairwise(cuts):
            members = order[start:stop]
            group, mentee_class = int(suspect_groups[members[0]]), int(classes[members[0]])
            if mentee_class < 0:
                continue
            mentors = by_price[group_starts[group] : group_starts[group + 1]]
            mentors = mentors[structure.allowed[mentee_class][structure.mentor_class[mentors]]]
            counts = np.searchsorted(prices.mentor[mentors], limits[members], side="left")
            found += self._price_block(phase, prices, rows[members], mentors, counts)
        if not found:
            return _nothing()
        mentees = np.concatenate([i for i, _, _, _ in found])
        mentors = np.concatenate([j for _, j, _, _ in found])
        reduced = np.concatenate([r for _, _, r, _ in found])
        scores = np.concatenate([s for _, _, _, s in found])
        best = np.lexsort((-reduced, mentees))
        mentees, mentors, scores = mentees[best], mentors[best], scores[best]
        first = np.searchsorted(mentees, mentees, side="left")
        keep = np.arange(len(mentees)) - first < COLUMNS_PER_ROW_PER_ROUND
        return mentees[keep], mentors[keep], scores[keep]

    def _price_block(
        self, phase: int, prices: _Prices, mentees: Indices, mentors: Indices, counts: Indices
    ) -> list[tuple[Indices, Indices, Vector, Vector]]:
        """Exact reduced costs of each mentee with its first ``counts`` of ``mentors``."""
        width = int(counts.max(initial=0))
        if width == 0:
            return []
        mentors = mentors[:width]
        step = max(1, PRICING_GRID_CELLS // width)
        found = []
        for start in range(0, len(mentees), step):
            rows, reach = mentees[start : start + step], counts[start : start + step]
            scores = self.source.grid(rows, mentors)
            allowed = np.isfinite(scores) & (np.arange(width)[None, :] < reach[:, None])
            base = np.where(allowed, 1.0 if phase == PAIRS else scores, -np.inf)
            reduced = base - prices.mentee[rows][:, None] - prices.mentor[mentors][None, :]
            for coupling, factor in prices.terms:
                reduced += factor * coupling.coefficients(rows[:, None], mentors[None, :])
            at_row, at_column = np.nonzero(reduced > PRICING_TOLERANCE)
            if len(at_row) == 0:
                continue
            i, j = rows[at_row], mentors[at_column]
            new = ~self._has(self._keys(i, j))
            found.append(
                (i[new], j[new], reduced[at_row, at_column][new], scores[at_row, at_column][new])
            )
        return found

    def _append_columns(
        self, mentees: Indices, mentors: Indices, scores: Vector, phase: int
    ) -> None:
        """Add priced columns, warm, with their entries in every row they belong to."""
        self._ensure_rows(mentees, mentors)
        first = len(self.columns_i)
        self._register(mentees, mentors, scores)
        costs = (
            np.ones(len(mentees))
            if phase == PAIRS
            else np.asarray(scores + self.multiplier.shift(mentees, mentors), dtype=np.float64)
        )
        rows, values = self._column_entries(mentees, mentors)
        present = rows >= 0
        lengths = present.sum(axis=1)
        columns = np.repeat(np.arange(first, first + len(mentees), dtype=np.intp), lengths)
        indices, coefficients = rows[present], values[present]
        self.rows.appended.append((columns, indices, coefficients))
        self.costs = np.concatenate([self.costs, costs])
        self._solver().add_columns(
            costs,
            np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32),
            indices.astype(np.int32),
            coefficients.astype(np.float64),
        )
        if self.integer:  # pragma: no cover - columns are priced into LPs only
            self.set_integer(True)

    def _column_entries(
        self, mentees: Indices, mentors: Indices
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """(rows, coefficients) of each new column, one line per column; row -1: none."""
        c, index = self.constraints, self.index
        ones = np.ones(len(mentees))
        rows = [index.mentee[mentees], (index.mentee if c.peer else index.mentor)[mentors]]
        values = [ones, ones]
        if c.mentee_department is not None and index.department:
            lookup = np.full(int(c.mentee_department.max(initial=0)) + 2, -1, dtype=np.intp)
            for department, row in index.department.items():
                lookup[department] = row
            rows.append(lookup[c.mentee_department[mentees]])
            values.append(ones)
        for coupling in self.couplings:
            if coupling.name in index.coupling:
                coefficients = np.asarray(coupling.coefficients(mentees, mentors), dtype=np.float64)
                at = np.where(coefficients != 0.0, index.coupling[coupling.name], -1)
                rows.append(at.astype(np.intp))
                values.append(coefficients)
        if index.count is not None:
            rows.append(np.full(len(mentees), index.count, dtype=np.intp))
            values.append(ones)
        return np.stack(rows, axis=1), np.stack(values, axis=1)

    # ------------------------------------------------------------------ solutions

    def meets(self, coupling: Coupling, chosen: Indices) -> bool:
        """Whether the columns ``chosen`` satisfy ``coupling``."""
        activity = coupling.coefficients(self.columns_i[chosen], self.columns_j[chosen]).sum()
        return bool(activity >= coupling.bound - FEASIBILITY_TOLERANCE)

    def score(self, chosen: Indices) -> float:
        """The total score of the columns ``chosen``."""
        return float(self.column_scores[chosen].sum())

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

    def best_score(self) -> float:
        """An upper bound on any pair's score (-inf: no pair is allowed)."""
        return float(self.initial.row_best.max(initial=-np.inf))

    def relaxed_bound(self) -> float:
        """A bound that needs no LP, for runs stopped early.

        Every mentee (up to the seats there are) with their best partner. Peer pairs are
        worth the mean of two people's best, so half the best of twice as many people.
        """
        best = self.initial.row_best
        if self.constraints.peer:
            best = np.maximum(best, self.initial.column_best)
        best = np.sort(np.maximum(best[np.isfinite(best)], 0.0))[::-1]
        if self.constraints.peer:
            return float(best[: 2 * (self.shape[0] // 2)].sum() / 2)
        seats = int(self.constraints.mentor_capacity.sum())
        return float(best[:seats].sum())


def _nothing() -> tuple[Indices, Indices, Vector]:
    empty = np.zeros(0, dtype=np.intp)
    return empty, empty, np.zeros(0)


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
