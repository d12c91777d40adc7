"""The score of every mentee-mentor pair, with ``-inf`` where a hard rule forbids the pair.

Each rule and criterion reads a few attributes per side (see `Component`), and those take
few distinct values across a program: six time zones, a handful of language sets, some
hundreds of skill sets. So each component is evaluated once per distinct pair of values,
into a small table, with the very function that explains a single pair.

Two ways to read them:

- `BlockScores` (every run but peer and max-min ones): never a matrix. The hard rules are
  evaluated per pair of the rules' classes (blocks), exact scores are gathered for the
  pairs the solver asks, and a scan streams each allowed block once for candidate
  selection. Memory grows with n + m, not n x m.
- `score_matrix`: the dense matrix, gathered from the tables in blocks of rows (8 bytes
  per pair: 200 MB for 10,000 mentees and 2,500 mentors), for peer programs (whose
  scores are symmetric) and the max-min rule, and as the benchmarks' reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

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
from matching.domain.solver.scores import MAX_GROUPS, ScanChunk, Structure

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
        if attributes not in self._cache and len(self._side) == 0:
            nothing = np.zeros(0, dtype=np.intp)
            self._cache[attributes] = (nothing, nothing)
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


# ---------------------------------------------------------------------- block by block

SCAN_CHUNK_CELLS = 262_144
"""Pairs per scan chunk (1 MB of float32: stays in cache)."""
SCAN_TABLE_CELLS = 32_000_000
"""Largest merged scan table (distinct mentee values x mentors)."""
SCAN_TABLE_SHARE = 16
"""A merged scan table has at most one row per this many mentees (else it would cost as
much to build as the scan it saves)."""
MAX_CLASS_PAIRS = 4_000_000
"""Most class pairs the hard rules are evaluated on (beyond, the blocks would not help)."""


def rule_classes(market: Market) -> tuple[tuple[Codes, Codes], tuple[Codes, Codes]]:
    """Each side's hard-rule classes and a representative per class.

    A class holds people alike in every attribute a hard rule reads. Returns
    ((mentee classes, representatives), (mentor classes, representatives)).
    """
    mentee_inputs = tuple(sorted({name for c in RULE_COMPONENTS for name in c.mentee_inputs}))
    mentor_inputs = tuple(sorted({name for c in RULE_COMPONENTS for name in c.mentor_inputs}))
    return (
        _Factorizer(market.mentees).codes(mentee_inputs),
        _Factorizer(market.mentors).codes(mentor_inputs),
    )


class BlockScores:
    """The scores of a program read block by block (`matching.domain.solver.scores`).

    Mentees and mentors fall into the hard rules' classes: language sets, time zone,
    places (and remote), seniority. The rules are evaluated once per pair of classes, and
    so are the criteria that read only those attributes (seniority fit, location, time-zone
    distance); the other criteria come from their per-value tables. Pairs inside an
    allowed block that are still excluded (the same person, a reporting line, a forbid)
    are kept as a sorted list. No n x m matrix exists: exact scores are computed for the
    pairs asked, and the scan streams each allowed block once, in float32 chunks.

    Exact scores are bit for bit those of `score_matrix` (the same terms, added in the
    same order).
    """

    def __init__(self, market: Market, preferences: Preferences) -> None:
        self._market = market
        n, m = len(market.mentees), len(market.mentors)
        self._shape = (n, m)
        weights = market.weights.model_dump()
        self._weights = weights
        (mentee_class, mentee_rep), (mentor_class, mentor_rep) = rule_classes(market)
        self._row_class, self._col_class = mentee_class, mentor_class
        self._mentee_classes, self._mentor_classes = len(mentee_rep), len(mentor_rep)
        rows, columns = mentee_rep[:, None], mentor_rep[None, :]
        # the same person and reporting lines are excluded pair by pair (`_exclusions`)
        self._class_allowed = ~_broken_by_rules(market, rows, columns)
        self._terms = self._criterion_terms(market, rows, columns, weights)
        self._preferences(market, preferences)
        self._exclusions(market, preferences)
        self._order_mentors()
        self._scan_tables()
        self.structure = Structure(
            mentee_class=np.where(self._restricted, -1, self._row_class).astype(np.intp),
            mentor_class=self._col_class.astype(np.intp),
            allowed=self._class_allowed,
            mentor_group=self._group,
            groups=self._groups,
        )

    # ------------------------------------------------------------------ set-up

    @staticmethod
    def _criterion_terms(
        market: Market, rows: Codes, columns: Codes, weights: Mapping[str, float]
    ) -> list[tuple[str, NDArray[np.float64] | _Table | None]]:
        """Per criterion (in order): a class-pair table, a per-value table, or None.

        None: computed pair by pair. Criteria of weight 0 are left out, as in `score_matrix`.
        """
        mentee_inputs = {name for c in RULE_COMPONENTS for name in c.mentee_inputs}
        mentor_inputs = {name for c in RULE_COMPONENTS for name in c.mentor_inputs}
        varying = [
            component
            for component in CRITERION_COMPONENTS
            if weights[component.name] != 0
            and not (
                set(component.mentee_inputs) <= mentee_inputs
                and set(component.mentor_inputs) <= mentor_inputs
            )
        ]
        tables, direct = _tables(market, varying, weights)
        by_name: dict[str, NDArray[np.float64] | _Table | None] = dict(
            zip((c.name for c in varying if c not in direct), tables, strict=True)
        )
        by_name |= dict.fromkeys((c.name for c in direct), None)
        terms: list[tuple[str, NDArray[np.float64] | _Table | None]] = []
        for component in CRITERION_COMPONENTS:
            weight = weights[component.name]
            if weight == 0:
                continue
            if component.name in by_name:
                terms.append((component.name, by_name[component.name]))
            else:
                values = np.asarray(component.compute(market, rows, columns), dtype=np.float64)
                terms.append((component.name, weight * values))
        return terms

    def _preferences(self, market: Market, preferences: Preferences) -> None:
        n, m = self._shape
        bonus = market.rules.pick_bonus
        keys, values = [], []
        restricted = np.zeros(n, dtype=np.bool_)
        for mentee, mentors in preferences.picks.items():
            if preferences.picks_required and mentors:
                restricted[mentee] = True
            for rank, mentor in enumerate(mentors, start=1):
                keys.append(mentee * m + mentor)
                values.append(bonus * pick_value(rank))
        self._pick_keys, where = np.unique(np.array(keys, dtype=np.int64), return_inverse=True)
        self._pick_bonus = np.zeros(len(self._pick_keys))
        np.add.at(self._pick_bonus, where.ravel(), np.array(values, dtype=np.float64))
        self._restricted = restricted
        picked = self._pick_keys
        self.always = ((picked // max(m, 1)).astype(np.intp), (picked % max(m, 1)).astype(np.intp))
        self._pick_starts = np.searchsorted(self.always[0], np.arange(n + 1))

    def _exclusions(self, market: Market, preferences: Preferences) -> None:
        """Excluded pairs inside allowed blocks of unrestricted mentees, sorted by key."""
        n, m = self._shape
        mentee_person, mentor_person = market.mentees.person, market.mentors.person
        by_person = np.argsort(mentor_person, kind="stable")
        first = np.searchsorted(mentor_person[by_person], mentee_person, side="left")
        last = np.searchsorted(mentor_person[by_person], mentee_person, side="right")
        same_i = np.repeat(np.arange(n), last - first)
        same_j = by_person[_ranges(first, last)]
        forbidden = np.array([i * m + j for i, j in preferences.forbidden], dtype=np.int64).reshape(
            -1
        )
        keys = np.unique(
            np.concatenate(
                [market.line_exclusions, same_i.astype(np.int64) * m + same_j, forbidden]
            )
        )
        i, j = keys // max(m, 1), keys % max(m, 1)
        self._excluded = keys[self._class_allowed[self._row_class[i], self._col_class[j]]]
        rows = (self._excluded // max(m, 1)).astype(np.intp)
        self._excluded_starts = np.searchsorted(rows, np.arange(n + 1))
        self._excluded_columns = (self._excluded % max(m, 1)).astype(np.intp)

    def _order_mentors(self) -> None:
        """Mentors by class, classes by time zone first, so allowed classes run together."""
        mentors = self._market.mentors
        _, m = self._shape
        classes = self._mentor_classes
        representative = np.zeros(classes, dtype=np.intp)
        representative[self._col_class] = np.arange(m)
        keys = (
            mentors.seniority[representative],
            mentors.remote_ok[representative],
            mentors.utc_offset[representative],
        )
        rank = np.empty(classes, dtype=np.intp)
        rank[np.lexsort(keys)] = np.arange(classes)
        self._order = np.lexsort((np.arange(m), rank[self._col_class])).astype(np.intp)
        self._position = np.empty(m, dtype=np.intp)
        self._position[self._order] = np.arange(m)
        self._sorted_class = self._col_class[self._order]
        self._groups = max(1, min(MAX_GROUPS, m))
        self._group = (self._position * self._groups // max(m, 1)).astype(np.intp)

    def _scan_tables(self) -> None:
        """The scan's float32 tables: per-value criteria merged, mentors in scan order."""
        market = self._market
        class_constant = np.zeros(self._class_allowed.shape)
        tables: list[_Table] = []
        self._scan_direct: list[str] = []
        for name, term in self._terms:
            if isinstance(term, np.ndarray):
                class_constant = class_constant + term
            elif term is None:
                self._scan_direct.append(name)
            else:
                tables.append(term)
        self._scan_constant = class_constant.astype(np.float32)
        merged: list[tuple[Codes, NDArray[np.float32]]] = []
        factorizer = _Factorizer(market.mentees)
        group: list[int] = []
        tables_inputs = [
            next(c.mentee_inputs for c in CRITERION_COMPONENTS if c.name == name)
            for name, term in self._terms
            if isinstance(term, _Table)
        ]
        n, m = self._shape
        most = min(SCAN_TABLE_CELLS // max(m, 1), max(1, n // SCAN_TABLE_SHARE))

        def flush(members: list[int]) -> None:
            inputs = tuple(sorted({name for k in members for name in tables_inputs[k]}))
            codes, representatives = factorizer.codes(inputs)
            values = np.zeros((len(representatives), m))
            for k in members:
                values += tables[k].by_value[tables[k].mentee_codes[representatives]]
            merged.append((codes, values[:, self._order].astype(np.float32)))

        for position in np.argsort([len(t.by_value) for t in tables], kind="stable").tolist():
            candidate = [*group, position]
            inputs = tuple(sorted({name for k in candidate for name in tables_inputs[k]}))
            if group and len(factorizer.codes(inputs)[1]) > most:
                flush(group)
                group = [position]
            else:
                group = candidate
        if group:
            flush(group)
        self._scan = merged
        largest = sum(abs(w) for w in self._weights.values()) + abs(market.rules.pick_bonus)
        terms = len(merged) + len(self._scan_direct) + 2
        self.tolerance = 4.0 * terms * float(np.finfo(np.float32).eps) * max(1.0, largest)

    # ------------------------------------------------------------------ exact scores

    @property
    def shape(self) -> tuple[int, int]:
        """(mentees, mentors)."""
        return self._shape

    def _base(self, mentees: Codes, mentors: Codes) -> NDArray[np.float64]:
        """The weighted criteria (no picks, no rules), summed as `score_matrix` does."""
        a, b = self._row_class[mentees], self._col_class[mentors]
        total: NDArray[np.float64] = np.zeros(np.broadcast_shapes(mentees.shape, mentors.shape))
        for _, term in self._terms:
            if isinstance(term, np.ndarray):
                total = total + term[a, b]
            elif isinstance(term, _Table):
                total = total + term.by_value[term.mentee_codes[mentees], mentors]
        for name, term in self._terms:
            if term is None:
                component = next(c for c in CRITERION_COMPONENTS if c.name == name)
                total = total + self._weights[name] * component.compute(
                    self._market, mentees, mentors
                )
        return total

    def pairs(self, mentees: Codes, mentors: Codes) -> NDArray[np.float64]:
        """The exact score of each pair; ``-inf`` where not allowed."""
        mentees = np.asarray(mentees, dtype=np.intp)
        mentors = np.asarray(mentors, dtype=np.intp)
        if len(mentees) == 0:
            return np.zeros(0)
        scores = self._base(mentees, mentors)
        _, m = self._shape
        keys = mentees.astype(np.int64) * m + mentors
        allowed = self._class_allowed[self._row_class[mentees], self._col_class[mentors]]
        allowed &= ~_member(self._excluded, keys)
        picked, at = _lookup(self._pick_keys, keys)
        allowed &= ~self._restricted[mentees] | picked
        scores = np.where(allowed, scores, FORBIDDEN)
        scores[picked & allowed] += self._pick_bonus[at[picked & allowed]]
        return scores

    def grid(self, mentees: Codes, mentors: Codes) -> NDArray[np.float64]:
        """The exact scores of ``mentees`` (rows) with ``mentors`` (columns)."""
        mentees = np.asarray(mentees, dtype=np.intp)
        mentors = np.asarray(mentors, dtype=np.intp)
        scores = self._base(mentees[:, None], mentors[None, :])
        allowed = self._class_allowed[
            self._row_class[mentees][:, None], self._col_class[mentors][None, :]
        ]
        _, m = self._shape
        column_at = np.full(m, -1, dtype=np.intp)
        column_at[mentors] = np.arange(len(mentors))
        starts, stops = self._excluded_starts[mentees], self._excluded_starts[mentees + 1]
        if (stops > starts).any():
            row = np.repeat(np.arange(len(mentees)), stops - starts)
            column = column_at[self._excluded_columns[_ranges(starts, stops)]]
            allowed[row[column >= 0], column[column >= 0]] = False
        starts, stops = self._pick_starts[mentees], self._pick_starts[mentees + 1]
        picked = _ranges(starts, stops)
        row = np.repeat(np.arange(len(mentees)), stops - starts)
        column = column_at[self.always[1][picked]]
        row, picked, column = row[column >= 0], picked[column >= 0], column[column >= 0]
        restricted = self._restricted[mentees]
        if restricted.any():
            keep = np.zeros(allowed.shape, dtype=np.bool_)
            keep[row, column] = True
            allowed &= ~restricted[:, None] | keep
        scores[~allowed] = FORBIDDEN
        scores[row, column] += self._pick_bonus[picked]
        return scores

    def scan(self) -> list[Callable[[], ScanChunk]]:
        """Each class of unrestricted mentees with every mentor its class is allowed."""
        chunks: list[Callable[[], ScanChunk]] = []
        classes = np.where(self._restricted, -1, self._row_class)
        order = np.argsort(classes, kind="stable")
        cuts = np.concatenate([[0], np.nonzero(np.diff(classes[order]))[0] + 1, [len(order)]])
        for start, stop in itertools.pairwise(cuts):
            if start == stop or classes[order[start]] < 0:
                continue
            mentee_class = int(classes[order[start]])
            allowed = self._class_allowed[mentee_class][self._sorted_class]
            edges = np.diff(np.concatenate([[0], allowed.astype(np.int8), [0]]))
            runs = list(
                zip(
                    np.nonzero(edges == 1)[0].tolist(),
                    np.nonzero(edges == -1)[0].tolist(),
                    strict=True,
                )
            )
            width = int(allowed.sum())
            if width == 0:
                continue
            rows = order[start:stop].astype(np.intp)
            step = max(1, SCAN_CHUNK_CELLS // width)
            chunks.extend(
                partial(self._chunk, mentee_class, rows[first : first + step], runs)
                for first in range(0, len(rows), step)
            )
        return chunks

    def _chunk(self, mentee_class: int, rows: Codes, runs: list[tuple[int, int]]) -> ScanChunk:
        width = sum(stop - start for start, stop in runs)
        values = np.empty((len(rows), width), dtype=np.float32)
        offset = 0
        for start, stop in runs:
            part = values[:, offset : offset + stop - start]
            part[...] = self._scan_constant[mentee_class][self._sorted_class[start:stop]]
            for codes, table in self._scan:
                part += table[codes[rows], start:stop]
            offset += stop - start
        mentors = self._order[np.concatenate([np.arange(a, b) for a, b in runs])]
        for name in self._scan_direct:
            component = next(c for c in CRITERION_COMPONENTS if c.name == name)
            direct = component.compute(self._market, rows[:, None], mentors[None, :])
            values += (self._weights[name] * np.asarray(direct)).astype(np.float32)
        return ScanChunk(rows, mentors, values)

    # ------------------------------------------------------------------ counting

    def allowed_counts(
        self, mentees: Codes, flagged: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Per mentee: how many mentors it may be paired with, and how many are ``flagged``."""
        classes = self._mentor_classes
        sizes = np.bincount(self._col_class, minlength=classes)
        flagged_sizes = np.bincount(self._col_class, weights=flagged, minlength=classes)
        allowed = self._class_allowed.astype(np.int64)
        total = (allowed @ sizes)[self._row_class[mentees]].astype(np.int64)
        marked = (allowed @ flagged_sizes)[self._row_class[mentees]].astype(np.int64)
        starts, stops = self._excluded_starts[mentees], self._excluded_starts[mentees + 1]
        columns = self._excluded_columns[_ranges(starts, stops)]
        owner = np.repeat(np.arange(len(mentees)), stops - starts)
        total -= np.bincount(owner, minlength=len(mentees))
        marked -= np.bincount(owner, weights=flagged[columns], minlength=len(mentees)).astype(
            np.int64
        )
        for position in np.nonzero(self._restricted[mentees])[0].tolist():
            mentee = mentees[position]
            picks = self.always[1][self.always[0] == mentee]
            ok = np.isfinite(self.pairs(np.full(len(picks), mentee), picks))
            total[position], marked[position] = int(ok.sum()), int(flagged[picks[ok]].sum())
        return total, marked

    def mentors_with_a_partner(self) -> NDArray[np.bool_]:
        """Whether each mentor may be paired with any mentee at all."""
        classes = self._mentee_classes
        open_rows = ~self._restricted
        sizes = np.bincount(self._row_class[open_rows], minlength=classes)
        count = (sizes @ self._class_allowed.astype(np.int64))[self._col_class]
        open_excluded = ~self._restricted[self._excluded // max(self._shape[1], 1)]
        count -= np.bincount(self._excluded_columns[open_excluded], minlength=self._shape[1])
        always_i, always_j = self.always
        mine = self._restricted[always_i]
        ok = np.isfinite(self.pairs(always_i[mine], always_j[mine]))
        count += np.bincount(always_j[mine][ok], minlength=self._shape[1])
        return np.asarray(count > 0, dtype=np.bool_)

    def dense(self) -> ScoreMatrix:
        """Every pair's exact score (small programs; as `score_matrix`)."""
        n, m = self._shape
        scores = np.empty((n, m))
        everyone = np.arange(m, dtype=np.intp)
        block = max(1, BLOCK_PAIRS // max(m, 1))
        for start in range(0, n, block):
            scores[start : start + block] = self.grid(
                np.arange(start, min(n, start + block), dtype=np.intp), everyone
            )
        return scores


def _broken_by_rules(market: Market, mentees: Codes, mentors: Codes) -> NDArray[np.bool_]:
    broken = np.zeros(np.broadcast_shapes(mentees.shape, mentors.shape), dtype=np.bool_)
    for component in RULE_COMPONENTS:
        broken |= np.asarray(component.compute(market, mentees, mentors), dtype=np.bool_)
    return broken


def _member(sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    return _lookup(sorted_keys, keys)[0]


def _lookup(
    sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], Codes]:
    """Whether each key is in ``sorted_keys``, and where."""
    if len(sorted_keys) == 0:
        return np.zeros(keys.shape, dtype=np.bool_), np.zeros(keys.shape, dtype=np.intp)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[at] == keys, dtype=np.bool_), at.astype(np.intp)


def _ranges(starts: Codes, stops: Codes) -> Codes:
    """The concatenation of ``range(start, stop)`` for each pair."""
    lengths = stops - starts
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.intp)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.asarray(np.arange(int(lengths.sum())) + offsets, dtype=np.intp)
