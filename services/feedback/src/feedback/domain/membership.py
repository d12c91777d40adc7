"""Who someone is in a pair: a member (mentor or mentee) or nobody."""

from __future__ import annotations

from dataclasses import dataclass

from mentorship_contracts.events import PairCreated
from mentorship_contracts.types import ParticipantRole


@dataclass(frozen=True, slots=True)
class Membership:
    """A member's place in a pair: their participant id and role there."""

    pair: PairCreated
    participant_id: str
    role: ParticipantRole


@dataclass(frozen=True, slots=True)
class Participation:
    """A person's registration in one program, as feedback knows it."""

    participant_id: str
    program_id: str
    role: ParticipantRole


def member_by_person(pair: PairCreated, person_id: str | None) -> Membership | None:
    """The person's membership of ``pair``, or None when they are not one of its two members."""
    if person_id is None:
        return None
    if person_id == pair.mentor_person_id:
        return Membership(pair, pair.mentor_participant_id, ParticipantRole.MENTOR)
    if person_id == pair.mentee_person_id:
        return Membership(pair, pair.mentee_participant_id, ParticipantRole.MENTEE)
    return None


def member_by_participant(pair: PairCreated, participant_id: str) -> Membership | None:
    """The participant's membership of ``pair``, or None."""
    if participant_id == pair.mentor_participant_id:
        return Membership(pair, participant_id, ParticipantRole.MENTOR)
    if participant_id == pair.mentee_participant_id:
        return Membership(pair, participant_id, ParticipantRole.MENTEE)
    return None
