"""The mentors a mentee may pick, and how well each fits her: the solver's own scoring.

In a mentee-choice program a mentee names up to three mentors, best first. She chooses from
the mentors a run could pair her with: the hard rules (same person, reporting line, shared
language, time-zone gap, a place to meet, the format's seniority rule) and the pairs that
ended early between them are applied exactly as a run applies them, through the same market
(`matching.domain.matching.setup_market`), and each mentor's score is the very weighted sum
of criteria the solver maximises, with each criterion's contribution. A mentor without room
left is still listed (``room`` 0): someone may leave, and a pick made earlier stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matching.domain.compatibility import CRITERIA
from matching.domain.matching import MENTEE_ROLES, MENTOR_ROLES, MatchingRequest, setup_market
from matching.domain.membership import InCommon, in_common
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.types import ProgramFormat


@dataclass(frozen=True, slots=True)
class Candidate:
    """A mentor the mentee may pick, how well they fit, and the room the mentor has left."""

    mentor: ParticipantState
    score: float
    """The weighted sum of criteria the solver maximises (without the pick bonus)."""
    contributions: dict[str, float]
    """Each criterion times its weight: they sum to ``score``."""
    room: int
    """Mentees the mentor may still take in this program."""
    pick_rank: int | None
    """Where the mentee put them among her picks (1 best), if she picked them."""
    in_common: InCommon
    """What she wants that they offer, and what else they share."""


@dataclass(frozen=True, slots=True)
class Candidates:
    """Every mentor a mentee may pick, best fit first, and how many the rules exclude."""

    mentee: ParticipantState
    candidates: tuple[Candidate, ...]
    excluded: int
    """Mentors of the program the hard rules (or an earlier pairing) keep from her."""
    weights: dict[str, float]
    """The program's weight of each criterion: a criterion met in full contributes it."""
    max_score: float
    """The score of a mentor who meets every criterion in full (the sum of the weights)."""


class NotAMenteeError(Exception):
    """Only a mentee (or someone registered as both) of the program picks mentors."""


class PeersAreNotPickedError(Exception):
    """Peer programs pair people among themselves: nobody picks a mentor."""


def candidates_for(request: MatchingRequest, mentee: ParticipantState) -> Candidates:
    """The mentors ``mentee`` may pick in ``request``'s program, best fit first.

    ``request`` is the program's pool, pairs and reporting lines as a run would see them;
    the mentee's own active pair (if any) is left out, so what she could pick is the same
    before and after she is matched.

    Raises:
        NotAMenteeError: ``mentee`` is registered as a mentor only.
        PeersAreNotPickedError: the program pairs peers.
    """
    if request.program.format is ProgramFormat.PEER:
        msg = "in a peer program people are paired among themselves: nobody picks a mentor"
        raise PeersAreNotPickedError(msg)
    if mentee.role not in MENTEE_ROLES:
        msg = "only the program's mentees pick mentors"
        raise NotAMenteeError(msg)
    me = mentee.participant_id
    mentors = [p for p in request.participants if p.participant_id != me and p.role in MENTOR_ROLES]
    setup = setup_market(
        replace(
            request,
            participants=(mentee, *mentors),
            existing_pairs=tuple(p for p in request.existing_pairs if p.mentee != me),
            pins=(),
            forbids=(),
            max_changes=None,
        )
    )
    market = setup.market
    row = setup.mentee_rows[me]
    columns = np.arange(len(market.mentors), dtype=np.intp)
    rows = np.full(len(columns), row, dtype=np.intp)
    allowed = market.allowed(rows, columns)
    for mentee_row, mentor_row in setup.preferences.forbidden:
        if mentee_row == row:
            allowed[mentor_row] = False
    contributions = market.contributions(rows, columns)
    picks = setup.preferences.picks.get(row, ())
    found = [
        Candidate(
            mentor=market.mentors.participants[j],
            score=float(sum(contributions[name][j] for name in CRITERIA)),
            contributions={name: float(contributions[name][j]) for name in CRITERIA},
            room=int(setup.capacity[j]),
            pick_rank=picks.index(j) + 1 if j in picks else None,
            in_common=in_common(mentee, market.mentors.participants[j], request.program.starts_on),
        )
        for j in np.nonzero(allowed)[0].tolist()
    ]
    found.sort(key=lambda c: (-c.score, c.mentor.participant_id))
    return Candidates(
        mentee=mentee,
        candidates=tuple(found),
        excluded=sum(1 for p in market.mentors.participants if p.participant_id != me) - len(found),
        weights=market.weights.model_dump(),
        max_score=float(sum(market.weights.model_dump().values())),
    )
