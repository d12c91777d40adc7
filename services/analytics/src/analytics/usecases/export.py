"""The right of access: what analytics' read models hold about the calling person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analytics.adapters.read_models import ReadModels
from analytics.domain.documents import PersonFacts
from mentorship_contracts.types import utc_now
from mentorship_kit.exports import exporting_person
from mentorship_kit.principal import Principal


@dataclass(frozen=True, slots=True)
class PersonalData:
    """The person's documents, read at ``generated_at``."""

    generated_at: datetime
    facts: PersonFacts


class PersonalDataExport:
    """Reads a person's documents from the read models."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def of(self, caller: Principal) -> PersonalData:
        """The caller's own documents (an admin token names nobody: 403)."""
        person_id = exporting_person(caller)
        generated_at = utc_now()
        return PersonalData(generated_at, await self._models.of_person(person_id))
