"""The right-of-access document.

What notifications holds about the caller, section by section, in the kit's shared shape
(`mentorship_kit.exports`).
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel

from mentorship_kit.exports import ExportSection, PersonalDataDocument, subject
from notifications.entrypoints.http.views import DeliveryView, PreferencesView
from notifications.usecases.people import PersonalData


class ExportedParticipation(BaseModel):
    """A program the person registered for, as notifications knows them there."""

    participant_id: str
    program_id: str
    role: str
    time_zone: str
    languages: list[str]
    active: bool


class ParticipationsSection(ExportSection[ExportedParticipation]):
    """The programs the person registered for."""


class PreferencesSection(ExportSection[PreferencesView]):
    """The person's notification preferences (none: the defaults apply)."""


class DeliveriesSection(ExportSection[DeliveryView]):
    """Every message planned for the person and what came of it."""


class NotificationSections(BaseModel):
    """Every kind of record notifications keeps about a person."""

    participations: ParticipationsSection
    preferences: PreferencesSection
    deliveries: DeliveriesSection


class PersonalDataView(PersonalDataDocument[NotificationSections]):
    """Everything the notifications service holds about the caller."""

    service: Literal["notifications"] = "notifications"

    @classmethod
    def of(cls, data: PersonalData) -> Self:
        """The document for ``data``."""
        return cls(
            generated_at=data.generated_at,
            subject=subject(data.person_id, (p.participant_id for p in data.participations)),
            sections=NotificationSections(
                participations=ParticipationsSection(
                    description=(
                        "The programs you registered for, as notifications knows you there: "
                        "your time zone and languages (for when and how to write to you)."
                    ),
                    items=[
                        ExportedParticipation(
                            participant_id=p.participant_id,
                            program_id=p.program_id,
                            role=p.role,
                            time_zone=p.time_zone,
                            languages=list(p.languages),
                            active=p.active,
                        )
                        for p in data.participations
                    ],
                ),
                preferences=PreferencesSection(
                    description=(
                        "Your notification preferences: channels, language, quiet hours, "
                        "digests and what you unsubscribed from (empty: the defaults)."
                    ),
                    items=[PreferencesView.of(data.preferences)] if data.preferences else [],
                ),
                deliveries=DeliveriesSection(
                    description=(
                        "Every message planned for you: its kind, channel, when and whether it "
                        "went out. Your address is never stored here: it is asked of the "
                        "registration service when a message is sent."
                    ),
                    items=[DeliveryView.of(d) for d in data.deliveries],
                ),
            ),
        )
