"""The Lagrangian coupling: one row outside the network structure, priced into the objective.

A minimum cross-department share, or a bound on how many existing pairs may change
(what-if), adds one row ``sum(a * x) >= b`` that breaks the network structure. For each
multiplier of that row the problem is a network again (integral, warm re-solves), every
multiplier bounds the optimum from above, and every solution meeting the row is feasible;
bisection on the multiplier returns the best feasible matching and the gap to the best
bound.
"""

from __future__ import annotations

from matching.domain.solver.column_generation import SCORE, RestrictedMaster, tighter
from matching.domain.solver.problem import (
    Coupling,
    Indices,
    Infeasible,
    TimeLimitReached,
)

MULTIPLIER_STEPS = 24
TARGET_GAP = 1e-4


def solve_coupled(
    master: RestrictedMaster, coupling: Coupling, bound: float | None
) -> tuple[Indices, float | None]:
    """The best solution meeting ``coupling`` that a multiplier finds, and the bound.

    The model holds the row already and ``bound`` is its LP optimum, priced over every
    pair: the best bound there is (the Lagrangian dual of an LP is its LP dual). If that
    optimum is integral it is the answer. Otherwise the row's dual is the best
    multiplier: just above it the network optimum (the row priced into the objective
    instead) is the integral vertex of the optimal face that leans furthest into the row,
    so it meets the row; the search widens the step only when numerical ties hide it.
    Solutions are kept as chosen column indices: columns added by later pricing do not
    change what an earlier solution chose.
    """
    master.multiplier.coupling = coupling
    chosen = master.chosen()
    if master.integral() and master.meets(coupling, chosen):
        return chosen, bound
    row = master.index.coupling[coupling.name]
    dual = float(master.highs.duals()[row]) if master.highs else 0.0
    best_multiplier = max(0.0, -dual)  # a >= row of a maximisation has a dual <= 0
    master.free_row(row)
    # Past this multiplier one more unit of the row outweighs any score there is.
    best_score = master.best_score()
    limit = (abs(best_score) + 1.0) * (master.shape[0] + 1)
    low = best_multiplier
    step = 1e-5 * max(1.0, best_multiplier)
    best: Indices | None = None
    while best is None:
        high = best_multiplier + step
        chosen, value = _solve_at(master, high)
        bound = tighter(bound, value)
        if master.meets(coupling, chosen):
            best = chosen
        elif master.unproven:
            msg = f"no matching meeting the {coupling.name} row was found in time"
            raise TimeLimitReached(msg)
        elif high > limit:
            raise Infeasible(coupling.infeasible_message)
        else:
            low, step = high, step * 4
    for _ in range(MULTIPLIER_STEPS):
        if master.unproven or (bound is not None and master.gap(best, bound) <= TARGET_GAP):
            break
        middle = (low + high) / 2
        chosen, value = _solve_at(master, middle)
        bound = tighter(bound, value)
        if master.meets(coupling, chosen):
            high = middle
            if master.score(chosen) > master.score(best):
                best = chosen
        else:
            low = middle
    return best, bound


def _solve_at(master: RestrictedMaster, multiplier: float) -> tuple[Indices, float | None]:
    """Solve with the coupling row priced at ``multiplier``: (chosen columns, bound)."""
    master.multiplier.value = multiplier
    master.set_costs(master.column_costs(SCORE))
    value = master.optimise(phase=SCORE)
    coupling = master.multiplier.coupling
    assert coupling is not None
    chosen = master.chosen()
    if value is None:
        return chosen, None
    return chosen, value - multiplier * coupling.bound
