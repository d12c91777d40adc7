"""Hard rules and weighted criteria between mentees and mentors.

Every function takes two index arrays, ``mentees`` and ``mentors``, that broadcast
against each other: equal-length vectors for a list of pairs, or a column and a row for a
block of the full matrix. The matrix, the explanation of a chosen pair and a "why not?"
all go through the same code, so they can never disagree.

Criteria score in [0, 1]; a pair's score is the sum of ``weight * criterion`` over the
program's weights, and a pair's explanation is exactly those terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from matching.domain.encoding import UNKNOWN, Side, overlap, size
from mentorship_contracts.events.program import CriterionWeights, MatchingRules
from mentorship_contracts.types import ProgramFormat

Indices = NDArray[np.intp]
Mask = NDArray[np.bool_]
Values = NDArray[np.float64]

SENIORITY_FIT = np.array([0.0, 1.0, 0.8, 0.5, 0.25, 0.25], dtype=np.float64)
"""Fit of a seniority gap of 0..5 levels in the expected direction."""
PEER_FIT = np.array([1.0, 0.5], dtype=np.float64)
NO_TIME_ZONE_BOUND_HOURS = 12.0


class Rule(StrEnum):
    """The hard rules, in the order explanations mention them."""

    SAME_PERSON = "same_person"
    REPORTING_LINE = "reporting_line"
    LANGUAGE = "language"
    TIME_ZONE = "time_zone"
    LOCATION = "location"
    SENIORITY = "seniority"


RULE_SENTENCES: dict[Rule, str] = {
    Rule.SAME_PERSON: "the same person",
    Rule.REPORTING_LINE: "in each other's reporting line",
    Rule.LANGUAGE: "no shared language",
    Rule.TIME_ZONE: "time zones too far apart",
    Rule.LOCATION: "no common place to meet (and not both remote)",
    Rule.SENIORITY: "seniority does not fit the program's format",
}

CRITERIA = ("skills", "goals", "discipline", "interests", "seniority", "location", "time_zone")
PICK = "pick"


@dataclass(frozen=True, slots=True)
class Component:
    """One hard rule or criterion and the side attributes it reads.

    Knowing the inputs lets the full matrix be computed on each distinct combination of
    them once (see `matching.domain.scoring`) with the very same function.
    """

    name: str
    mentee_inputs: tuple[str, ...]
    mentor_inputs: tuple[str, ...]
    compute: Callable[[Market, Indices, Indices], NDArray[np.float64] | Mask]


_PLACE = ("locations", "remote_ok")
RULE_COMPONENTS: tuple[Component, ...] = (
    Component(
        Rule.LANGUAGE, ("languages",), ("languages",), lambda m, i, j: m._no_shared_language(i, j)
    ),
    Component(
        Rule.TIME_ZONE,
        ("utc_offset",),
        ("utc_offset",),
        lambda m, i, j: m._time_zones_too_far(i, j),
    ),
    Component(Rule.LOCATION, _PLACE, _PLACE, lambda m, i, j: m._nowhere_to_meet(i, j)),
    Component(
        Rule.SENIORITY, ("seniority",), ("seniority",), lambda m, i, j: ~m._seniority_allowed(i, j)
    ),
)
"""Rules that depend on attributes only (the same-person and reporting-line rules depend
on who the people are and are applied directly)."""

CRITERION_COMPONENTS: tuple[Component, ...] = (
    Component(
        "skills",
        ("skills_wanted",),
        ("skills_offered",),
        lambda m, i, j: _covered(m.mentees.skills_wanted[i], m.mentors.skills_offered[j]),
    ),
    Component(
        "goals",
        ("goals_wanted",),
        ("goals_achieved",),
        lambda m, i, j: _covered(m.mentees.goals_wanted[i], m.mentors.goals_achieved[j]),
    ),
    Component(
        "discipline",
        ("preferred_disciplines",),
        ("disciplines",),
        lambda m, i, j: m._discipline(i, j),
    ),
    Component(
        "interests",
        ("interests",),
        ("interests",),
        lambda m, i, j: _jaccard(m.mentees.interests[i], m.mentors.interests[j]),
    ),
    Component("seniority", ("seniority",), ("seniority",), lambda m, i, j: m._seniority_fit(i, j)),
    Component("location", _PLACE, _PLACE, lambda m, i, j: m._location_fit(i, j)),
    Component(
        "time_zone", ("utc_offset",), ("utc_offset",), lambda m, i, j: m._time_zone_fit(i, j)
    ),
)
"""Every criterion, in the order of ``CRITERIA``."""


@dataclass(frozen=True, slots=True)
class Market:
    """The two sides of a matching and the program's rules and weights."""

    mentees: Side
    mentors: Side
    format: ProgramFormat
    rules: MatchingRules
    weights: CriterionWeights
    line_exclusions: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Sorted keys ``mentee_row * len(mentors) + mentor_row`` of pairs in each other's
    reporting line within the program's depth."""

    # ------------------------------------------------------------------ hard rules

    def violations(
        self, mentees: Indices, mentors: Indices, *, reporting_line: bool = True
    ) -> dict[Rule, Mask]:
        """For each rule, which pairs break it.

        ``reporting_line=False`` leaves that rule out, for callers that apply its (few)
        exclusions by index on a dense matrix.
        """
        a, b = self.mentees, self.mentors
        line = (
            self._in_reporting_line(mentees, mentors)
            if reporting_line
            else _nothing(mentees, mentors)
        )
        return {
            Rule.SAME_PERSON: a.person[mentees] == b.person[mentors],
            Rule.REPORTING_LINE: line,
        } | {
            Rule(component.name): np.asarray(
                component.compute(self, mentees, mentors), dtype=np.bool_
            )
            for component in RULE_COMPONENTS
        }

    def allowed(self, mentees: Indices, mentors: Indices, *, reporting_line: bool = True) -> Mask:
        """Pairs that pass every hard rule."""
        broken = _nothing(mentees, mentors)
        for mask in self.violations(mentees, mentors, reporting_line=reporting_line).values():
            broken = broken | mask
        return ~broken

    def pair_keys(self, mentees: Indices, mentors: Indices) -> NDArray[np.int64]:
        """One integer per pair, as used by ``line_exclusions``."""
        return mentees.astype(np.int64) * len(self.mentors) + mentors.astype(np.int64)

    def _in_reporting_line(self, mentees: Indices, mentors: Indices) -> Mask:
        if not len(self.line_exclusions):
            return _nothing(mentees, mentors)
        return np.isin(self.pair_keys(mentees, mentors), self.line_exclusions)

    def _no_shared_language(self, mentees: Indices, mentors: Indices) -> Mask:
        if not self.rules.require_shared_language:
            return _nothing(mentees, mentors)
        a, b = self.mentees.languages[mentees], self.mentors.languages[mentors]
        both_known: Mask = (size(a) > 0) & (size(b) > 0)
        disjoint: Mask = overlap(a, b) == 0
        return both_known & disjoint

    def time_zone_gap(self, mentees: Indices, mentors: Indices) -> Values:
        """Hours between the two zones, the short way round the clock."""
        gap = np.abs(self.mentees.utc_offset[mentees] - self.mentors.utc_offset[mentors])
        return np.minimum(gap, 24.0 - gap)

    def _time_zones_too_far(self, mentees: Indices, mentors: Indices) -> Mask:
        bound = self.rules.max_time_zone_gap_hours
        if bound is None:
            return _nothing(mentees, mentors)
        return self.time_zone_gap(mentees, mentors) > bound + 1e-9

    def _common_location(self, mentees: Indices, mentors: Indices) -> Mask:
        return overlap(self.mentees.locations[mentees], self.mentors.locations[mentors]) > 0

    def _nowhere_to_meet(self, mentees: Indices, mentors: Indices) -> Mask:
        common = self._common_location(mentees, mentors)
        if self.rules.in_person_required:
            return ~common
        both_remote = self.mentees.remote_ok[mentees] & self.mentors.remote_ok[mentors]
        return ~(common | both_remote)

    def seniority_gap(self, mentees: Indices, mentors: Indices) -> NDArray[np.int32]:
        """Levels by which the expected senior side outranks the other (peer: absolute)."""
        mentee_rank = self.mentees.seniority[mentees]
        mentor_rank = self.mentors.seniority[mentors]
        if self.format is ProgramFormat.REVERSE:
            return (mentee_rank - mentor_rank).astype(np.int32)
        if self.format is ProgramFormat.PEER:
            return np.abs(mentor_rank - mentee_rank).astype(np.int32)
        return (mentor_rank - mentee_rank).astype(np.int32)

    def _seniority_known(self, mentees: Indices, mentors: Indices) -> Mask:
        known: Mask = (self.mentees.seniority[mentees] != UNKNOWN) & (
            self.mentors.seniority[mentors] != UNKNOWN
        )
        return known

    def _seniority_allowed(self, mentees: Indices, mentors: Indices) -> Mask:
        gap = self.seniority_gap(mentees, mentors)
        fits = gap <= 1 if self.format is ProgramFormat.PEER else gap >= 1
        return ~self._seniority_known(mentees, mentors) | fits

    # ------------------------------------------------------------------ criteria

    def criteria(self, mentees: Indices, mentors: Indices) -> dict[str, Values]:
        """Each criterion in [0, 1] for each pair."""
        return {
            component.name: np.asarray(component.compute(self, mentees, mentors), dtype=np.float64)
            for component in CRITERION_COMPONENTS
        }

    def contributions(self, mentees: Indices, mentors: Indices) -> dict[str, Values]:
        """Each criterion times its weight: the explanation of each pair's score."""
        weights = self.weights.model_dump()
        return {
            name: weights[name] * values for name, values in self.criteria(mentees, mentors).items()
        }

    def scores(self, mentees: Indices, mentors: Indices) -> Values:
        """The weighted score of each pair (without mentee picks)."""
        total: Values = np.zeros(np.broadcast_shapes(mentees.shape, mentors.shape))
        for values in self.contributions(mentees, mentors).values():
            total = total + values
        return total

    @property
    def max_score(self) -> float:
        """The highest score a pair can have (every criterion at 1, best pick)."""
        return float(sum(self.weights.model_dump().values()) + self.rules.pick_bonus)

    def _discipline(self, mentees: Indices, mentors: Indices) -> Values:
        shared = overlap(
            self.mentees.preferred_disciplines[mentees], self.mentors.disciplines[mentors]
        )
        return (shared > 0).astype(np.float64)

    def _seniority_fit(self, mentees: Indices, mentors: Indices) -> Values:
        gap = self.seniority_gap(mentees, mentors)
        table = PEER_FIT if self.format is ProgramFormat.PEER else SENIORITY_FIT
        fit = table[np.clip(gap, 0, len(table) - 1)]
        if self.format is not ProgramFormat.PEER:
            fit = np.where(gap >= 1, fit, 0.0)
        return np.where(self._seniority_known(mentees, mentors), fit, 0.0)

    def _location_fit(self, mentees: Indices, mentors: Indices) -> Values:
        common = self._common_location(mentees, mentors)
        both_remote = self.mentees.remote_ok[mentees] & self.mentors.remote_ok[mentors]
        return np.where(common, 1.0, np.where(both_remote, 0.5, 0.0))

    def _time_zone_fit(self, mentees: Indices, mentors: Indices) -> Values:
        bound = self.rules.max_time_zone_gap_hours or NO_TIME_ZONE_BOUND_HOURS
        if bound <= 0:
            return np.ones(np.broadcast_shapes(mentees.shape, mentors.shape))
        gap = self.time_zone_gap(mentees, mentors)
        return np.clip(1.0 - gap / bound, 0.0, 1.0)


def _nothing(mentees: Indices, mentors: Indices) -> Mask:
    """No pair at all, in the shape the index arrays broadcast to."""
    return np.zeros(np.broadcast_shapes(mentees.shape, mentors.shape), dtype=np.bool_)


def _covered(wanted: NDArray[np.uint64], offered: NDArray[np.uint64]) -> Values:
    """Share of what is wanted that is offered (0 when nothing is wanted)."""
    want = size(wanted)
    return np.where(want > 0, overlap(wanted, offered) / np.maximum(want, 1), 0.0)


def _jaccard(left: NDArray[np.uint64], right: NDArray[np.uint64]) -> Values:
    common = overlap(left, right)
    union = size(left) + size(right) - common
    return np.where(union > 0, common / np.maximum(union, 1), 0.0)


def pick_value(rank: int) -> float:
    """The pick criterion of a mentee's pick of ``rank`` (1 best, 3 last)."""
    return (4 - rank) / 3
