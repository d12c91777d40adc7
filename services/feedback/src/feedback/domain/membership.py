"""Who someone is in a pair: a member (mentor or mentee) or nobody."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True, slots=True)
class Identity:
    """What an event says about who a participant is, and as of when."""

    participant_id: str
    person_id: str
    program_id: str
    role: ParticipantRole
    as_of: datetime
    overwrite: bool = True
    """False: only fills in a participant not known yet (a pair names its members before
    their registrations may have arrived)."""
    skills: tuple[str, ...] | None = None
    """The skills a mentee chose to grow (their registration's answers); None keeps what is
    known."""
    manager_person_id: str | None = None
    """Their direct manager (stored with ``skills``, kept when ``skills`` is None)."""


def pair_members(pair: PairCreated, as_of: datetime) -> tuple[Identity, Identity]:
    """The members a pair names, to fill in those not known yet."""
    return (
        Identity(
            pair.mentor_participant_id,
            pair.mentor_person_id,
            pair.program_id,
            ParticipantRole.MENTOR,
            as_of,
            overwrite=False,
        ),
        Identity(
            pair.mentee_participant_id,
            pair.mentee_person_id,
            pair.program_id,
            ParticipantRole.MENTEE,
            as_of,
            overwrite=False,
        ),
    )


def identities_applied(
    stored: Mapping[str, datetime], incoming: Iterable[Identity], erased: Set[str]
) -> dict[str, Identity]:
    """The identities to store, applying ``incoming`` in order to what is ``stored``.

    ``stored`` holds the time of each known participant's stored identity. An older
    identity never overwrites a newer one (a later one of equal time does); one that does
    not overwrite only fills in an unknown participant; an erased participant is never
    recorded again.
    """
    known = dict(stored)
    winners: dict[str, Identity] = {}
    for identity in incoming:
        key = identity.participant_id
        if key in erased:
            continue
        current = known.get(key)
        if current is not None and (not identity.overwrite or current > identity.as_of):
            continue
        known[key] = identity.as_of
        winners[key] = identity
    return winners
