"""Reading the organisation-wide read models the outcome comparison needs: people, outcomes."""

from __future__ import annotations

from analytics.adapters.read_models import RM_PREFIX
from analytics.domain.documents import Fact, OutcomeFact, PersonFact
from mentorship_kit.mongo import Database


class OrganisationModels:
    """The directory's people and the HRIS outcomes, organisation-wide."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def _all[F: Fact](self, kind: type[F]) -> list[F]:
        cursor = self._database[f"{RM_PREFIX}{kind.collection}"].find({})
        return [kind.model_validate(document) async for document in cursor]

    async def people(self) -> dict[str, PersonFact]:
        """Every person of the directory, by person key."""
        return {person.id: person for person in await self._all(PersonFact)}

    async def outcomes(self) -> list[OutcomeFact]:
        """Every outcome the HRIS reported."""
        return await self._all(OutcomeFact)
