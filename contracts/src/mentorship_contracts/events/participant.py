"""Participant events: who registered for a program and what matching needs about them.

No names, e-mails or free text travel here: Kafka logs cannot be erased, so events carry
opaque ids and normalised answers only. A subscriber that must contact a person asks the
registration service's API, which forgets the person on erasure.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import (
    Identifier,
    LanguageCode,
    ParticipantRole,
    Seniority,
    Slug,
    TimeZoneName,
    UtcDatetime,
    WithdrawalReason,
)

Choices = tuple[Slug, ...]


class MatchingProfile(BaseModel):
    """A participant's questionnaire answers, normalised to what matching compares."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    seniority: Seniority | None = None
    years_experience: float | None = Field(default=None, ge=0, le=70)
    years_in_role: float | None = Field(default=None, ge=0, le=70)
    discipline: Slug | None = None
    disciplines_experienced: Choices = ()
    preferred_mentor_disciplines: Choices = ()
    locations: Choices = ()
    remote_ok: bool = True
    time_zone: TimeZoneName = "UTC"
    languages: tuple[LanguageCode, ...] = ()
    skills_wanted: Choices = ()
    skills_offered: Choices = ()
    goals_wanted: Choices = ()
    goals_achieved: Choices = ()
    interests: Choices = ()
    preferred_mentors: Annotated[
        tuple[Identifier, ...],
        Field(max_length=3, description="Participant ids of up to three mentors, best first."),
    ] = ()


class ParticipantState(IntegrationEvent):
    """A registration as matching and reporting need it (event-carried state)."""

    participant_id: Identifier
    program_id: Identifier
    person_id: Identifier = Field(
        description="Pseudonymous id of the person, the same across programs."
    )
    role: ParticipantRole
    capacity: int = Field(ge=0, le=50, description="Mentees a mentor takes on; 0 for mentees.")
    department: Slug | None = None
    reporting_line: tuple[Identifier, ...] = Field(
        default=(),
        max_length=16,
        description="person_ids of the participant's managers, the direct manager first.",
    )
    profile: MatchingProfile
    choice_answers: dict[Slug, Choices] = Field(
        default_factory=dict,
        description="Answers to the choice questions by question key (for reporting).",
    )
    questionnaire_version: int = Field(ge=1)

    @model_validator(mode="after")
    def _capacity_fits_role(self) -> Self:
        mentors = self.role in {ParticipantRole.MENTOR, ParticipantRole.BOTH}
        if mentors and self.capacity < 1:
            msg = "a mentor's capacity must be at least 1"
            raise ValueError(msg)
        if not mentors and self.capacity != 0:
            msg = "a mentee's capacity must be 0"
            raise ValueError(msg)
        return self


class ParticipantRegistered(ParticipantState):
    """A person registered for a program as mentor, mentee or both."""

    registered_at: UtcDatetime


class ParticipantUpdated(ParticipantState):
    """A participant changed their answers; carries the full new state."""

    updated_at: UtcDatetime


class ParticipantWithdrew(IntegrationEvent):
    """A participant left a program; they are no longer matched or scheduled.

    ``reason`` is ``left_organisation`` when the directory deactivated the person (this is not
    an erasure: what they did stays, they are only taken out of every open program).
    """

    participant_id: Identifier
    program_id: Identifier
    withdrew_at: UtcDatetime
    reason: WithdrawalReason = Field(
        default=WithdrawalReason.PARTICIPANT_REQUEST,
        description="Why they left; events from before this field mean participant_request.",
    )


class ParticipantErased(IntegrationEvent):
    """An organisation erased a person (GDPR): every service deletes what it holds on them.

    One event per registration of the person; aggregate counts may stay, identities may not.
    """

    participant_id: Identifier
    program_id: Identifier
    person_id: Identifier
    erased_at: UtcDatetime
