"""The statistics of comparing two groups' rates: plain, deterministic, with no randomness.

A rate's 95% interval is Wilson's score interval; the difference of two independent rates gets
Newcombe's hybrid score interval (his method 10), built from the two Wilson intervals. Both are
closed forms, so the same data always gives the same interval, they stay inside [0, 1] and
[-1, 1], and they behave at rates of 0 or 1 and in small groups, where the textbook (Wald)
interval collapses to a point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054
"""The standard normal quantile of 0.975: a two-sided 95% interval."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval."""

    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z_95) -> Interval:
    """Wilson's score interval of the rate ``successes / n`` (n > 0)."""
    if n <= 0 or not 0 <= successes <= n:
        msg = f"{successes} successes of {n}"
        raise ValueError(msg)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def rate_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, z: float = Z_95
) -> tuple[float, Interval]:
    """The difference of rates a - b and its Newcombe (hybrid score) interval."""
    p_a, p_b = successes_a / n_a, successes_b / n_b
    a, b = wilson(successes_a, n_a, z), wilson(successes_b, n_b, z)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - a.low) ** 2 + (b.high - p_b) ** 2)
    high = difference + math.sqrt((a.high - p_a) ** 2 + (p_b - b.low) ** 2)
    return difference, Interval(max(-1.0, low), min(1.0, high))
