"""A person's registration for a program, and the events it produces."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mentorship_contracts.events import (
    MatchingProfile,
    ParticipantRegistered,
    ParticipantUpdated,
)
from mentorship_contracts.types import ParticipantRole

QUESTIONNAIRE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Registration:
    """One person's registration for one program."""

    participant_id: str
    program_id: str
    employee_id: str
    person_id: str
    role: ParticipantRole
    capacity: int
    department: str | None
    reporting_line: tuple[str, ...]
    profile: MatchingProfile
    registered_at: datetime
    updated_at: datetime

    def registered(self) -> ParticipantRegistered:
        """The event announcing this registration."""
        return ParticipantRegistered.model_validate(
            self._state() | {"registered_at": self.registered_at}
        )

    def updated(self) -> ParticipantUpdated:
        """The event announcing this registration's new state."""
        return ParticipantUpdated.model_validate(self._state() | {"updated_at": self.updated_at})

    def revise(self, revision: Registration) -> Registration:
        """This registration with the answers of ``revision`` (ids and dates kept)."""
        return replace(
            revision,
            participant_id=self.participant_id,
            person_id=self.person_id,
            registered_at=self.registered_at,
        )

    def _state(self) -> dict[str, object]:
        return {
            "participant_id": self.participant_id,
            "program_id": self.program_id,
            "person_id": self.person_id,
            "role": self.role,
            "capacity": self.capacity,
            "department": self.department,
            "reporting_line": self.reporting_line,
            "profile": self.profile,
            "questionnaire_version": QUESTIONNAIRE_VERSION,
        }
