"""The most pairs possible, as a maximum flow, with a minimum cut as its proof.

Network: source -> (department ->) mentee -> mentor -> sink, with capacity 1 per mentee,
each mentor's capacity, and each department's cap when the program sets one. The flow is
computed on candidate edges only. Two things can prove it is the maximum over every
allowed pair:

- the same network over the hard rules' classes (a node per class of mentees in each
  department, and per class of mentors) allows no more: every matching maps onto it, so
  its maximum flow bounds every matching's size;
- otherwise, the source side of a minimum cut in the residual graph is checked against
  the allowed pairs, block by block (a class of reachable mentees with the unreachable
  mentors its class is allowed): if no allowed pair leaves it, the same cut bounds the
  full network (max-flow min-cut). Pairs that do leave it are added, the best scoring
  first, and the flow is recomputed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from matching.domain.solver.scores import PairScores

MAX_ROUNDS = 100
EDGES_PER_MENTEE_PER_ROUND = 5
CROSSING_GRID_CELLS = 1_000_000
"""Exact scores computed at once while looking for pairs that leave the cut."""
CROSSING_BUDGET_CELLS = 20_000_000
"""Pairs examined per round before settling for the crossing pairs found so far."""


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The most pairs, proven, and the pairs the proof needed."""

    pairs: int
    added_mentees: NDArray[np.intp]
    added_mentors: NDArray[np.intp]
    rounds: int


def max_pairs(
    source: PairScores,
    mentees: NDArray[np.intp],
    mentors: NDArray[np.intp],
    mentor_capacity: NDArray[np.int64],
    *,
    skipped: NDArray[np.intp] | None = None,
    mentee_department: NDArray[np.int32] | None = None,
    department_cap: int | None = None,
    pinned_per_department: dict[int, int] | None = None,
) -> FlowResult:
    """The most pairs over all allowed pairs, starting from candidate edges.

    ``mentees``/``mentors`` are the candidate edges (allowed pairs); ``skipped`` mentees
    take no part (they are pinned). Edges the proof needs are added and returned so the
    caller can add them to its model too.
    """
    n, m = source.shape
    network = _Network(
        n,
        m,
        mentor_capacity=mentor_capacity,
        mentee_department=mentee_department,
        department_cap=department_cap,
        pinned_per_department=pinned_per_department or {},
    )
    taking_part = np.ones(n, dtype=np.bool_)
    if skipped is not None:
        taking_part[skipped] = False
    ceiling = network.class_bound(source, taking_part)
    edges_i, edges_j = [mentees], [mentors]
    present = np.sort(mentees.astype(np.int64) * m + mentors)
    for rounds in range(1, MAX_ROUNDS + 1):
        edge_i, edge_j = np.concatenate(edges_i), np.concatenate(edges_j)
        value, reachable_mentees, reachable_mentors = network.solve(edge_i, edge_j)
        new_i, new_j = (
            (_none(), _none())
            if value >= ceiling
            else _crossing(source, present, reachable_mentees & taking_part, ~reachable_mentors)
        )
        if len(new_i) == 0:
            added = slice(1, None)
            return FlowResult(
                pairs=value,
                added_mentees=np.concatenate(edges_i[added]) if len(edges_i) > 1 else _none(),
                added_mentors=np.concatenate(edges_j[added]) if len(edges_j) > 1 else _none(),
                rounds=rounds,
            )
        present = np.sort(np.concatenate([present, new_i.astype(np.int64) * m + new_j]))
        edges_i.append(new_i)
        edges_j.append(new_j)
    msg = "the maximum flow did not settle"  # pragma: no cover - each round adds edges
    raise RuntimeError(msg)


def _crossing(
    source: PairScores,
    present: NDArray[np.int64],
    mentees: NDArray[np.bool_],
    mentors: NDArray[np.bool_],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Allowed pairs not yet edges from ``mentees`` to ``mentors``, the best few per mentee.

    Block by block; once a round has examined `CROSSING_BUDGET_CELLS` pairs and found
    some, it stops there (the flow is not the maximum yet, so the round is not the proof).
    """
    structure = source.structure
    _, m = source.shape
    rows = np.nonzero(mentees & (structure.mentee_class >= 0))[0]
    columns = np.nonzero(mentors)[0]
    if len(rows) == 0 or len(columns) == 0:
        return _none(), _none()
    found_i: list[NDArray[np.intp]] = []
    found_j: list[NDArray[np.intp]] = []
    found_score: list[NDArray[np.float64]] = []
    examined = 0
    classes = structure.mentee_class[rows]
    order = np.argsort(classes, kind="stable")
    cuts = np.concatenate([[0], np.nonzero(np.diff(classes[order]))[0] + 1, [len(order)]])
    for start, stop in itertools.pairwise(cuts):
        block_rows = rows[order[start:stop]]
        mentee_class = int(structure.mentee_class[block_rows[0]])
        allowed = structure.allowed[mentee_class][structure.mentor_class[columns]]
        block_columns = columns[allowed]
        if len(block_columns) == 0:
            continue
        step = max(1, CROSSING_GRID_CELLS // len(block_columns))
        for first in range(0, len(block_rows), step):
            part = block_rows[first : first + step]
            scores = source.grid(part, block_columns)
            at_row, at_column = np.nonzero(np.isfinite(scores))
            i, j = part[at_row], block_columns[at_column]
            keys = i.astype(np.int64) * m + j
            at = np.minimum(np.searchsorted(present, keys), max(len(present) - 1, 0))
            new = present[at] != keys if len(present) else np.ones(len(keys), dtype=np.bool_)
            found_i.append(i[new])
            found_j.append(j[new])
            found_score.append(scores[at_row, at_column][new])
            examined += scores.size
            if examined >= CROSSING_BUDGET_CELLS and any(len(f) for f in found_i):
                return _best_per_row(found_i, found_j, found_score)
    return _best_per_row(found_i, found_j, found_score)


def _best_per_row(
    found_i: list[NDArray[np.intp]],
    found_j: list[NDArray[np.intp]],
    found_score: list[NDArray[np.float64]],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    if not found_i:
        return _none(), _none()
    i, j, score = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_score)
    order = np.lexsort((-score, i))
    i, j = i[order], j[order]
    first = np.searchsorted(i, i, side="left")
    keep = np.arange(len(i)) - first < EDGES_PER_MENTEE_PER_ROUND
    return i[keep], j[keep]


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

    def _department_node(self) -> NDArray[np.intp]:
        """Each mentee's department node, or -1 when its department has no cap."""
        if not len(self._departments):
            return np.full(self._n, -1, dtype=np.intp)
        assert self._department_of is not None
        position = np.searchsorted(self._departments, self._department_of)
        position = np.minimum(position, len(self._departments) - 1)
        capped = (self._department_of >= 0) & (self._departments[position] == self._department_of)
        return np.where(capped, self._first_department + position, -1).astype(np.intp)

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

    def class_bound(self, source: PairScores, taking_part: NDArray[np.bool_]) -> int:
        """The maximum flow of the network over classes: a bound on every matching.

        Nodes: a department (capped), a class of mentees within a department (or a single
        mentee who may only take listed pairs), a class of mentors.
        """
        structure = source.structure
        department = self._department_node()
        classes = structure.mentee_class
        mentor_classes = len(structure.allowed[0]) if len(structure.allowed) else 0
        always_i, always_j = source.always
        restricted = taking_part & (classes < 0)
        grouped = taking_part & (classes >= 0)
        # mentee groups: (department node, class) for grouped mentees, one per restricted one
        group_key = np.where(grouped, (department + 1) * (len(structure.allowed) + 1) + classes, -1)
        keys, group_of, sizes = np.unique(
            group_key[grouped], return_inverse=True, return_counts=True
        )
        restricted_rows = np.nonzero(restricted)[0]
        groups = len(keys) + len(restricted_rows)
        first_group = 1 + len(self._departments)
        first_class = first_group + groups
        sink = first_class + mentor_classes
        group_department = np.concatenate(
            [
                department[np.nonzero(grouped)[0]][np.unique(group_of, return_index=True)[1]]
                if len(keys)
                else np.zeros(0, dtype=np.intp),
                department[restricted_rows],
            ]
        )
        group_class = keys % (len(structure.allowed) + 1)
        tails: list[NDArray[np.intp]] = [np.zeros(len(self._departments), dtype=np.intp)]
        heads: list[NDArray[np.intp]] = [1 + np.arange(len(self._departments), dtype=np.intp)]
        caps: list[NDArray[np.int64]] = [self._department_caps.astype(np.int64)]
        group_nodes = first_group + np.arange(groups, dtype=np.intp)
        tails.append(np.where(group_department >= 0, group_department, 0).astype(np.intp))
        heads.append(group_nodes)
        caps.append(np.concatenate([sizes, np.ones(len(restricted_rows), dtype=np.int64)]))
        big = int(self._capacity.sum()) + 1
        group_at, class_at = np.nonzero(structure.allowed[group_class])
        tails.append(group_nodes[group_at])
        heads.append(first_class + class_at)
        caps.append(np.full(len(group_at), big, dtype=np.int64))
        if len(restricted_rows) and len(always_i):
            position = np.full(self._n, -1, dtype=np.intp)
            position[restricted_rows] = len(keys) + np.arange(len(restricted_rows))
            mine = position[always_i] >= 0
            allowed = np.isfinite(source.pairs(always_i[mine], always_j[mine]))
            tails.append(group_nodes[position[always_i[mine][allowed]]])
            heads.append(first_class + structure.mentor_class[always_j[mine][allowed]])
            caps.append(np.ones(int(allowed.sum()), dtype=np.int64))
        seats = np.zeros(mentor_classes, dtype=np.int64)
        np.add.at(seats, structure.mentor_class, self._capacity.astype(np.int64))
        tails.append(first_class + np.arange(mentor_classes, dtype=np.intp))
        heads.append(np.full(mentor_classes, sink, dtype=np.intp))
        caps.append(seats)
        graph = coo_array(
            (np.concatenate(caps).astype(np.int32), (np.concatenate(tails), np.concatenate(heads))),
            shape=(sink + 1, sink + 1),
        ).tocsr()
        graph.sum_duplicates()
        return int(maximum_flow(graph, 0, sink).flow_value)

    def _edges(
        self, edge_i: NDArray[np.intp], edge_j: NDArray[np.intp]
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int32]]:
        n, m = self._n, self._m
        mentee_nodes = self._first_mentee + np.arange(n)
        department = self._department_node()
        capped = department >= 0
        tails = [
            np.zeros(len(self._departments), dtype=np.intp),
            department[capped],
            np.zeros(int((~capped).sum()), dtype=np.intp),
            self._first_mentee + edge_i,
            self._first_mentor + np.arange(m),
        ]
        heads = [
            self._first_department + np.arange(len(self._departments)),
            mentee_nodes[capped],
            mentee_nodes[~capped],
            self._first_mentor + edge_j,
            np.full(m, self.sink, dtype=np.intp),
        ]
        caps = [
            self._department_caps,
            np.ones(int(capped.sum()), dtype=np.int32),
            np.ones(int((~capped).sum()), dtype=np.int32),
            np.ones(len(edge_i), dtype=np.int32),
            self._capacity.astype(np.int32),
        ]
        return np.concatenate(tails), np.concatenate(heads), np.concatenate(caps)


def _none() -> NDArray[np.intp]:
    return np.zeros(0, dtype=np.intp)
