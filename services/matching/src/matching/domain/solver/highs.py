"""The one module that talks to HiGHS (``highspy``) directly, and why.

The matching model is stated with PuLP's public API (`pulp_model`), but it is not solved
through it, for two reasons measured on the 10,000-mentee benchmark instance (108,208
columns, 12,501 rows, about 230,000 non-zeros):

- **Loading.** PuLP's public API builds the model term by term in Python (0.24 s for the
  variables, 0.35 s for the rows, 0.05 s for the objective), and `pulp.HiGHS` then walks
  it back out of PuLP to load HiGHS (1.05 s) and writes every value and dual back onto the
  PuLP objects after each solve (0.31 s). The model exists as arrays from the start, so
  here it is loaded in one ``addCols`` and one ``addRows`` call (about 0.03 s).
- **Warm re-solves.** Column generation, the Lagrangian multiplier search and the
  LP-then-MIP path re-solve the same model dozens of times after adding columns, a row,
  changing costs, row bounds or integrality. `LpProblem.solve` creates a new HiGHS
  instance per call (a cold start each time); HiGHS itself keeps the basis across these
  changes, so a re-solve takes a few simplex iterations.

Everything else about the model (which rows, which columns, what they mean) lives in
`column_generation`; this module only moves arrays in and out of HiGHS and turns its
statuses into the solver's outcomes. A test loads the model both ways (this module, and
PuLP's own `HiGHS.buildSolverModel` on the `pulp_model` statement) and compares them.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
from numpy.typing import NDArray

from matching.domain.solver.problem import Indices, Infeasible, TimeLimitReached, Vector

INFINITY = highspy.kHighsInf
MIP_RELATIVE_GAP = 1e-3


class HighsModel:
    """A maximisation model in HiGHS, changed in place between warm re-solves."""

    def __init__(self, *, time_limit_s: float) -> None:
        self._highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self._highs.setOptionValue("output_flag", False)  # noqa: FBT003 - HiGHS's signature
        self._highs.setOptionValue("time_limit", float(time_limit_s))
        self._time_limit_s = time_limit_s
        self.stopped_early = False
        """The last run hit the time limit with a feasible (but unproven) solution."""

    def load(
        self,
        *,
        costs: Vector,
        lower: Vector,
        upper: Vector,
        row_lower: Vector,
        row_upper: Vector,
        row_starts: NDArray[np.int32],
        row_indices: NDArray[np.int32],
        row_values: Vector,
    ) -> None:
        """Load columns (bounds, costs) and rows (bounds, CSR matrix) in two calls."""
        empty = np.zeros(0, dtype=np.int32)
        self._highs.addCols(len(costs), costs, lower, upper, 0, empty, empty, np.zeros(0))
        self._highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._highs.addRows(
            len(row_lower),
            row_lower,
            row_upper,
            len(row_indices),
            row_starts,
            row_indices,
            row_values,
        )
        self._highs.setOptionValue("solver", "simplex")
        self._highs.setOptionValue("presolve", "off")  # measured: a third faster on these LPs

    def add_columns(
        self,
        costs: Vector,
        starts: NDArray[np.int32],
        indices: NDArray[np.int32],
        values: Vector,
    ) -> None:
        """Add columns in [0, 1] with their entries (CSC: ``starts`` per column)."""
        count = len(costs)
        self._highs.addCols(
            count, costs, np.zeros(count), np.ones(count), len(indices), starts, indices, values
        )

    def add_row(self, lower: float, upper: float, columns: Indices, values: Vector) -> None:
        """Add one row ``lower <= sum(values * x[columns]) <= upper``."""
        self._highs.addRow(
            lower, upper, len(columns), columns.astype(np.int32), values.astype(np.float64)
        )

    def set_costs(self, costs: Vector) -> None:
        """Replace every column's cost."""
        columns = np.arange(len(costs), dtype=np.int32)
        self._highs.changeColsCost(len(costs), columns, costs)

    def free_row(self, row: int) -> None:
        """Drop a row's bounds (it stays, priced into the objective instead)."""
        self._highs.changeRowBounds(row, -INFINITY, INFINITY)

    def set_integer(self, integer: bool) -> None:
        """Make every column integer (a MIP) or continuous again (its LP relaxation)."""
        count = self._highs.getNumCol()
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        self._highs.changeColsIntegrality(
            count, np.arange(count, dtype=np.int32), np.full(count, kind)
        )
        if integer:
            self._highs.setOptionValue("mip_rel_gap", MIP_RELATIVE_GAP)
            self._highs.setOptionValue("presolve", "on")

    def run(self, deadline: float) -> None:
        """Solve until optimal or ``deadline`` (a `time.perf_counter` reading).

        Sets `stopped_early` when the time limit left a feasible but unproven solution.

        Raises:
            Infeasible: no solution exists.
            TimeLimitReached: the time limit passed before any solution was found.
        """
        self._highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1e-3))
        self._highs.run()
        self._highs.setOptionValue("presolve", "off")  # later runs start warm from this basis
        status = self._highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            msg = "the pins and side constraints admit no matching"
            raise Infeasible(msg)
        if status == highspy.HighsModelStatus.kTimeLimit:
            feasible = highspy.SolutionStatus.kSolutionStatusFeasible
            if self._highs.getInfo().primal_solution_status != feasible:
                msg = (
                    f"no feasible matching was found within the time limit of "
                    f"{self._time_limit_s:g} s"
                )
                raise TimeLimitReached(msg)
            self.stopped_early = True
        elif status != highspy.HighsModelStatus.kOptimal:
            msg = f"HiGHS stopped with {self._highs.modelStatusToString(status)}"
            raise RuntimeError(msg)

    def values(self) -> Vector:
        """The columns' values in the last solution."""
        return np.asarray(self._highs.getSolution().col_value, dtype=np.float64)

    def duals(self) -> Vector:
        """The rows' duals in the last solution."""
        return np.asarray(self._highs.getSolution().row_dual, dtype=np.float64)

    def objective(self) -> float:
        """The objective value of the last solution."""
        return float(self._highs.getInfo().objective_function_value)

    def loaded(self) -> highspy.HighsLp:
        """The model as HiGHS holds it (for comparison with PuLP's own loading)."""
        lp: highspy.HighsLp = self._highs.getLp()
        return lp
