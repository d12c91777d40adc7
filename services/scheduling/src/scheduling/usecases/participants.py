"""Participants' time zones, from registration's events, and their erasure."""

from __future__ import annotations

from datetime import datetime

from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.events.participant import ParticipantState
from mentorship_kit.outbox import Transaction
from scheduling.adapters.people import People
from scheduling.usecases.pairs import Pairs
from scheduling.usecases.planning import Planner


class Participants:
    """What scheduling keeps of participants, and forgets when they are erased."""

    def __init__(self, *, people: People, pairs: Pairs, planner: Planner) -> None:
        self._people = people
        self._pairs = pairs
        self._planner = planner

    async def registered(
        self, participant: ParticipantState, as_of: datetime, tx: Transaction
    ) -> None:
        """Keep a participant's person and time zone (a newer state is never rolled back)."""
        await self._people.remember(participant, as_of, tx)

    async def erased(self, erased: ParticipantErased, tx: Transaction) -> None:
        """Forget the participant: their pairs, zone, feed and place in every series."""
        await self._pairs.forget_naming(erased.participant_id, tx)
        await self._planner.participant_erased(erased, tx)
