"""What the solver is asked and what it answers: side constraints, coupling rows, results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from mentorship_contracts.types import SolverStatus

Pair = tuple[int, int]
Vector = NDArray[np.float64]
Indices = NDArray[np.intp]
Coefficients = Callable[[Indices, Indices], Vector]


@dataclass(frozen=True, slots=True)
class Coupling:
    """One row ``sum(a[i, j] * x[i, j]) >= bound`` outside the network structure."""

    name: str
    coefficients: Coefficients
    """``a`` for index arrays that broadcast (pairs, or a block of rows by all columns)."""
    bound: float
    infeasible_message: str
    left_out: tuple[float, float] = (0.0, 0.0)
    """The least and the most ``a`` of a pair a model may leave out (every pair whose
    ``a`` lies outside this range is in every model): pricing bounds with it."""
    common: float = 0.0
    """The ``a`` most pairs have. Where every solution has the same number of pairs ``P``
    (the network path), the row minus ``common`` times the count is the same row, with
    non-zeros only where ``a`` differs from ``common`` (`with_pairs`)."""

    def with_pairs(self, pairs: int) -> Coupling:
        """The same row for solutions of exactly ``pairs`` pairs, as sparse as it goes.

        ``sum((a - c) * x) >= b - c * pairs`` holds exactly when ``sum(a * x) >= b`` does
        if ``sum(x) == pairs``; a cross-department share thus becomes a cap on the pairs
        within a department (a tenth of the columns) instead of a row over every column,
        which makes each simplex iteration with it in the basis several times cheaper.
        """
        common = self.common
        if common == 0.0:
            return self
        coefficients = self.coefficients

        def shifted(i: Indices, j: Indices) -> Vector:
            return np.asarray(coefficients(i, j) - common, dtype=np.float64)

        low, high = self.left_out
        return Coupling(
            self.name,
            shifted,
            self.bound - common * pairs,
            self.infeasible_message,
            (low - common, high - common),
        )


@dataclass(frozen=True, slots=True)
class SideConstraints:
    """Everything besides the scores that shapes the integer program."""

    mentor_capacity: NDArray[np.int64]
    pinned: tuple[Pair, ...] = ()
    mentee_department: NDArray[np.int32] | None = None
    mentor_department: NDArray[np.int32] | None = None
    max_pairs_per_department: int | None = None
    min_cross_department_share: float | None = None
    existing: tuple[Pair, ...] = ()
    max_changes: int | None = None
    peer: bool = False
    """Scores are symmetric and rows and columns are the same people."""

    def couplings(self, shape: tuple[int, int]) -> list[Coupling]:
        """The rows that break the network structure."""
        rows: list[Coupling] = []
        if self.min_cross_department_share is not None:
            share = self.min_cross_department_share
            mentee, mentor = self.mentee_department, self.mentor_department
            assert mentee is not None
            assert mentor is not None

            def cross(i: Indices, j: Indices) -> Vector:
                left, right = mentee[i], mentor[j]
                crossing = (left != right) | (left < 0) | (right < 0)
                return np.where(crossing, 1.0 - share, -share)

            rows.append(
                Coupling(
                    "cross_department_share",
                    cross,
                    0.0,
                    "the minimum cross-department share cannot be met with the most pairs",
                    (-share, 1.0 - share),
                    common=1.0 - share,
                )
            )
        if self.max_changes is not None and self.existing:
            columns = shape[1]
            keys = np.unique(np.array([i * columns + j for i, j in self.existing], dtype=np.int64))

            def kept(i: Indices, j: Indices) -> Vector:
                pair_keys = np.asarray(i, dtype=np.int64) * columns + np.asarray(j, dtype=np.int64)
                return np.isin(pair_keys, keys).astype(np.float64)

            rows.append(
                Coupling(
                    "changes",
                    kept,
                    float(len(self.existing) - self.max_changes),
                    "the existing pairs cannot be kept within the allowed number of changes",
                )
            )
        return rows


@dataclass(frozen=True, slots=True)
class SolveResult:
    """The chosen pairs and how good they are proven to be."""

    pairs: tuple[Pair, ...]
    status: SolverStatus
    score: float
    bound: float
    gap: float
    pair_bound: int
    """Most pairs any solution has (the maximum flow, or the MIP's LP bound)."""
    rounds: int
    columns: int
    mip: bool
    seconds: dict[str, float] = field(default_factory=dict)


class Infeasible(Exception):  # noqa: N818 - a state, not a failure of the code
    """The side constraints leave no feasible matching (e.g. pins breaking a cap)."""


class TimeLimitReached(Exception):  # noqa: N818 - a state, not a failure of the code
    """The time limit passed before any feasible matching was found."""
