"""Participants' time zones, from registration's events, and their erasure."""

from __future__ import annotations

from datetime import datetime

from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.events.participant import ParticipantState
from mentorship_kit.batching import Buffer
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
        self._registrations: Buffer[tuple[ParticipantState, datetime]] = Buffer(
            "scheduling.registrations", people.remember
        )

    async def registered(
        self, participant: ParticipantState, as_of: datetime, tx: Transaction
    ) -> None:
        """Keep a participant's person and time zone (a newer state is never rolled back).

        Kept with the transaction's other registrations just before it commits (one
        erasure-guard round, one read, one bulk write for a consumer batch).
        """
        self._registrations.add((participant, as_of), tx)

    async def erased(self, erased: ParticipantErased, tx: Transaction) -> None:
        """Forget the participant: their pairs, zone, feed and place in every series."""
        await self._registrations.flush(tx)  # registrations before it come first
        await self._pairs.forget_naming(erased.participant_id, tx)
        await self._planner.participant_erased(erased, tx)
