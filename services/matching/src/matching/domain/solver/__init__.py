"""The matching integer program, solved to a proof: the solver's facade.

Variables ``x[i, j]`` pair mentee ``i`` with mentor ``j``. The optimisation is
lexicographic: first the most pairs, then the best total score. The parts:

- `candidates`: the pairs the first restricted LP starts from;
- `column_generation`: the restricted LP and its pricing certificate (every pair left out
  is priced with the duals, and added if it could improve the optimum);
- `network` (with `flow`): the plain problem, whose LP is integral (gap 0);
- `lagrangian`: one coupling row (a cross-department share, a what-if's change bound)
  priced into the objective by a multiplier search;
- `mip`: peer pairing, two coupling rows, or a row the most pairs cannot meet, solved as
  an integer program with an honest gap;
- `highs`: the one module that talks to HiGHS directly; `pulp_model`: the model as PuLP
  states it (public API), for inspection and export.
"""

from __future__ import annotations

import time

import numpy as np
import pulp
from numpy.typing import NDArray

from matching.domain.solver.column_generation import RestrictedMaster
from matching.domain.solver.mip import max_pairs_mip, solve_mip_path
from matching.domain.solver.network import max_pairs_by_flow, solve_network
from matching.domain.solver.problem import (
    Coupling,
    Infeasible,
    SideConstraints,
    SolveResult,
    TimeLimitReached,
)
from matching.domain.solver.pulp_model import as_pulp_problem
from mentorship_contracts.types import SolverStatus

__all__ = [
    "AssignmentProgram",
    "Coupling",
    "Infeasible",
    "SideConstraints",
    "SolveResult",
    "TimeLimitReached",
]


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
        self._k_mentee = candidates_per_mentee
        self._time_limit_s = time_limit_s
        self._master: RestrictedMaster | None = None

    def solve(self) -> SolveResult:
        """Solve to proven optimality (or the time limit) and return the pairs."""
        started = time.perf_counter()
        master = self._new_master(started + self._time_limit_s)
        if not np.isfinite(master.pricing).any():
            return SolveResult((), SolverStatus.OPTIMAL, 0.0, 0.0, 0.0, 0, 0, 0, mip=False)
        couplings = self._constraints.couplings(self._scores.shape)
        if len(couplings) > 1 or self._constraints.peer:
            return solve_mip_path(master, started)
        coupling = couplings[0] if couplings else None
        try:
            return solve_network(master, started, coupling)
        except Infeasible:
            if coupling is None:
                raise
        # The row cannot hold with the most pairs the network allows: the most pairs that
        # do meet it need the integer program over both phases.
        return solve_mip_path(self._new_master(master.deadline), started)

    def max_pairs(self) -> int:
        """Only the first phase: the most pairs any matching can have (proven)."""
        master = self._new_master(time.perf_counter() + self._time_limit_s)
        if not np.isfinite(master.pricing).any():
            return 0
        if not self._constraints.peer and not self._constraints.couplings(self._scores.shape):
            return max_pairs_by_flow(master)[0]
        return max_pairs_mip(master)

    def problem(self) -> pulp.LpProblem:
        """The last solve's model as a PuLP problem (public API; for inspection and export)."""
        if self._master is None:
            msg = "solve first: the model is built while solving"
            raise RuntimeError(msg)
        return as_pulp_problem(self._master)

    def loaded(self) -> object:
        """The last solve's model as HiGHS holds it (a ``highspy.HighsLp``)."""
        if self._master is None or self._master.highs is None:
            msg = "solve first: the model is loaded while solving"
            raise RuntimeError(msg)
        return self._master.highs.loaded()

    def _new_master(self, deadline: float) -> RestrictedMaster:
        self._master = RestrictedMaster(
            self._scores,
            self._constraints,
            candidates_per_mentee=self._k_mentee,
            time_limit_s=self._time_limit_s,
            deadline=deadline,
        )
        return self._master
