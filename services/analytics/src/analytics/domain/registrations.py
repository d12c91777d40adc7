"""The registration report of a program."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mentorship_contracts.types import ParticipantRole


@dataclass(frozen=True, slots=True)
class RoleTally:
    """Active registrations of one role and the mentoring capacity they bring."""

    role: ParticipantRole
    participants: int
    capacity: int


@dataclass(frozen=True, slots=True)
class RegistrationSummary:
    """Who is registered for a program right now."""

    program_id: str
    participants: int
    mentors: int
    mentees: int
    both: int
    withdrawn: int
    mentor_capacity: int
    mentee_demand: int

    @classmethod
    def tally(
        cls, program_id: str, active: Iterable[RoleTally], withdrawn: int
    ) -> RegistrationSummary:
        """Combine per-role tallies; people registered as both count on each side."""
        by_role = {tally.role: tally for tally in active}

        def count(role: ParticipantRole) -> int:
            tally = by_role.get(role)
            return tally.participants if tally else 0

        mentors, mentees, both = (
            count(ParticipantRole.MENTOR),
            count(ParticipantRole.MENTEE),
            count(ParticipantRole.BOTH),
        )
        return cls(
            program_id=program_id,
            participants=mentors + mentees + both,
            mentors=mentors,
            mentees=mentees,
            both=both,
            withdrawn=withdrawn,
            mentor_capacity=sum(tally.capacity for tally in by_role.values()),
            mentee_demand=mentees + both,
        )
