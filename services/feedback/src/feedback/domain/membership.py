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
    placeholder: bool = False
    """True: filled in from a pair that names a member whose registration has not arrived
    yet. A placeholder only fills in an unknown participant, and any registration replaces
    it whatever the two events' times, so the order the topics arrive in changes nothing."""
    skills: tuple[str, ...] | None = None
    """The skills a mentee chose to grow (their registration's answers); None keeps what is
    known."""
    manager_person_id: str | None = None
    """Their direct manager (stored with ``skills``, kept when ``skills`` is None)."""


@dataclass(frozen=True, slots=True)
class Known:
    """What is stored of a participant's identity: as of when, and whether a placeholder."""

    as_of: datetime
    placeholder: bool = False


def pair_members(pair: PairCreated, as_of: datetime) -> tuple[Identity, Identity]:
    """The members a pair names, as placeholders to fill in those not known yet."""
    return (
        Identity(
            pair.mentor_participant_id,
            pair.mentor_person_id,
            pair.program_id,
            ParticipantRole.MENTOR,
            as_of,
            placeholder=True,
        ),
        Identity(
            pair.mentee_participant_id,
            pair.mentee_person_id,
            pair.program_id,
            ParticipantRole.MENTEE,
            as_of,
            placeholder=True,
        ),
    )


def identities_applied(
    stored: Mapping[str, Known], incoming: Iterable[Identity], erased: Set[str]
) -> dict[str, Identity]:
    """The identities to store, applying ``incoming`` in order to what is ``stored``.

    A placeholder only fills in an unknown participant; a registration always replaces a
    placeholder (whichever event is newer: the pair's time says nothing of the
    registration's), and between registrations an older one never overwrites a newer one
    (a later one of equal time does); an erased participant is never recorded again.
    """
    known = dict(stored)
    winners: dict[str, Identity] = {}
    for identity in incoming:
        key = identity.participant_id
        if key in erased or not _replaces(known.get(key), identity):
            continue
        known[key] = Known(identity.as_of, identity.placeholder)
        winners[key] = identity
    return winners


def _replaces(current: Known | None, identity: Identity) -> bool:
    if current is None:
        return True
    if identity.placeholder:
        return False
    return current.placeholder or current.as_of <= identity.as_of
