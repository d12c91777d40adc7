"""Pairs: created when a run is approved, ended when they complete or end early."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from matching.domain.matching import PairKey
from mentorship_contracts.events import PairEnded
from mentorship_contracts.types import PairEndReason

EARLY_END_REASONS = frozenset(
    {
        PairEndReason.NOT_A_GOOD_FIT,
        PairEndReason.PARTICIPANT_WITHDREW,
        PairEndReason.PARTICIPANT_ERASED,
        PairEndReason.ADMIN_DECISION,
    }
)
"""Reasons that end a pair before its program does: its people may be matched again,
never with each other."""

ERASED = "erased"
"""What an erased participant's ids are replaced with in the pairs that stay counted."""


class PairStatus(StrEnum):
    """Whether a pair is running."""

    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Pair:
    """A mentor and a mentee (or two peers) paired by an approved run."""

    pair_id: str
    program_id: str
    run_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    mentor_person_id: str
    mentee_person_id: str
    score: float
    created_at: datetime
    group_id: str | None = None
    contributions: dict[str, float] = field(default_factory=dict)
    is_rematch: bool = False
    status: PairStatus = PairStatus.ACTIVE
    ended_at: datetime | None = None
    end_reason: PairEndReason | None = None

    @property
    def key(self) -> PairKey:
        """The pair as a (mentor, mentee) key."""
        return PairKey(mentor=self.mentor_participant_id, mentee=self.mentee_participant_id)

    def involves(self, participant_id: str) -> bool:
        """Whether ``participant_id`` is one of the two."""
        return participant_id in {self.mentor_participant_id, self.mentee_participant_id}


@dataclass(frozen=True, slots=True)
class PairEnding:
    """A pair that ended and the event that announces it."""

    pair: Pair
    event: PairEnded


def end_pair(
    pair: Pair, reason: PairEndReason, now: datetime, *, rematch_requested: bool
) -> PairEnding:
    """End an active pair: the ended pair and its `PairEnded` (the one place it is built).

    Raises:
        PairAlreadyEndedError: the pair is not active.
    """
    if pair.status is not PairStatus.ACTIVE:
        raise PairAlreadyEndedError(pair)
    ended = replace(pair, status=PairStatus.ENDED, ended_at=now, end_reason=reason)
    return PairEnding(
        pair=ended,
        event=PairEnded(
            pair_id=pair.pair_id,
            program_id=pair.program_id,
            reason=reason,
            ended_at=now,
            rematch_requested=rematch_requested,
        ),
    )


def rematch_wanted(reason: PairEndReason, *, asked: bool, enabled: bool) -> bool:
    """Whether ending a pair for ``reason`` queues a re-match of its people."""
    return asked and enabled and reason in EARLY_END_REASONS


class PairAlreadyEndedError(Exception):
    """A pair that ended already cannot end again."""

    def __init__(self, pair: Pair) -> None:
        reason = pair.end_reason.value if pair.end_reason else "ended"
        super().__init__(f"pair {pair.pair_id} ended already ({reason})")
        self.pair = pair
