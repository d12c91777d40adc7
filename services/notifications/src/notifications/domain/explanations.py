"""Why two people were matched, in words: the largest contributions of the score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

KNOWN_CRITERIA: frozenset[str] = frozenset(
    {"skills", "goals", "discipline", "interests", "seniority", "location", "time_zone", "pick"}
)
"""The criteria matching scores (see the contracts' CriterionWeights); templates have words
for each."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One criterion and its share of the pair's score."""

    criterion: str
    share: float
    """Between 0 and 1: the criterion's contribution divided by the score."""

    @property
    def percent(self) -> int:
        """The share in whole percent."""
        return round(self.share * 100)


def reasons(contributions: Mapping[str, float], *, limit: int = 3) -> list[Reason]:
    """The criteria that contributed most, largest first.

    A criterion with nothing to say (zero or negative) is left out, as are criteria the templates
    have no words for.
    """
    positive = {
        criterion: value
        for criterion, value in contributions.items()
        if value > 0 and criterion in KNOWN_CRITERIA
    }
    total = sum(value for value in contributions.values() if value > 0)
    ranked = sorted(positive.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Reason(criterion, value / total) for criterion, value in ranked]
