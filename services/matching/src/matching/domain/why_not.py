"""Why not X: what keeps a mentee and a mentor apart in a run.

Either a hard rule (named), an admin's or an earlier pairing's exclusion, the mentee's
required picks, or, when they may be paired, the price of pairing them: the run re-solved
with the pair pinned, against the run as it is.

The run is re-solved on the pool as it is now: a pin that is no longer possible is dropped
(its mentee or mentor withdrew, its mentee was paired since, as every pinned mentee is once
the run is approved, or its mentor has no room left).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matching.domain.compatibility import RULE_SENTENCES, Rule
from matching.domain.matching import (
    MarketSetup,
    MatchingFailed,
    MatchingRequest,
    PairKey,
    Proposal,
    explain_pair,
    propose,
    setup_market,
)
from matching.domain.reporting import explain_line

SCORE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class WhyNot:
    """The answer for one mentee and one mentor."""

    mentee: str
    mentor: str
    paired: bool
    """The run pairs them."""
    can_be_paired: bool
    reasons: tuple[str, ...]
    """What excludes the pair outright (rules, exclusions, picks, availability)."""
    score: float | None = None
    """Their pair's score, when they may be paired."""
    contributions: dict[str, float] | None = None
    mentee_partner: str | None = None
    mentee_partner_score: float | None = None
    objective: float | None = None
    """The run's total score."""
    objective_with_pair: float | None = None
    """The best total score with this pair pinned."""
    matches: int | None = None
    matches_with_pair: int | None = None
    summary: str = ""


def why_not(
    request: MatchingRequest, mentee: str, mentor: str, baseline: Proposal | None = None
) -> WhyNot:
    """Explain why the run does not pair ``mentee`` with ``mentor`` (or that it does).

    ``baseline`` is the run's proposal for ``request``; it is computed when not given.

    Raises:
        MatchingFailed: the run itself cannot be solved (its remaining pins conflict, or the
            time limit passed before any matching was found), so there is nothing to compare.
    """
    setup = setup_market(replace(request, pins=()))  # pins decide no one's availability
    request = replace(request, pins=tuple(p for p in request.pins if _available(setup, p)))
    missing = [
        f"{who} {participant} is not available to this run (unknown, withdrawn, not in "
        f"that role, already paired or at capacity)"
        for who, participant, rows in (
            ("mentee", mentee, setup.mentee_rows),
            ("mentor", mentor, setup.mentor_rows),
        )
        if participant not in rows
    ]
    if missing:
        return _cannot(mentee, mentor, tuple(missing))
    i, j = setup.mentee_rows[mentee], setup.mentor_rows[mentor]
    reasons = _exclusions(request, setup, mentee, mentor)
    if reasons:
        return _cannot(mentee, mentor, reasons)
    score, contributions = explain_pair(setup, i, j)
    proposal = baseline if baseline is not None else propose(request)
    partner = next((m for m in proposal.matches if m.mentee == mentee), None)
    answer = WhyNot(
        mentee=mentee,
        mentor=mentor,
        paired=partner is not None and partner.mentor == mentor,
        can_be_paired=True,
        reasons=(),
        score=score,
        contributions=contributions,
        mentee_partner=partner.mentor if partner else None,
        mentee_partner_score=partner.score if partner else None,
        objective=proposal.objective,
        matches=len(proposal.matches),
    )
    if answer.paired:
        return replace(answer, summary="The run pairs them.")
    pinned = replace(request, pins=(*request.pins, PairKey(mentor=mentor, mentee=mentee)))
    try:
        with_pair = propose(pinned)
    except MatchingFailed as error:
        return replace(answer, summary=f"Pinning them makes the run impossible: {error}.")
    return replace(
        answer,
        objective_with_pair=with_pair.objective,
        matches_with_pair=len(with_pair.matches),
        summary=_price(proposal, with_pair),
    )


def _available(setup: MarketSetup, pair: PairKey) -> bool:
    mentor = setup.mentor_rows.get(pair.mentor)
    return pair.mentee in setup.mentee_rows and mentor is not None and setup.capacity[mentor] > 0


def _exclusions(
    request: MatchingRequest, setup: MarketSetup, mentee: str, mentor: str
) -> tuple[str, ...]:
    i, j = setup.mentee_rows[mentee], setup.mentor_rows[mentor]
    rows, columns = np.array([i], dtype=np.intp), np.array([j], dtype=np.intp)
    reasons = [
        _rule_reason(setup, rule, i, j)
        for rule, mask in setup.market.violations(rows, columns).items()
        if mask[0]
    ]
    pair = PairKey(mentor=mentor, mentee=mentee)
    if pair in request.forbids:
        reasons.append("an admin forbade this pair")
    if pair in request.ended_pairs:
        reasons.append("they were paired before and the pair ended early")
    picks = setup.preferences.picks.get(i, ())
    if setup.preferences.picks_required and picks and j not in picks:
        reasons.append("the program requires a pick and the mentee did not pick this mentor")
    return tuple(reasons)


def _rule_reason(setup: MarketSetup, rule: Rule, mentee: int, mentor: int) -> str:
    reason = f"hard rule: {RULE_SENTENCES[rule]}"
    if rule is Rule.REPORTING_LINE:
        detail = explain_line(
            setup.market.mentees.participants[mentee],
            setup.market.mentors.participants[mentor],
            setup.lines,
        )
        if detail:
            reason = f"{reason}: {detail}"
    return reason


def _cannot(mentee: str, mentor: str, reasons: tuple[str, ...]) -> WhyNot:
    return WhyNot(
        mentee=mentee,
        mentor=mentor,
        paired=False,
        can_be_paired=False,
        reasons=reasons,
        summary="They cannot be paired: " + "; ".join(reasons) + ".",
    )


def _price(proposal: Proposal, with_pair: Proposal) -> str:
    fewer = len(proposal.matches) - len(with_pair.matches)
    loss = proposal.objective - with_pair.objective
    if fewer > 0:
        return (
            f"Pairing them would leave {fewer} more mentee(s) unmatched "
            f"({len(with_pair.matches)} pairs instead of {len(proposal.matches)})."
        )
    if loss <= SCORE_TOLERANCE * max(1.0, abs(proposal.objective)):
        return (
            "Pairing them costs nothing: another matching as good as the run's pairs them "
            "(the solver chose among equals)."
        )
    return (
        f"Pairing them would lower the program's total score by {loss:.3f} "
        f"(from {proposal.objective:.3f} to {with_pair.objective:.3f}): the people they "
        "would displace fit their partners better."
    )
