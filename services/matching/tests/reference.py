"""Reference solutions the solver is checked against: exhaustive search and assignment.

Deliberately naive: every candidate matching is enumerated and checked constraint by
constraint, so the tests compare the solver with the definition of the problem rather
than with another clever algorithm.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

Pair = tuple[int, int]


@dataclass(frozen=True)
class Problem:
    """A matching problem stated plainly."""

    scores: NDArray[np.float64]
    capacity: Sequence[int]
    pinned: Sequence[Pair] = ()
    mentee_department: Sequence[int] | None = None
    mentor_department: Sequence[int] | None = None
    department_cap: int | None = None
    cross_share: float | None = None
    existing: Sequence[Pair] = ()
    max_changes: int | None = None

    def feasible(self, pairs: Sequence[Pair]) -> bool:  # noqa: PLR0911 - one return per rule
        """Whether ``pairs`` respects every constraint of the problem."""
        mentees = [i for i, _ in pairs]
        if len(set(mentees)) != len(mentees):
            return False
        if any(not np.isfinite(self.scores[i, j]) for i, j in pairs):
            return False
        load = Counter(j for _, j in pairs)
        if any(load[j] > self.capacity[j] for j in load):
            return False
        if not set(self.pinned) <= set(pairs):
            return False
        if self.department_cap is not None:
            assert self.mentee_department is not None
            per_department = Counter(
                self.mentee_department[i] for i, _ in pairs if self.mentee_department[i] >= 0
            )
            if any(count > self.department_cap for count in per_department.values()):
                return False
        if self.cross_share is not None and pairs:
            crossing = sum(1 for i, j in pairs if self.crosses(i, j))
            if crossing < self.cross_share * len(pairs) - 1e-9:
                return False
        if self.max_changes is not None:
            kept = len(set(self.existing) & set(pairs))
            if kept < len(self.existing) - self.max_changes:
                return False
        return True

    def crosses(self, mentee: int, mentor: int) -> bool:
        """Whether the pair spans two departments (unknown counts as crossing)."""
        assert self.mentee_department is not None
        assert self.mentor_department is not None
        left, right = self.mentee_department[mentee], self.mentor_department[mentor]
        return left < 0 or right < 0 or left != right

    def score(self, pairs: Sequence[Pair]) -> float:
        """Total score of ``pairs``."""
        return float(sum(self.scores[i, j] for i, j in pairs))


@dataclass(frozen=True)
class Optimum:
    """The lexicographic optimum: most pairs, then highest score."""

    pairs: int
    score: float


def brute_force(problem: Problem) -> Optimum | None:
    """The optimum over every assignment of mentees to mentors (or none).

    None when no assignment is feasible.
    """
    n, m = problem.scores.shape
    best: Optimum | None = None
    for choice in itertools.product(range(-1, m), repeat=n):
        pairs = [(i, j) for i, j in enumerate(choice) if j >= 0]
        if not problem.feasible(pairs):
            continue
        candidate = Optimum(len(pairs), problem.score(pairs))
        if best is None or (candidate.pairs, candidate.score) > (best.pairs, best.score):
            best = candidate
    return best


def peer_matchings(allowed: NDArray[np.bool_]) -> Iterator[list[Pair]]:
    """Every matching of a general graph (pairs ``(i, j)`` with ``i < j``)."""

    def extend(free: tuple[int, ...]) -> Iterator[list[Pair]]:
        if not free:
            yield []
            return
        first, rest = free[0], free[1:]
        yield from extend(rest)  # ``first`` stays unpaired
        for position, other in enumerate(rest):
            if allowed[first, other]:
                remaining = rest[:position] + rest[position + 1 :]
                for matching in extend(remaining):
                    yield [(first, other), *matching]

    yield from extend(tuple(range(len(allowed))))


def peer_brute_force(scores: NDArray[np.float64]) -> Optimum:
    """The lexicographic optimum of pairing people among themselves."""
    allowed = np.isfinite(scores) & np.isfinite(scores.T)
    np.fill_diagonal(allowed, val=False)
    return max(
        (
            Optimum(len(pairs), float(sum(scores[i, j] for i, j in pairs)))
            for pairs in peer_matchings(allowed)
        ),
        key=lambda optimum: (optimum.pairs, optimum.score),
    )


def capacity_expanded_assignment(scores: NDArray[np.float64], capacity: Sequence[int]) -> Optimum:
    """The plain problem solved by scipy's assignment on one column per mentor seat.

    Each pair is worth a constant larger than any score sum plus its score, so the
    assignment maximises pairs first and score second; disallowed pairs are worth nothing
    and are dropped from the result.
    """
    seats = np.repeat(np.arange(scores.shape[1]), capacity)
    expanded = scores[:, seats]
    finite = np.isfinite(expanded)
    per_pair = float(np.abs(expanded[finite]).sum()) + 1.0
    weights = np.where(finite, per_pair + np.where(finite, expanded, 0.0), 0.0)
    rows, columns = linear_sum_assignment(weights, maximize=True)
    chosen = finite[rows, columns]
    return Optimum(int(chosen.sum()), float(expanded[rows[chosen], columns[chosen]].sum()))
