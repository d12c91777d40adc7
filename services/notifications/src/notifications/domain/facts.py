"""What the service remembers of other services' events: ids, times and choices only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Participant:
    """A registration: who (person id) in which program, and what they speak."""

    participant_id: str
    person_id: str
    program_id: str
    role: str
    time_zone: str = "UTC"
    languages: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True, slots=True)
class Pair:
    """A pair, with its score explained, and the sessions it held."""

    pair_id: str
    program_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    held_sessions: tuple[str, ...] = ()
    ended: bool = False

    def other_than(self, participant_id: str) -> str:
        """The member who is not ``participant_id`` (the mentor, unless they are it)."""
        if participant_id == self.mentor_participant_id:
            return self.mentee_participant_id
        return self.mentor_participant_id


@dataclass(frozen=True, slots=True)
class SessionState:
    """A session as its events told it; ``changes`` counts them (the first is 1)."""

    session_id: str
    pair_id: str
    program_id: str
    participant_ids: tuple[str, ...]
    starts_at: datetime
    duration_minutes: int
    changes: int
    ordinal: int | None = None
    cancelled: bool = False

    @property
    def sequence(self) -> int:
        """The iCalendar SEQUENCE: scheduling's version, 0 when created, +1 per change."""
        return self.changes - 1


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """What messages say about a program."""

    program_id: str
    name: str
    starts_on: date
    ends_on: date
    time_zone: str
    session_minutes: int
    goal_detail: str = ""
    registration_closes_at: datetime | None = None
