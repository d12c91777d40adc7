"""What the solver reads of the scores: exact pairs, the hard rules' blocks, and a scan.

The solver never needs every pair's score at once. It asks for

- the exact score of listed pairs, or of a small grid of them (``-inf``: not allowed);
- the **structure** of the hard rules: each mentee's and each mentor's class (people of
  one class answer every attribute a hard rule reads alike), which class pairs the rules
  allow, and the few pairs inside allowed blocks that are still excluded (the same person,
  a reporting line, an admin's forbid), which the exact scores know;
- a **scan**: every pair of every allowed block once, chunk by chunk, with approximate
  scores (within `PairScores.tolerance` of the exact ones), from which candidate
  selection takes each mentee's and each mentor's best pairs and, per mentee and group of
  mentors, a bound on every pair it leaves out. Pricing then proves against those bounds.

Pairs in `PairScores.always` (a mentee's picks) are put in every model, so neither the
scan nor the bounds need to know of their extras. A mentee of class -1 may only be paired
through `always` pairs (the program requires a pick).

`DenseScores` serves a score matrix this way (tests, peer programs, small problems);
`matching.domain.scoring.BlockScores` computes the blocks of a real program.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from matching.domain.solver.problem import Indices, Vector

MAX_GROUPS = 64
"""Mentor groups per mentee that candidate selection keeps a bound for."""


@dataclass(frozen=True, slots=True)
class Structure:
    """The hard rules' blocks: classes of mentees and mentors, and which pairs of them."""

    mentee_class: Indices
    """Each mentee's class; -1 for a mentee who may only take an ``always`` pair."""
    mentor_class: Indices
    allowed: NDArray[np.bool_]
    """``allowed[a, b]``: the hard rules allow mentees of class a with mentors of class b
    (individual pairs inside may still be excluded: the exact scores say which)."""
    mentor_group: Indices
    """Each mentor's group (0 .. groups - 1): candidate selection keeps, per mentee and
    group, a bound on the pairs it leaves out. A scan chunk's mentors ascend in group."""
    groups: int


@dataclass(frozen=True, slots=True)
class ScanChunk:
    """Approximate scores of some mentees with every mentor their class is allowed."""

    mentees: Indices
    mentors: Indices
    """Ascending in `Structure.mentor_group`."""
    values: NDArray[np.floating]
    """``(len(mentees), len(mentors))``: within the tolerance of the exact scores for
    every allowed pair; any value for the pairs the exact scores exclude."""


class PairScores(Protocol):
    """The scores of a matching problem as the solver reads them (see the module)."""

    @property
    def shape(self) -> tuple[int, int]:
        """(mentees, mentors)."""
        ...

    @property
    def structure(self) -> Structure:
        """The hard rules' blocks."""
        ...

    @property
    def tolerance(self) -> float:
        """Largest difference between a scanned value and the exact score."""
        ...

    @property
    def always(self) -> tuple[Indices, Indices]:
        """Pairs every model holds (mentees' picks); the scan does not cover their extras."""
        ...

    def pairs(self, mentees: Indices, mentors: Indices) -> Vector:
        """The exact score of each pair (equal-length arrays); ``-inf`` if not allowed."""
        ...

    def grid(self, mentees: Indices, mentors: Indices) -> NDArray[np.float64]:
        """The exact scores of every mentee in ``mentees`` with every mentor in ``mentors``."""
        ...

    def scan(self) -> Sequence[Callable[[], ScanChunk]]:
        """The chunks covering every allowed block once: each call computes one chunk.

        Each mentee is in at most one chunk, with every mentor its class is allowed.
        """
        ...


class DenseScores:
    """A score matrix (``-inf`` where not allowed), read as `PairScores`.

    One class on each side; mentors are split into index ranges as groups. ``upper``
    keeps only pairs ``i < j`` (peer programs: people on both sides, each pair once).
    """

    CHUNK_CELLS = 1_000_000

    def __init__(self, scores: NDArray[np.float64], *, upper: bool = False) -> None:
        self._scores = np.asarray(scores, dtype=np.float64)
        if upper:
            self._scores = self._scores.copy()
            self._scores[np.tril_indices(len(self._scores), m=self._scores.shape[1])] = -np.inf
        n, m = self._scores.shape
        groups = max(1, min(MAX_GROUPS, m))
        self._structure = Structure(
            mentee_class=np.zeros(n, dtype=np.intp),
            mentor_class=np.zeros(m, dtype=np.intp),
            allowed=np.ones((1, 1), dtype=np.bool_),
            mentor_group=(np.arange(m, dtype=np.intp) * groups) // max(m, 1),
            groups=groups,
        )
        self._always = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))

    @property
    def matrix(self) -> NDArray[np.float64]:
        """The matrix as the solver reads it."""
        return self._scores

    @property
    def shape(self) -> tuple[int, int]:
        """(mentees, mentors)."""
        rows, columns = self._scores.shape
        return rows, columns

    @property
    def structure(self) -> Structure:
        """One class per side; index ranges as groups."""
        return self._structure

    @property
    def tolerance(self) -> float:
        """The scan reads the matrix itself."""
        return 0.0

    @property
    def always(self) -> tuple[Indices, Indices]:
        """No pair needs to be in every model."""
        return self._always

    def pairs(self, mentees: Indices, mentors: Indices) -> Vector:
        """The matrix's entries."""
        return self._scores[mentees, mentors]

    def grid(self, mentees: Indices, mentors: Indices) -> NDArray[np.float64]:
        """A sub-matrix."""
        return self._scores[np.ix_(mentees, mentors)]

    def scan(self) -> Sequence[Callable[[], ScanChunk]]:
        """Blocks of whole rows."""
        rows, columns = self._scores.shape
        if rows == 0 or columns == 0:
            return []
        block = max(1, self.CHUNK_CELLS // columns)
        everyone = np.arange(columns, dtype=np.intp)

        def chunk(start: int) -> Callable[[], ScanChunk]:
            def compute() -> ScanChunk:
                stop = min(rows, start + block)
                return ScanChunk(
                    np.arange(start, stop, dtype=np.intp),
                    everyone,
                    self._scores[start:stop].copy(),
                )

            return compute

        return [chunk(start) for start in range(0, rows, block)]

    def allowed_counts(
        self, mentees: Indices, flagged: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Per mentee: how many mentors it may be paired with, and how many are ``flagged``."""
        allowed = np.isfinite(self._scores[mentees])
        return (
            allowed.sum(axis=1).astype(np.int64),
            (allowed & flagged[None, :]).sum(axis=1).astype(np.int64),
        )

    def mentors_with_a_partner(self) -> NDArray[np.bool_]:
        """Whether each mentor may be paired with any mentee at all."""
        return np.asarray(np.isfinite(self._scores).any(axis=0), dtype=np.bool_)
