"""The most pairs possible, as a maximum flow, with a minimum cut as its proof.

Network: source -> (department ->) mentee -> mentor -> sink, with capacity 1 per mentee,
each mentor's capacity, and each department's cap when the program sets one. The flow is
computed on candidate edges only; the source side of a minimum cut in the residual graph
is then checked against every allowed pair of the full problem. If no allowed pair leaves
it, the same cut bounds the full network, so the flow is the full maximum (max-flow
min-cut). Otherwise the crossing pairs are added and the flow recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

MAX_ROUNDS = 100
EDGES_PER_MENTEE_PER_ROUND = 5


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The most pairs, proven, and the pairs the proof needed."""

    pairs: int
    added_mentees: NDArray[np.intp]
    added_mentors: NDArray[np.intp]
    rounds: int


def max_pairs(
    allowed: NDArray[np.bool_],
    mentees: NDArray[np.intp],
    mentors: NDArray[np.intp],
    mentor_capacity: NDArray[np.int64],
    *,
    mentee_department: NDArray[np.int32] | None = None,
    department_cap: int | None = None,
    pinned_per_department: dict[int, int] | None = None,
) -> FlowResult:
    """The most pairs over all ``allowed`` pairs, starting from candidate edges.

    ``mentees``/``mentors`` are the candidate edges; edges the proof needs are added and
    returned so the caller can add them to its model too.
    """
    n, m = allowed.shape
    present = np.zeros(allowed.shape, dtype=np.bool_)
    present[mentees, mentors] = True
    edges_i, edges_j = [mentees], [mentors]
    network = _Network(
        n,
        m,
        mentor_capacity=mentor_capacity,
        mentee_department=mentee_department,
        department_cap=department_cap,
        pinned_per_department=pinned_per_department or {},
    )
    for rounds in range(1, MAX_ROUNDS + 1):
        edge_i, edge_j = np.concatenate(edges_i), np.concatenate(edges_j)
        value, reachable_mentees, reachable_mentors = network.solve(edge_i, edge_j)
        crossing = allowed & ~present & reachable_mentees[:, None] & ~reachable_mentors[None, :]
        if not crossing.any():
            added = slice(1, None)
            return FlowResult(
                pairs=value,
                added_mentees=np.concatenate(edges_i[added]) if len(edges_i) > 1 else _none(),
                added_mentors=np.concatenate(edges_j[added]) if len(edges_j) > 1 else _none(),
                rounds=rounds,
            )
        new_i, new_j = _a_few_per_row(crossing)
        present[new_i, new_j] = True
        edges_i.append(new_i)
        edges_j.append(new_j)
    msg = "the maximum flow did not settle"  # pragma: no cover - each round adds edges
    raise RuntimeError(msg)


class _Network:
    def __init__(
        self,
        mentees: int,
        mentors: int,
        *,
        mentor_capacity: NDArray[np.int64],
        mentee_department: NDArray[np.int32] | None,
        department_cap: int | None,
        pinned_per_department: dict[int, int],
    ) -> None:
        self._n, self._m = mentees, mentors
        self._capacity = mentor_capacity
        self._department_of = mentee_department
        if department_cap is not None and mentee_department is not None:
            self._departments = np.unique(mentee_department[mentee_department >= 0])
        else:
            self._departments = np.zeros(0, dtype=np.int32)
        self._department_caps = np.array(
            [
                max(0, (department_cap or 0) - pinned_per_department.get(int(d), 0))
                for d in self._departments
            ],
            dtype=np.int32,
        )
        d = len(self._departments)
        self.source, self.sink = 0, 1 + d + mentees + mentors
        self._first_department, self._first_mentee = 1, 1 + d
        self._first_mentor = 1 + d + mentees

    def solve(
        self, edge_i: NDArray[np.intp], edge_j: NDArray[np.intp]
    ) -> tuple[int, NDArray[np.bool_], NDArray[np.bool_]]:
        """Flow value and, per mentee and mentor, whether it is on the source side."""
        tails, heads, capacities = self._edges(edge_i, edge_j)
        size = self.sink + 1
        graph = coo_array((capacities, (tails, heads)), shape=(size, size)).tocsr()
        graph.sum_duplicates()
        result = maximum_flow(graph, self.source, self.sink)
        flow = result.flow.tocsr()
        residual = (graph - flow).tocsr()
        residual.data = np.where(residual.data > 0, residual.data, 0)
        residual.eliminate_zeros()
        backward = flow.transpose().tocsr()
        backward.data = np.where(backward.data > 0, backward.data, 0)
        backward.eliminate_zeros()
        reachable = np.zeros(size, dtype=np.bool_)
        order = breadth_first_order(
            (residual + backward).tocsr(), self.source, directed=True, return_predecessors=False
        )
        reachable[order] = True
        return (
            int(result.flow_value),
            reachable[self._first_mentee : self._first_mentor],
            reachable[self._first_mentor : self.sink],
        )

    def _edges(
        self, edge_i: NDArray[np.intp], edge_j: NDArray[np.intp]
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int32]]:
        n, m = self._n, self._m
        mentee_nodes = self._first_mentee + np.arange(n)
        tails: list[NDArray[np.intp]] = []
        heads: list[NDArray[np.intp]] = []
        caps: list[NDArray[np.int32]] = []
        if len(self._departments):
            assert self._department_of is not None
            index = {int(d): k for k, d in enumerate(self._departments)}
            department_node = np.array(
                [
                    self._first_department + index.get(int(d), -1) if d >= 0 else -1
                    for d in self._department_of
                ],
                dtype=np.intp,
            )
            capped = department_node >= 0
            tails += [np.zeros(len(self._departments), dtype=np.intp), department_node[capped]]
            heads += [
                self._first_department + np.arange(len(self._departments)),
                mentee_nodes[capped],
            ]
            caps += [self._department_caps, np.ones(int(capped.sum()), dtype=np.int32)]
            free = ~capped
        else:
            free = np.ones(n, dtype=np.bool_)
        tails.append(np.zeros(int(free.sum()), dtype=np.intp))
        heads.append(mentee_nodes[free])
        caps.append(np.ones(int(free.sum()), dtype=np.int32))
        tails.append(self._first_mentee + edge_i)
        heads.append(self._first_mentor + edge_j)
        caps.append(np.ones(len(edge_i), dtype=np.int32))
        tails.append(self._first_mentor + np.arange(m))
        heads.append(np.full(m, self.sink, dtype=np.intp))
        caps.append(self._capacity.astype(np.int32))
        return np.concatenate(tails), np.concatenate(heads), np.concatenate(caps)


def _a_few_per_row(crossing: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    rows, columns = np.nonzero(crossing)
    _, first = np.unique(rows, return_index=True)
    keep = np.zeros(len(rows), dtype=np.bool_)
    for offset in range(EDGES_PER_MENTEE_PER_ROUND):
        position = first + offset
        valid = position < len(rows)
        position = position[valid]
        keep[position[rows[position] == rows[first[valid]]]] = True
    return rows[keep], columns[keep]


def _none() -> NDArray[np.intp]:
    return np.zeros(0, dtype=np.intp)
