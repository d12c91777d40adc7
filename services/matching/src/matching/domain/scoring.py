"""The score of every mentee-mentor pair, with ``-inf`` where a hard rule forbids the pair.

Each rule and criterion reads a few attributes per side (see `Component`), and those take
few distinct values across a program: six time zones, a handful of language sets, some
hundreds of skill sets. So each component is evaluated once per distinct pair of values,
into a small table, with the very function that explains a single pair, and the matrix is
gathered from the tables in blocks of rows. The result is one dense matrix (8 bytes per
pair: 200 MB for 10,000 mentees and 2,500 mentors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.domain.compatibility import (
    CRITERION_COMPONENTS,
    RULE_COMPONENTS,
    Component,
    Market,
    pick_value,
)
from matching.domain.encoding import Side
from matching.domain.parallel import each_block

FORBIDDEN = -np.inf
BLOCK_PAIRS = 1_000_000
MAX_TABLE_CELLS = 8_000_000
"""Largest table (distinct mentee values x mentors); a component needing more is
computed pair by pair."""

ScoreMatrix = NDArray[np.float64]
Codes = NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Preferences:
    """What people and admins asked for beyond the questionnaire."""

    picks: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    """Mentee row -> mentor rows they picked, best first (at most three)."""
    picks_required: bool = False
    """Mentees who picked may only be matched to one of their picks."""
    forbidden: Iterable[tuple[int, int]] = ()
    """(mentee row, mentor row) pairs an admin forbade, or that ended before."""


class _Factorizer:
    """Distinct combinations of side attributes: a code per row and a row per code."""

    def __init__(self, side: Side) -> None:
        self._side = side
        self._cache: dict[tuple[str, ...], tuple[Codes, Codes]] = {}

    def codes(self, attributes: tuple[str, ...]) -> tuple[Codes, Codes]:
        """(code of each row, a representative row of each code)."""
        if attributes not in self._cache:
            columns = [
                np.asarray(getattr(self._side, name)).reshape(len(self._side), -1).view(np.uint8)
                for name in attributes
            ]
            keys = np.ascontiguousarray(np.concatenate(columns, axis=1))
            rows = keys.view(np.dtype((np.void, keys.shape[1]))).ravel()
            _, representatives, codes = np.unique(rows, return_index=True, return_inverse=True)
            self._cache[attributes] = (
                codes.ravel().astype(np.intp),
                representatives.astype(np.intp),
            )
        return self._cache[attributes]


@dataclass(frozen=True, slots=True)
class _Table:
    """One component for each distinct value of the mentee attributes it reads.

    Rows are those distinct values, columns every mentor; criteria are weighted.
    """

    by_value: NDArray[np.float64] | NDArray[np.bool_]
    mentee_codes: Codes

    def block(self, start: int, stop: int) -> NDArray[np.float64] | NDArray[np.bool_]:
        """The table for mentee rows ``start:stop``: a gather of whole rows."""
        return self.by_value[self.mentee_codes[start:stop]]


def _tables(
    market: Market, components: Iterable[Component], weights: Mapping[str, float] | None
) -> tuple[list[_Table], list[Component]]:
    """A table per component, and the components too varied for a table.

    Those are computed pair by pair. Tables stay small enough to sit in cache: grouping
    components into one larger table was measured slower.
    """
    mentees, mentors = _Factorizer(market.mentees), _Factorizer(market.mentors)
    tables: list[_Table] = []
    direct: list[Component] = []
    for component in components:
        weight = 1.0 if weights is None else weights[component.name]
        if weight == 0:
            continue
        mentee_codes, mentee_rows = mentees.codes(component.mentee_inputs)
        mentor_codes, mentor_rows = mentors.codes(component.mentor_inputs)
        if len(mentee_rows) * len(mentor_codes) > MAX_TABLE_CELLS:
            direct.append(component)
            continue
        distinct = component.compute(market, mentee_rows[:, None], mentor_rows[None, :])
        by_value = distinct[:, mentor_codes]
        if weights is not None:
            by_value = weight * by_value.astype(np.float64)
        tables.append(_Table(by_value, mentee_codes))
    return tables, direct


def score_matrix(market: Market, preferences: Preferences) -> ScoreMatrix:
    """Every pair's score (picks included), ``-inf`` for pairs no rule allows."""
    rows, columns = len(market.mentees), len(market.mentors)
    scores = np.empty((rows, columns), dtype=np.float64)
    if rows == 0 or columns == 0:
        return scores
    weights = market.weights.model_dump()
    rule_tables, direct_rules = _tables(market, RULE_COMPONENTS, None)
    criterion_tables, direct_criteria = _tables(market, CRITERION_COMPONENTS, weights)
    block = max(1, BLOCK_PAIRS // columns)
    mentors = np.arange(columns, dtype=np.intp)[None, :]

    def fill(start: int) -> None:
        stop = min(rows, start + block)
        mentees = np.arange(start, stop, dtype=np.intp)[:, None]
        broken = market.mentees.person[mentees] == market.mentors.person[mentors]
        for table in rule_tables:
            broken |= table.block(start, stop)
        for component in direct_rules:
            broken |= np.asarray(component.compute(market, mentees, mentors), dtype=np.bool_)
        total = scores[start:stop]
        total[...] = 0.0
        for table in criterion_tables:
            total += table.block(start, stop)
        for component in direct_criteria:
            total += weights[component.name] * component.compute(market, mentees, mentors)
        total[broken] = FORBIDDEN

    each_block(fill, range(0, rows, block))
    scores.ravel()[market.line_exclusions] = FORBIDDEN
    _apply_preferences(scores, market, preferences)
    return scores


def _apply_preferences(scores: ScoreMatrix, market: Market, preferences: Preferences) -> None:
    bonus = market.rules.pick_bonus
    for mentee, mentors in preferences.picks.items():
        picked = np.array(mentors, dtype=np.intp)
        if preferences.picks_required and len(picked):
            keep = scores[mentee, picked].copy()
            scores[mentee, :] = FORBIDDEN
            scores[mentee, picked] = keep
        for rank, mentor in enumerate(mentors, start=1):
            if np.isfinite(scores[mentee, mentor]):
                scores[mentee, mentor] += bonus * pick_value(rank)
    for mentee, mentor in preferences.forbidden:
        scores[mentee, mentor] = FORBIDDEN
