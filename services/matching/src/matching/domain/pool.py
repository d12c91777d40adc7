"""Who waits in a program's pool, and whether a run could still match them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from matching.domain.matching import MENTEE_ROLES, MENTOR_ROLES, mentor_capacity
from matching.domain.pairs import Pair
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole, ProgramFormat


@dataclass(frozen=True, slots=True)
class PoolMember:
    """A participant in the pool, with the pairs they are in now."""

    participant: ParticipantState
    pairs_as_mentee: int
    pairs_as_mentor: int
    room: int
    """Mentees they may still take as a mentor (0 for mentees)."""
    waiting: bool
    """A run could still match them: a mentee without a mentor, or a mentor with room."""


def pool_member(
    program: ProgramState | None, participant: ParticipantState, active: Iterable[Pair]
) -> PoolMember:
    """``participant`` with what their active pairs (``active``: any that involve them) leave.

    ``program`` is None while matching has not heard of the program yet (its events may
    arrive after its participants'): capacities are then taken as registered.
    """
    me = participant.participant_id
    pairs = list(active)
    as_mentee = sum(1 for pair in pairs if pair.mentee_participant_id == me)
    as_mentor = sum(1 for pair in pairs if pair.mentor_participant_id == me)
    if program is not None and program.format is ProgramFormat.PEER:
        paired = as_mentee + as_mentor > 0
        return PoolMember(participant, as_mentee, as_mentor, 0, waiting=not paired)
    room = (
        max(0, _capacity(program, participant) - as_mentor)
        if participant.role in MENTOR_ROLES
        else 0
    )
    wants_mentor = participant.role in MENTEE_ROLES and as_mentee == 0
    return PoolMember(participant, as_mentee, as_mentor, room, waiting=wants_mentor or room > 0)


def _capacity(program: ProgramState | None, participant: ParticipantState) -> int:
    return participant.capacity if program is None else mentor_capacity(program, participant)


@dataclass(frozen=True, slots=True)
class PoolPage:
    """A page of a program's pool (in participant id order) and its counts by role."""

    program_id: str
    counts: dict[ParticipantRole, int]
    members: tuple[PoolMember, ...]
    next_after: str | None


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """What the pool holds of a participant for counting: their program, role and version."""

    program_id: str
    role: ParticipantRole
    as_of: datetime


@dataclass(frozen=True, slots=True)
class PoolChanges:
    """What a batch of registrations changes in the pool."""

    stored: dict[str, tuple[ParticipantState, datetime]]
    """The newest state of each participant whose stored state it replaces."""
    counts: dict[str, Counter[ParticipantRole]]
    """Per program, the change of the number of participants of each role."""


def registrations_applied(
    stored: Mapping[str, PoolEntry], incoming: Iterable[tuple[ParticipantState, datetime]]
) -> PoolChanges:
    """Apply registrations (and updates) to the pool, in the order they came.

    Per participant the newest state wins: one older than what is stored (or than an
    earlier one of the batch) changes nothing; of equal times the later one wins, as when
    they were stored one by one. The counts follow each participant's role.
    """
    current = dict(stored)
    changed: dict[str, tuple[ParticipantState, datetime]] = {}
    counts: dict[str, Counter[ParticipantRole]] = {}
    for participant, as_of in incoming:
        key = participant.participant_id
        before = current.get(key)
        if before is not None and before.as_of > as_of:
            continue
        after = PoolEntry(participant.program_id, participant.role, as_of)
        if before is not None:
            counts.setdefault(before.program_id, Counter())[before.role] -= 1
        counts.setdefault(after.program_id, Counter())[after.role] += 1
        current[key] = after
        changed[key] = (participant, as_of)
    return PoolChanges(changed, counts)


def departure_counted(entry: PoolEntry | None) -> dict[str, Counter[ParticipantRole]]:
    """The count change of someone leaving the pool (nothing if they were not in it)."""
    if entry is None:
        return {}
    return {entry.program_id: Counter({entry.role: -1})}
