"""A person's own side: preferences, one-click unsubscribe, the export, and erasure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mentorship_contracts.types import utc_now
from mentorship_kit.errors import ForbiddenError, InvalidInputError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from notifications.adapters.services import PlatformClient
from notifications.adapters.store import Deliveries, Facts, PreferencesStore, ProgramSettingsStore
from notifications.domain.deliveries import Delivery
from notifications.domain.facts import Participant
from notifications.domain.kinds import Kind
from notifications.domain.preferences import PreferenceError, Preferences, validated
from notifications.usecases.unsubscribe_links import BadToken, read_token


def _person(caller: Principal) -> str:
    if caller.person_id is None:
        msg = "preferences are a participant's own: call with a participant's token"
        raise ForbiddenError(msg)
    return caller.person_id


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What notifications holds about one person."""

    person_id: str
    generated_at: datetime
    participations: list[Participant]
    preferences: Preferences | None
    deliveries: list[Delivery]


class People:
    """Preferences, unsubscribing, export and erasure."""

    def __init__(
        self,
        transactor: Transactor,
        *,
        preferences: PreferencesStore,
        deliveries: Deliveries,
        facts: Facts,
        link_key: bytes,
        programs: ProgramSettingsStore,
        platform: PlatformClient,
    ) -> None:
        self._transactor = transactor
        self._preferences = preferences
        self._deliveries = deliveries
        self._facts = facts
        self._link_key = link_key
        self._programs = programs
        self._platform = platform

    async def mine(self, caller: Principal) -> Preferences:
        """The caller's preferences (the defaults when they chose nothing)."""
        person_id = _person(caller)
        return await self._preferences.get(person_id) or Preferences(person_id)

    async def choose(self, caller: Principal, chosen: Preferences) -> Preferences:
        """Replace the caller's preferences."""
        person_id = _person(caller)
        try:
            preferences = validated(replace(chosen, person_id=person_id, updated_at=utc_now()))
        except PreferenceError as error:
            raise InvalidInputError([(f"body.{error.field}", str(error))]) from None

        async def store(tx: Transaction) -> None:
            await self._preferences.put(preferences, tx)

        await self._transactor.run(store)
        return preferences

    async def unsubscribe(self, token: str) -> Kind:
        """Stop the kind a one-click link names, for the person it names."""
        try:
            person_id, kind = read_token(token, self._link_key)
        except BadToken:
            raise InvalidInputError([("path.token", "not a valid unsubscribe link")]) from None

        async def stop(tx: Transaction) -> None:
            current = await self._preferences.get(person_id, tx) or Preferences(person_id)
            try:
                await self._preferences.put(current.unsubscribe(kind, tx.now), tx)
            except PreferenceError as error:
                raise InvalidInputError([("path.token", str(error))]) from None
            await self._deliveries.cancel_open(
                {"person_id": person_id, "kind": kind.value}, "unsubscribed", tx.now, tx
            )

        await self._transactor.run(stop)
        return kind

    async def export(self, caller: Principal) -> PersonalData:
        """Everything held about the caller."""
        person_id = _person(caller)
        return PersonalData(
            person_id=person_id,
            generated_at=utc_now(),
            participations=await self._facts.participants_of_person(person_id),
            preferences=await self._preferences.get(person_id),
            deliveries=await self._deliveries.find({"person_id": person_id}, limit=10_000),
        )

    async def erase(self, participant_id: str, person_id: str, tx: Transaction) -> None:
        """Erase a person (ParticipantErased).

        Delete everything about the person; what was pending for them goes with it (their deliveries
        are deleted, not sent).
        """
        await self._facts.guards.erase(participant_id, tx, erased_at=tx.now)
        await self._deliveries.delete({"person_id": person_id}, tx)
        await self._deliveries.delete(
            {"recipient_type": "participant", "recipient_id": participant_id}, tx
        )
        await self._facts.delete_person([participant_id], tx)
        await self.erase_person(person_id, tx)
        self._platform.forget(f"participant:{participant_id}")

    async def erase_person(self, person_id: str, tx: Transaction) -> None:
        """Erase a person by person id (DirectoryPersonErased, and every ParticipantErased).

        Their deliveries (an invitation, a manager's digest), preferences and place among any
        program's managers go; a late invitation naming them plans nothing.
        """
        await self._facts.guards.erase(f"person:{person_id}", tx, erased_at=tx.now)
        await self._deliveries.delete({"person_id": person_id}, tx)
        await self._deliveries.delete({"recipient_type": "person", "recipient_id": person_id}, tx)
        await self._preferences.delete(person_id, tx)
        await self._programs.forget_manager(person_id, tx)
        self._platform.forget(f"person:{person_id}")
