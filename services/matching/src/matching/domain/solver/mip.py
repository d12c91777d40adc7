"""The MIP path: peer pairing, two coupling rows at once, or a row the most pairs miss.

Peer pairing is a general graph (its LP relaxation has half-integral vertices), and two
coupling rows cannot both be priced into the objective; a coupling row that cannot hold
with the most pairs the network allows needs fewer pairs, chosen by the integer program
over both phases. Each phase prices its LP relaxation to a certificate first, then HiGHS
solves the integer program on those columns: the relaxation bounds the full problem, so
the gap reported here is honest but may exceed zero even when the matching is optimal.
"""

from __future__ import annotations

import time

import numpy as np

from matching.domain.solver.column_generation import PAIRS, SCORE, RestrictedMaster
from matching.domain.solver.problem import SolveResult


def solve_mip_path(master: RestrictedMaster, started: float) -> SolveResult:
    """Both phases as integer programs: most pairs, then the best score with that many."""
    seconds: dict[str, float] = {}
    couplings = master.couplings
    master.add_columns(*master.candidates())
    master.build_rows(count=None, couplings=couplings)
    seconds["build"] = time.perf_counter() - started
    phase = time.perf_counter()
    master.load(phase=PAIRS)
    relaxed_pairs = master.optimise(phase=PAIRS)
    pairs_needed = round(solve_mip(master))
    pair_bound = pairs_needed if relaxed_pairs is None else round(relaxed_pairs)
    master.set_integer(False)
    seconds["pairs"] = time.perf_counter() - phase
    phase = time.perf_counter()
    columns = len(master.columns_i)
    master.index.count = master.add_row("count", np.ones(columns), float(pairs_needed))
    master.set_costs(master.column_costs(SCORE))
    bound = master.optimise(phase=SCORE)
    solve_mip(master)
    chosen = master.chosen()
    seconds["score"] = time.perf_counter() - phase
    seconds["total"] = time.perf_counter() - started
    return master.result(chosen, bound, pair_bound, seconds=seconds, mip=True)


def max_pairs_mip(master: RestrictedMaster) -> int:
    """Only the first phase, as an integer program: the most pairs (proven)."""
    couplings = master.couplings
    master.add_columns(*master.candidates())
    master.build_rows(count=None, couplings=couplings)
    master.load(phase=PAIRS)
    master.optimise(phase=PAIRS)
    return round(solve_mip(master))


def solve_mip(master: RestrictedMaster) -> float:
    """Solve the model's columns as integers; the objective value."""
    master.set_integer(True)
    master.run()
    assert master.highs is not None
    return master.highs.objective()
