"""The plain problem's second phase as an assignment over seats, with its duals.

When nothing but the mentors' capacities shapes the problem (no pins, department caps,
coupling rows or peers) and the most pairs fill one side completely (every seat, or
every mentee that has a candidate), the best score among the matchings with that many
pairs is a minimum-weight *full* matching of the bipartite graph of seats (each mentor
repeated once per seat) and mentees over the candidate pairs. SciPy's sparse
Jonker-Volgenant (``min_weight_full_bipartite_matching``) solves it combinatorially, in
a fraction of what the dual simplex spends on the same LP (measured on the benchmark's
instance of 50,000 mentees: under a second against 15 s and 71,000 iterations).

The pricing certificate needs the LP's duals, which that function does not return. They
are the node potentials of the optimal flow's residual graph (source -> mentee -> mentor
-> sink, a mentee-mentor arc per candidate pair, and the count row "at least the most
pairs" as an arc sink -> source): an optimal flow leaves no negative cycle, so shortest
distances exist, computed by a vectorised Bellman-Ford from a virtual root. With
``d`` those distances, the LP duals are

    u_i = max(0, d[i] - d[s])     (mentee rows, >= 0)
    v_j = max(0, d[t] - d[j])     (mentor rows, >= 0)
    w   = d[s] - d[t]             (the count row, <= 0: the arc t -> s is residual)

and satisfy ``c[i, j] <= u_i + v_j + w`` on every candidate pair, with equality on the
chosen ones and zero duals on the rows with slack (complementary slackness): the
restricted LP is solved, and `column_generation` prices every left-out pair with these
duals exactly as it does with HiGHS's. Pairs that price in are added and the assignment
is solved again. The dual objective is checked against the matching's score; anything
unexpected (no full matching, potentials that do not settle, a residual violation)
leaves the problem to the LP, so this path changes speed only, never the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.domain.solver.problem import Indices, Vector

SETTLE_TOLERANCE = 1e-9
"""A distance improves only by more than this (float noise makes no cycle of it)."""
DUAL_TOLERANCE = 1e-7
"""The largest violation of a candidate pair's dual row accepted (HiGHS's default)."""
MAX_SETTLE_ROUNDS_PER_NODE = 1
"""Bellman-Ford rounds allowed: this many per node (more means a negative cycle)."""
WARM_SETTLE_ROUNDS = 50
"""Bellman-Ford rounds from the previous distances before solving the assignment again
(a cold start settles in about 40 on the 50,000-mentee benchmark)."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """An optimal matching of the candidate pairs and the LP duals that prove it."""

    chosen: Indices
    """Positions (in the candidate arrays) of the chosen pairs."""
    mentee_price: Vector
    """Per mentee: its row's dual plus the count row's (what pricing subtracts)."""
    mentor_price: Vector
    """Per mentor: its row's dual."""
    bound: float
    """The dual objective, raised by any residual violation: a bound on the LP."""
    matched_to: NDArray[np.intp]
    """Each mentee's mentor (-1: none)."""
    potentials: Vector
    """The residual graph's distances the duals come from (a warm start for the next)."""


def assign(
    mentees: Indices,
    mentors: Indices,
    scores: Vector,
    *,
    capacity: NDArray[np.int64],
    shape: tuple[int, int],
    pairs: int,
    previous: Assignment | None = None,
) -> Assignment | None:
    """The best matching of ``pairs`` pairs over the candidate pairs, with its duals.

    ``pairs`` is the most pairs any matching has (proven by the flow). None when this
    path does not apply: the candidate graph has no full matching of that size, or the
    duals could not be established to the tolerances.

    ``previous``: the result over fewer candidates (pricing's last round; the arrays only
    grew since). Its matching is tried first: if the new pairs leave no negative cycle,
    the distances settle from the previous ones within `WARM_SETTLE_ROUNDS` and the
    matching is still optimal (pricing often adds pairs that only tie); otherwise the
    assignment is solved again.
    """
    n = shape[0]
    allowed = np.isfinite(scores)
    positions = np.nonzero(allowed)[0]
    mentees, mentors, scores = mentees[positions], mentors[positions], scores[positions]
    capacity = np.maximum(capacity.astype(np.int64), 0)
    taking_part = np.unique(mentees)
    seats_used = capacity[np.unique(mentors)].sum()
    if pairs == 0 or pairs != min(len(taking_part), int(seats_used)):
        return None
    if previous is not None:
        chosen = np.nonzero(previous.matched_to[mentees] == mentors)[0]
        potentials = _potentials(
            mentees,
            mentors,
            scores,
            capacity=capacity,
            matched_to=previous.matched_to,
            chosen=chosen,
            start=previous.potentials,
        )
        if potentials is not None:
            found = _duals(
                mentees,
                mentors,
                scores,
                capacity=capacity,
                potentials=potentials,
                chosen=chosen,
                taking_part=taking_part,
            )
            if found is not None:
                return Assignment(positions[chosen], *found, previous.matched_to, potentials)
    matched_to = _full_matching(mentees, mentors, scores, capacity, n)
    if matched_to is None:
        return None
    chosen = np.nonzero(matched_to[mentees] == mentors)[0]
    potentials = _potentials(
        mentees, mentors, scores, capacity=capacity, matched_to=matched_to, chosen=chosen
    )
    if potentials is None:
        return None
    found = _duals(
        mentees,
        mentors,
        scores,
        capacity=capacity,
        potentials=potentials,
        chosen=chosen,
        taking_part=taking_part,
    )
    if found is None:
        return None
    return Assignment(positions[chosen], *found, matched_to, potentials)


def _duals(
    mentees: Indices,
    mentors: Indices,
    scores: Vector,
    *,
    capacity: NDArray[np.int64],
    potentials: Vector,
    chosen: Indices,
    taking_part: Indices,
) -> tuple[Vector, Vector, float] | None:
    """(mentee prices, mentor prices, bound) from the potentials, checked; None: not proven."""
    n, m = len(potentials) - len(capacity) - 2, len(capacity)
    distance_s, distance_t = potentials[n + m], potentials[n + m + 1]
    u = np.zeros(n)
    u[taking_part] = np.maximum(potentials[taking_part] - distance_s, 0.0)
    v = np.maximum(distance_t - potentials[n : n + m], 0.0)
    w = min(distance_s - distance_t, 0.0)
    reduced = scores - u[mentees] - v[mentors] - w
    violation = max(float(reduced.max(initial=0.0)), 0.0)
    if violation > DUAL_TOLERANCE:
        return None
    score = float(scores[chosen].sum())
    dual = float(u.sum() + (capacity * v).sum() + len(chosen) * w)
    # Raising every mentee's dual by the largest violation makes the duals feasible.
    bound = dual + violation * len(taking_part)
    if abs(bound - score) > DUAL_TOLERANCE * max(1.0, abs(score)):
        return None
    return u + w, v, max(bound, score)


def _full_matching(
    mentees: Indices,
    mentors: Indices,
    scores: Vector,
    capacity: NDArray[np.int64],
    n: int,
) -> NDArray[np.intp] | None:
    """Each mentee's mentor (-1: none) in a best full matching of seats and mentees."""
    taking_part, mentee_column = np.unique(mentees, return_inverse=True)
    seat_owners, seat_row_of_mentor = np.unique(mentors, return_inverse=True)
    owner_capacity = capacity[seat_owners]
    first_seat = np.concatenate([[0], np.cumsum(owner_capacity)[:-1]])
    copies = owner_capacity[seat_row_of_mentor]
    pair = np.repeat(np.arange(len(mentees)), copies)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(copies) - copies, copies)
    seat = first_seat[seat_row_of_mentor[pair]] + within
    # Positive weights (the function ignores zeros); minimising them maximises the score.
    weights = (float(scores.max()) + 1.0) - scores[pair]
    graph = csr_array(
        (weights, (seat, mentee_column[pair])),
        shape=(int(owner_capacity.sum()), len(taking_part)),
    )
    try:
        seat_rows, columns = min_weight_full_bipartite_matching(graph)
    except ValueError:  # no full matching of the candidate pairs
        return None
    mentor_of_seat = np.repeat(seat_owners, owner_capacity)
    matched_to = np.full(n, -1, dtype=np.intp)
    matched_to[taking_part[columns]] = mentor_of_seat[seat_rows]
    return matched_to


def _potentials(
    mentees: Indices,
    mentors: Indices,
    scores: Vector,
    *,
    capacity: NDArray[np.int64],
    matched_to: NDArray[np.intp],
    chosen: Indices,
    start: Vector | None = None,
) -> Vector | None:
    """Shortest distances in the residual graph from a virtual root (None: no settling).

    ``start``: distances of a subgraph's paths (the previous round's), which bound the
    new ones from above, so Bellman-Ford may start from them; it then gives up after
    `WARM_SETTLE_ROUNDS` (a negative cycle: the matching is no longer optimal).

    Nodes: mentees ``0 .. n-1``, mentors ``n .. n+m-1``, the source ``n+m``, the sink
    ``n+m+1``. Costs are minus the scores (a minimum-cost flow).
    """
    n, m = len(matched_to), len(capacity)
    source, sink = n + m, n + m + 1
    matched = matched_to >= 0
    load = np.bincount(matched_to[matched], minlength=m)
    taking_part = np.zeros(n, dtype=np.bool_)
    taking_part[mentees] = True
    free = np.nonzero(taking_part & ~matched)[0]
    busy = np.nonzero(matched)[0]
    room = np.nonzero(load < capacity)[0]
    used = np.nonzero(load > 0)[0]
    tails = np.concatenate(
        [
            mentees,
            n + mentors[chosen],
            np.full(len(free), source),
            busy,
            n + room,
            np.full(len(used), sink),
            [sink],
        ]
    ).astype(np.intp)
    heads = np.concatenate(
        [
            n + mentors,
            mentees[chosen],
            free,
            np.full(len(busy), source),
            np.full(len(room), sink),
            n + used,
            [source],
        ]
    ).astype(np.intp)
    costs = np.concatenate(
        [-scores, scores[chosen], np.zeros(len(free) + len(busy) + len(room) + len(used) + 1)]
    )
    nodes = n + m + 2
    order = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.searchsorted(tails, np.arange(nodes + 1))
    distance = np.zeros(nodes) if start is None else start.copy()
    changed = np.ones(nodes, dtype=np.bool_)
    rounds = MAX_SETTLE_ROUNDS_PER_NODE * nodes if start is None else WARM_SETTLE_ROUNDS
    for _ in range(rounds):
        active = np.nonzero(changed)[0]
        lengths = starts[active + 1] - starts[active]
        arcs = np.repeat(starts[active] - np.cumsum(lengths) + lengths, lengths) + np.arange(
            int(lengths.sum())
        )
        reached = distance[tails[arcs]] + costs[arcs]
        better = reached < distance[heads[arcs]] - SETTLE_TOLERANCE
        if not better.any():
            return distance
        updated = distance.copy()
        np.minimum.at(updated, heads[arcs][better], reached[better])
        changed = updated < distance
        distance = updated
    return None  # a negative cycle: the matching is not optimal (or not any more)
