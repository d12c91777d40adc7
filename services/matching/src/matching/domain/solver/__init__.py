"""The matching integer program, solved to a proof: the solver's facade.

Variables ``x[i, j]`` pair mentee ``i`` with mentor ``j``. The optimisation is
lexicographic: first the most pairs, then the best total score. The parts:

- `scores`: what the solver reads of the scores (exact pairs, the hard rules' blocks, a
  scan of the allowed blocks), from a dense matrix or computed block by block;
- `candidates`: one scan for the pairs the first models start from (each mentee's and
  each mentor's best), and a bound on every pair left out;
- `column_generation`: the restricted LP and its pricing certificate (every pair left out
  is priced with the duals against those bounds, exactly where they do not settle it, and
  added if it could improve the optimum);
- `network` (with `flow`): the plain problem, whose LP is integral (gap 0); where only
  capacities constrain it and the most pairs fill a side, its score stage is an assignment
  over seats with the LP's duals from the residual graph (`assignment`), priced the same;
- `lagrangian`: one coupling row (a cross-department share, a what-if's change bound)
  priced into the objective by a multiplier search;
- `mip`: peer pairing, two coupling rows, or a row the most pairs cannot meet, solved as
  an integer program with an honest gap;
- `highs`: the one module that talks to HiGHS directly; `pulp_model`: the model as PuLP
  states it (public API), for inspection and export.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pulp
from numpy.typing import NDArray

from matching.domain.solver.candidates import Candidates
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
from matching.domain.solver.scores import DenseScores, PairScores, ScanChunk, Structure
from mentorship_contracts.types import SolverStatus

CANDIDATES_PER_MENTEE = 10

__all__ = [
    "AssignmentProgram",
    "Coupling",
    "DenseScores",
    "Infeasible",
    "PairScores",
    "ScanChunk",
    "SideConstraints",
    "SolveResult",
    "Structure",
    "TimeLimitReached",
]


class AssignmentProgram:
    """One matching problem, from candidate selection to a proven solution."""

    def __init__(
        self,
        scores: NDArray[np.float64] | PairScores,
        constraints: SideConstraints,
        *,
        candidates_per_mentee: int = CANDIDATES_PER_MENTEE,
        time_limit_s: float = 60.0,
    ) -> None:
        """``scores``: a matrix (``-inf`` where not allowed) or scores read block by block."""
        self._source: PairScores = (
            DenseScores(scores, upper=constraints.peer)
            if isinstance(scores, np.ndarray)
            else scores
        )
        self._constraints = constraints
        self._k_mentee = candidates_per_mentee
        self._time_limit_s = time_limit_s
        self._master: RestrictedMaster | None = None
        self._initial: Candidates | None = None

    def solve(self) -> SolveResult:
        """Solve to proven optimality (or the time limit) and return the pairs."""
        started = time.perf_counter()
        master = self._new_master(started + self._time_limit_s)
        seconds = {"candidates": time.perf_counter() - started}
        if not master.anything_allowed():
            return SolveResult(
                (), SolverStatus.OPTIMAL, 0.0, 0.0, 0.0, 0, 0, 0, mip=False, seconds=seconds
            )
        couplings = self._constraints.couplings(self._source.shape)
        if len(couplings) > 1 or self._constraints.peer:
            return _with(solve_mip_path(master, started), seconds)
        coupling = couplings[0] if couplings else None
        try:
            return _with(solve_network(master, started, coupling), seconds)
        except Infeasible:
            if coupling is None:
                raise
        # The row cannot hold with the most pairs the network allows: the most pairs that
        # do meet it need the integer program over both phases.
        return _with(solve_mip_path(self._new_master(master.deadline), started), seconds)

    def max_pairs(self) -> int:
        """Only the first phase: the most pairs any matching can have (proven)."""
        master = self._new_master(time.perf_counter() + self._time_limit_s)
        if not master.anything_allowed():
            return 0
        if not self._constraints.peer and not self._constraints.couplings(self._source.shape):
            return max_pairs_by_flow(master)[0]
        return max_pairs_mip(master)

    def problem(self) -> pulp.LpProblem:
        """The last solve's model as a PuLP problem (public API; for inspection and export)."""
        if self._master is None:
            msg = "solve first: the model is built while solving"
            raise RuntimeError(msg)
        self._master.ensure_model()
        return as_pulp_problem(self._master)

    def loaded(self) -> object:
        """The last solve's model as HiGHS holds it (a ``highspy.HighsLp``)."""
        if self._master is None or (
            self._master.highs is None and self._master.pairs_needed is None
        ):
            msg = "solve first: the model is loaded while solving"
            raise RuntimeError(msg)
        self._master.ensure_model()
        assert self._master.highs is not None
        return self._master.highs.loaded()

    def _new_master(self, deadline: float) -> RestrictedMaster:
        """A new master problem; candidate selection's scan runs once per program."""
        self._master = RestrictedMaster(
            self._source,
            self._constraints,
            candidates_per_mentee=self._k_mentee,
            time_limit_s=self._time_limit_s,
            deadline=deadline,
            initial=self._initial,
        )
        self._initial = self._master.initial
        return self._master


def _with(result: SolveResult, seconds: dict[str, float]) -> SolveResult:
    """``result`` with the stages timed before it."""
    return replace(result, seconds={**seconds, **result.seconds})
