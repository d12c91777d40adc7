"""The min-cost-flow reference of the matching benchmark, run in its own process.

OR-Tools bundles its own build of HiGHS, and so does highspy; both cannot live in one
process (whichever loads first wins the shared symbols and the other fails to import). The
benchmark therefore writes the plain instance to an .npz file and runs this script on it:

    python benchmarks/mcf_reference.py INSTANCE.npz

It prints one JSON object: the seconds spent building and solving the flow, the number of
pairs and their total exact score. Costs are integers: scores in 1e-4 units.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

COST_UNITS = 10_000


def solve(scores: NDArray[np.float64], capacity: NDArray[np.int64]) -> dict[str, float | int]:
    """Most pairs, then the highest score, as a min-cost max-flow on the allowed pairs."""
    started = time.perf_counter()
    mentees, mentors = scores.shape
    rows, columns = np.nonzero(np.isfinite(scores))
    source, sink = mentees + mentors, mentees + mentors + 1
    tails = np.concatenate([np.full(mentees, source), rows, mentees + np.arange(mentors)])
    heads = np.concatenate([np.arange(mentees), mentees + columns, np.full(mentors, sink)])
    capacities = np.concatenate(
        [np.ones(mentees, np.int64), np.ones(len(rows), np.int64), capacity.astype(np.int64)]
    )
    costs = np.concatenate(
        [
            np.zeros(mentees, np.int64),
            -np.rint(scores[rows, columns] * COST_UNITS).astype(np.int64),
            np.zeros(mentors, np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_node_supply(source, mentees)
    flow.set_node_supply(sink, -mentees)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        msg = f"the reference min-cost flow ended with status {status}"
        raise RuntimeError(msg)
    used = flow.flows(arcs[mentees : mentees + len(rows)]) > 0
    seconds = time.perf_counter() - started
    score = float(scores[rows[used], columns[used]].sum())
    return {"seconds": seconds, "pairs": int(used.sum()), "score": score}


def main(argv: list[str]) -> int:
    """Solve the instance named on the command line and print the result as JSON."""
    with np.load(argv[0]) as instance:
        result = solve(instance["scores"], instance["capacity"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
