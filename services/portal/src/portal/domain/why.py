"""Why two people were matched, in plain words, from the score's contributions.

Matching scores a pair as the weighted sum of criteria, each in [0, 1]: a criterion met in
full contributes its weight. So each contribution over its weight says how far the two meet
that criterion, and what they have in common (matching's ``in_common``) says with which
answers. The pages turn each reason into a sentence in the reader's language; this module
only decides which reasons there are, how strong each is and in what order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from portal.domain.models import InCommon, Questionnaire

PICK = "pick"
ORDER = ("pick", "skills", "goals", "discipline", "interests", "seniority", "location", "time_zone")
"""The criteria matching knows, in the order a tie lists them."""
STRONG, PARTIAL = 0.75, 0.4
MIN_SHARE = 0.01
"""Contributions below this share of their weight are not worth a sentence."""


class Strength(StrEnum):
    """How far a pair meets a criterion."""

    STRONG = "strong"
    PARTIAL = "partial"
    LIGHT = "light"


@dataclass(frozen=True, slots=True)
class Reason:
    """One criterion that made the pair: how strongly, and the answers behind it."""

    criterion: str
    share: float
    """The contribution over the criterion's weight (0 to 1)."""
    strength: Strength
    values: tuple[str, ...] = ()
    """The answers the two share for it (choice keys), when matching says so."""
    remote: bool = False
    """Location: both meet remotely (when they share no place)."""
    gap_hours: float | None = None
    """Time zone: the hours between their zones."""
    rank: int | None = None
    """Pick: the mentee's rank of the mentor (1 best)."""


@dataclass(frozen=True, slots=True)
class Why:
    """Why a pair (or a candidate) fits: the overall fit and every reason, strongest first."""

    fit: float
    """The score (without the pick bonus) over the best possible score: 0 to 1."""
    reasons: tuple[Reason, ...]


def _strength(share: float) -> Strength:
    if share >= STRONG:
        return Strength.STRONG
    return Strength.PARTIAL if share >= PARTIAL else Strength.LIGHT


def _values(criterion: str, shared: InCommon | None) -> tuple[str, ...]:
    if shared is None:
        return ()
    return {
        "skills": shared.skills,
        "goals": shared.goals,
        "discipline": shared.disciplines,
        "interests": shared.interests,
        "location": shared.locations,
    }.get(criterion, ())


def pick_rank(contribution: float, bonus: float) -> int | None:
    """The pick rank a pick contribution stands for (matching gives ``bonus * (4 - rank) / 3``)."""
    if bonus <= 0 or contribution <= 0:
        return None
    return min(3, max(1, round(4 - 3 * contribution / bonus)))


def why_matched(
    contributions: Mapping[str, float],
    weights: Mapping[str, float],
    shared: InCommon | None,
    *,
    pick_bonus: float = 0.0,
) -> Why:
    """The reasons behind ``contributions`` (criterion -> weighted value), strongest first."""
    reasons: list[Reason] = []
    for criterion, contribution in contributions.items():
        weight = pick_bonus if criterion == PICK else weights.get(criterion, 0.0)
        if weight <= 0 or contribution <= 0:
            continue
        share = min(1.0, contribution / weight)
        if share < MIN_SHARE:
            continue
        reasons.append(
            Reason(
                criterion=criterion,
                share=share,
                strength=_strength(share),
                values=_values(criterion, shared),
                remote=bool(shared and criterion == "location" and shared.both_remote),
                gap_hours=(
                    shared.time_zone_gap_hours if shared and criterion == "time_zone" else None
                ),
                rank=pick_rank(contribution, pick_bonus) if criterion == PICK else None,
            )
        )
    order = {criterion: position for position, criterion in enumerate(ORDER)}
    reasons.sort(key=lambda r: (r.criterion != PICK, -r.share, order.get(r.criterion, len(order))))
    best = sum(weight for name, weight in weights.items() if name != PICK)
    score = sum(value for name, value in contributions.items() if name != PICK)
    return Why(fit=min(1.0, score / best) if best > 0 else 0.0, reasons=tuple(reasons))


def choice_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """The label of every choice key the questionnaire offers (the first question wins)."""
    labels: dict[str, str] = {}
    for question in questionnaire.questions:
        for choice in question.choices:
            labels.setdefault(choice.key, choice.label)
    return labels


TOPIC_MEANINGS = frozenset({"skills_wanted", "skills_offered", "goals_wanted", "goals_achieved"})
"""The questions whose choices are the skills and goals sessions and reports count by key."""


def topic_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Every choice label, those of the skills and goals questions winning.

    A report's topics are skill and goal keys; another question may give one of those keys
    a label of its own (a discipline, say), which a topic should not take.
    """
    ordered = sorted(questionnaire.questions, key=lambda q: q.meaning not in TOPIC_MEANINGS)
    return choice_labels(questionnaire.model_copy(update={"questions": tuple(ordered)}))


def labelled(values: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    """``values`` by their labels (a key without one is shown as words)."""
    return [labels.get(value, value.replace("_", " ")) for value in values]
