"""Candidate selection: the few pairs the first restricted LP starts from.

Each mentee's best few mentors, each mentor's best mentee, and every pinned or existing
pair. Pricing (`column_generation`) proves afterwards that nothing left out matters, or
adds what does, so this choice affects speed only, never the answer.
"""

from __future__ import annotations

import numpy as np

from matching.domain.parallel import each_block
from matching.domain.solver.problem import Indices, SideConstraints, Vector

CANDIDATE_BLOCK_CELLS = 1_000_000


def initial_candidates(
    scores: Vector, constraints: SideConstraints, per_mentee: int
) -> tuple[Indices, Indices]:
    """(mentee rows, mentor columns) of the starting pairs, each pair once, in key order.

    ``scores`` is ``-inf`` where a pair is not allowed. Computed in row blocks that stay in
    cache, so the matrix is read only once.
    """
    rows, columns = scores.shape
    k = min(per_mentee, columns)
    block = max(1, CANDIDATE_BLOCK_CELLS // max(columns, 1))

    def select(start: int) -> tuple[Indices, Indices, Vector, Indices]:
        part = scores[start : start + block]
        top = np.argpartition(part, columns - k, axis=1)[:, columns - k :]
        local = part.argmax(axis=0)
        return (
            np.repeat(np.arange(start, start + len(part)), k),
            top.ravel(),
            part[local, np.arange(columns)],
            local + start,
        )

    selected = each_block(select, range(0, rows, block))
    best_value = np.stack([value for _, _, value, _ in selected])
    best_row = np.stack([row for _, _, _, row in selected])
    winner = best_value.argmax(axis=0)
    fixed = [*constraints.pinned, *constraints.existing]
    mentees = np.concatenate(
        [
            *(i for i, _, _, _ in selected),
            best_row[winner, np.arange(columns)],
            np.array([i for i, _ in fixed], dtype=np.intp),
        ]
    )
    mentors = np.concatenate(
        [
            *(j for _, j, _, _ in selected),
            np.arange(columns),
            np.array([j for _, j in fixed], dtype=np.intp),
        ]
    )
    keep = np.isfinite(scores[mentees, mentors])
    keep[len(keep) - len(fixed) :] = True
    if constraints.peer:
        mentees, mentors = np.minimum(mentees, mentors), np.maximum(mentees, mentors)
        keep &= mentees != mentors
    keys = np.unique(mentees[keep].astype(np.int64) * columns + mentors[keep])
    return (keys // columns).astype(np.intp), (keys % columns).astype(np.intp)
