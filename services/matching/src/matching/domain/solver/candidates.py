"""Candidate selection: the few pairs the first models start from, and bounds on the rest.

One scan over the allowed blocks (`scores.PairScores.scan`), chunk by chunk on every
core, keeps: each mentee's best few mentors (a vectorised top-k per chunk row), each
mentor's best mentee, and, per mentee and group of mentors, the best score among the
pairs it leaves out. Every pinned, existing or picked pair is added. Nothing of the scan
outlives its chunk but these.

The bounds are what lets pricing (`column_generation`) prove that no left-out pair
improves the optimum without scoring the left-out pairs again: a left-out pair of mentee
``i`` with a mentor of group ``g`` scores at most ``bounds[i, g] + tolerance``. So this
choice affects speed only, never the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.domain.parallel import each_block
from matching.domain.solver.problem import Indices, SideConstraints, Vector
from matching.domain.solver.scores import PairScores, ScanChunk


@dataclass(frozen=True, slots=True)
class Candidates:
    """The starting pairs and what is known of every pair left out."""

    mentees: Indices
    mentors: Indices
    """The starting pairs, each once, in key order (``mentee * mentors + mentor``)."""
    scores: Vector
    """Their exact scores."""
    bounds: NDArray[np.float32]
    """``(mentees, groups)``: the best scanned value of a pair left out (-inf: none)."""
    tolerance: float
    """Add to a bound to bound an exact score."""
    row_best: Vector
    """An upper bound on each mentee's best exact score (-inf: no allowed pair)."""
    column_best: Vector
    """An upper bound on each mentor's best exact score (-inf: no allowed pair)."""


@dataclass(frozen=True, slots=True)
class _ChunkResult:
    rows: Indices
    top: Indices
    """``(len(rows), k)`` mentor indices."""
    column_value: NDArray[np.floating]
    column_row: Indices
    columns: Indices
    group_rows: Indices
    group_ids: Indices
    group_max: NDArray[np.floating]


def initial_candidates(
    source: PairScores, constraints: SideConstraints, per_mentee: int
) -> Candidates:
    """Each mentee's best ``per_mentee`` mentors, each mentor's best mentee, the fixed pairs."""
    rows, columns = source.shape
    structure = source.structure
    bounds = np.full((rows, structure.groups), -np.inf, dtype=np.float32)
    column_value = np.full(columns, -np.inf)
    column_row = np.full(columns, -1, dtype=np.intp)
    groups = structure.mentor_group

    def select(position: int) -> _ChunkResult:
        chunk = chunks[position]()
        return _select(chunk, groups, per_mentee)

    chunks = source.scan()
    picked_i: list[Indices] = []
    picked_j: list[Indices] = []
    for result in each_block(select, range(len(chunks))):
        picked_i.append(np.repeat(result.rows, result.top.shape[1]))
        picked_j.append(result.top.ravel())
        better = result.column_value > column_value[result.columns]
        column_value[result.columns[better]] = result.column_value[better]
        column_row[result.columns[better]] = result.column_row[better]
        bounds[result.group_rows, result.group_ids] = result.group_max
    best_columns = np.nonzero(column_row >= 0)[0]
    fixed = [*constraints.pinned, *constraints.existing]
    always_i, always_j = source.always
    mentees = np.concatenate(
        [
            *picked_i,
            column_row[best_columns],
            always_i,
            np.array([i for i, _ in fixed], dtype=np.intp),
        ]
    )
    mentors = np.concatenate(
        [*picked_j, best_columns, always_j, np.array([j for _, j in fixed], dtype=np.intp)]
    )
    scores = source.pairs(mentees, mentors)
    keep = np.isfinite(scores)
    keep[len(keep) - len(fixed) :] = True
    if constraints.peer:
        mentees, mentors = np.minimum(mentees, mentors), np.maximum(mentees, mentors)
        keep &= mentees != mentors
    keys, first = np.unique(
        mentees[keep].astype(np.int64) * columns + mentors[keep], return_index=True
    )
    scores = scores[keep][first]
    mentees = (keys // columns).astype(np.intp)
    mentors = (keys % columns).astype(np.intp)
    # The bounds are float32: storing a scanned value may round it down by half an ulp.
    finite = np.isfinite(bounds)
    largest = float(np.abs(bounds[finite]).max()) if finite.any() else 0.0
    tolerance = source.tolerance + float(np.finfo(np.float32).eps) * largest
    row_best = np.full(rows, -np.inf)
    np.maximum.at(row_best, mentees, np.where(np.isfinite(scores), scores, -np.inf))
    if structure.groups:
        row_best = np.maximum(row_best, bounds.max(axis=1).astype(np.float64) + tolerance)
    column_best = np.full(columns, -np.inf)
    np.maximum.at(column_best, mentors, np.where(np.isfinite(scores), scores, -np.inf))
    column_best = np.maximum(column_best, column_value + tolerance)
    return Candidates(
        mentees=mentees,
        mentors=mentors,
        scores=scores,
        bounds=bounds,
        tolerance=tolerance,
        row_best=row_best,
        column_best=column_best,
    )


def _select(chunk: ScanChunk, groups: Indices, per_mentee: int) -> _ChunkResult:
    """Top-k per row, best row per column, and the best left-out value per row and group."""
    values = chunk.values
    count = values.shape[1]
    k = min(per_mentee, count)
    top = np.argpartition(values, count - k, axis=1)[:, count - k :]
    best = values.max(axis=0)
    best_row = values.argmax(axis=0)
    np.put_along_axis(values, top, -np.inf, axis=1)
    chunk_groups = groups[chunk.mentors]
    starts = np.concatenate([[0], np.nonzero(np.diff(chunk_groups))[0] + 1])
    group_max = np.maximum.reduceat(values, starts, axis=1)
    group_ids = chunk_groups[starts]
    return _ChunkResult(
        rows=chunk.mentees,
        top=chunk.mentors[top],
        column_value=best.astype(np.float64),
        column_row=chunk.mentees[best_row],
        columns=chunk.mentors,
        group_rows=chunk.mentees[:, None],
        group_ids=group_ids[None, :],
        group_max=group_max,
    )
