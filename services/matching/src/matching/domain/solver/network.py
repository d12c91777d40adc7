"""The network path: a maximum flow for the most pairs, then the best score.

1. **Most pairs.** A maximum flow (source -> mentee -> mentor -> sink, department caps as
   extra nodes), proven by a minimum cut checked against every allowed pair (`flow`).
2. **Best score.** Where only the mentors' capacities constrain the pairs and the most
   pairs fill one side, an assignment over seats with its duals, priced to the same
   certificate (`assignment`; measured at 50,000 mentees: 15 s of dual simplex become
   about one). Otherwise, or if that path cannot prove its result, the restricted LP
   (`column_generation`) with one row keeping that many pairs, priced to a
   certificate. The constraint matrix is a network matrix plus the
   count row, so the LP optimum is integral: proven optimal, gap 0. A coupling row, if
   any, is then priced in by `lagrangian`.
"""

from __future__ import annotations

import time

import numpy as np

from matching.domain.solver import column_generation
from matching.domain.solver.assignment import Assignment, assign
from matching.domain.solver.column_generation import SCORE, RestrictedMaster
from matching.domain.solver.flow import max_pairs
from matching.domain.solver.lagrangian import solve_coupled
from matching.domain.solver.mip import solve_mip
from matching.domain.solver.problem import (
    Coupling,
    Indices,
    Infeasible,
    SideConstraints,
    SolveResult,
)


def solve_network(
    master: RestrictedMaster, started: float, coupling: Coupling | None
) -> SolveResult:
    """Most pairs by flow, then the best score by LP (and the coupling row, if any).

    Raises:
        Infeasible: the pins break a capacity, or ``coupling`` cannot hold with the most
            pairs (the caller then takes the MIP path).
    """
    seconds: dict[str, float] = {}
    pairs_needed, extra_i, extra_j = max_pairs_by_flow(master)
    seconds["pairs"] = time.perf_counter() - started
    built = time.perf_counter()
    mentees, mentors = master.candidates()
    master.add_columns(np.concatenate([mentees, extra_i]), np.concatenate([mentors, extra_j]))
    master.pairs_needed = pairs_needed
    if coupling is None and _only_capacities(master.constraints):
        seconds["build"] = time.perf_counter() - built
        solved = time.perf_counter()
        assigned = _best_by_assignment(master, pairs_needed)
        if assigned is not None:
            seconds["score"] = time.perf_counter() - solved
            seconds["total"] = time.perf_counter() - started
            return master.result(*assigned, pairs_needed, seconds=seconds)
    if coupling is not None:
        # Every solution here has exactly `pairs_needed` pairs: the row restated for that
        # many is equivalent and far sparser (`Coupling.with_pairs`). It is in the model
        # from the first solve, which gives both the best bound and its multiplier.
        coupling = coupling.with_pairs(pairs_needed)
        master.couplings = [coupling]
    master.build_rows(count=pairs_needed, couplings=master.couplings)
    seconds["build"] = time.perf_counter() - built
    solved = time.perf_counter()
    master.load(phase=SCORE)
    bound = master.optimise(phase=SCORE)
    if coupling is None and not master.integral():  # pragma: no cover - network LPs
        solve_mip(master)  # have integral vertices
    chosen = master.chosen()
    if coupling is not None:
        chosen, bound = solve_coupled(master, coupling, bound)
    seconds["score"] = time.perf_counter() - solved
    seconds["total"] = time.perf_counter() - started
    return master.result(chosen, bound, pairs_needed, seconds=seconds)


def _only_capacities(constraints: SideConstraints) -> bool:
    """Whether nothing but the mentors' capacities constrains the pairs (`assignment`)."""
    return (
        not constraints.peer
        and not constraints.pinned
        and (constraints.max_pairs_per_department is None or constraints.mentee_department is None)
    )


def _best_by_assignment(
    master: RestrictedMaster, pairs_needed: int
) -> tuple[Indices, float] | None:
    """The second phase by assignment and pricing (`assignment`); None: take the LP.

    Each round solves the assignment over the columns, prices every left-out pair with
    its duals, and adds those that price in; it ends with the pricing certificate.
    Columns added on the way stay for the LP if this path gives up.
    """
    capacity = master.constraints.mentor_capacity
    found: Assignment | None = None
    for _ in range(column_generation.MAX_PRICING_ROUNDS):
        if time.perf_counter() > master.deadline:
            return None  # the LP path stops at the time limit and says so
        found = assign(
            master.columns_i,
            master.columns_j,
            master.column_scores,
            capacity=capacity,
            shape=master.shape,
            pairs=pairs_needed,
            previous=found,
        )
        if found is None:
            return None
        mentees, mentors, scores = master.improving_columns(found.mentee_price, found.mentor_price)
        if len(mentees) == 0:
            return found.chosen, found.bound
        master.rounds += 1
        master.extend(mentees, mentors, scores)
    return None  # no certificate within the rounds allowed: the LP path says so


def max_pairs_by_flow(master: RestrictedMaster) -> tuple[int, Indices, Indices]:
    """The first phase of a bipartite problem; pins are forced first.

    Returns the most pairs and the pairs the flow's proof added to the candidates.
    """
    c = master.constraints
    capacity = c.mentor_capacity.astype(np.int64).copy()
    pinned_mentees = np.array([i for i, _ in c.pinned], dtype=np.intp)
    for _, j in c.pinned:
        capacity[j] -= 1
    if (capacity < 0).any() or len(set(pinned_mentees.tolist())) < len(pinned_mentees):
        msg = "the pins give a mentor more mentees than their capacity, or a mentee two mentors"
        raise Infeasible(msg)
    mentees, mentors = master.candidates()
    keep = np.isfinite(master.initial.scores) & ~np.isin(mentees, pinned_mentees)
    result = max_pairs(
        master.source,
        mentees[keep],
        mentors[keep],
        capacity,
        skipped=pinned_mentees,
        mentee_department=c.mentee_department,
        department_cap=c.max_pairs_per_department,
        pinned_per_department=_pinned_per_department(c),
    )
    master.rounds += result.rounds
    return result.pairs + len(c.pinned), result.added_mentees, result.added_mentors


def _pinned_per_department(constraints: SideConstraints) -> dict[int, int]:
    departments = constraints.mentee_department
    if departments is None:
        return {}
    counts: dict[int, int] = {}
    for i, _ in constraints.pinned:
        counts[int(departments[i])] = counts.get(int(departments[i]), 0) + 1
    return counts
