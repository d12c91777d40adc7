"""A consumer batch of new pairs is recorded in one bulk write, in the events' order."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_contracts.events import PairCreated, PairEnded
from mentorship_contracts.examples import example
from mentorship_devstack.pytest_plugin import SettingsFactory, deliver_directly
from mentorship_kit.outbox import Transaction
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime
from registration.adapters.pairings import PairingRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.registrations import RegistrationRepository
from registration.entrypoints.subscriptions import register_event_handlers
from registration.settings import RegistrationSettings
from registration.usecases.partners import PartnerProfiles

pytestmark = pytest.mark.integration

PAIRS = 40


async def no_managers(program_id: str) -> Collection[str]:
    return ()


async def test_a_batch_of_pairs_is_one_bulk_write_and_an_end_after_a_creation_wins(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(RegistrationSettings)
    runtime = ServiceRuntime(settings)
    pairings = PairingRepository(runtime.database)
    people = PeopleDirectory(runtime.database, Pseudonyms(settings.auth_pseudonym_key))
    profiles = PartnerProfiles(
        pairings, RegistrationRepository(runtime.database), people, no_managers
    )
    register_event_handlers(runtime.handlers, profiles)
    handle = deliver_directly(runtime.handlers)
    writes: list[str] = []
    original_bulk, original_update = AsyncCollection.bulk_write, AsyncCollection.update_one

    async def bulk_write(self: AsyncCollection[Any], *args: Any, **kwargs: Any) -> Any:
        writes.append(f"bulk:{self.name}")
        return await original_bulk(self, *args, **kwargs)

    async def update_one(self: AsyncCollection[Any], *args: Any, **kwargs: Any) -> Any:
        writes.append(f"update:{self.name}")
        return await original_update(self, *args, **kwargs)

    monkeypatch.setattr(AsyncCollection, "bulk_write", bulk_write)
    monkeypatch.setattr(AsyncCollection, "update_one", update_one)
    created = [
        example(
            PairCreated,
            pair_id=f"pair-{n}",
            mentor_participant_id=f"mentor-{n}",
            mentee_participant_id=f"mentee-{n}",
        )
        for n in range(PAIRS)
    ]
    ended = example(PairEnded, pair_id="pair-0", program_id=created[0].program_id)

    async def batch(tx: Transaction) -> None:
        for event in [*created, ended]:
            await handle(event, tx)

    try:
        await runtime.transactor.run(batch)
        # The pairs created before the end are written first (one bulk write), then the end.
        assert [w for w in writes if w.endswith("pairings")] == [
            "bulk:pairings",
            "update:pairings",
        ]
        stored = {
            document["_id"]: document async for document in runtime.database["pairings"].find()
        }
        assert len(stored) == PAIRS
        assert stored["pair-0"]["ended"] is True
        assert stored["pair-1"]["ended"] is False
        assert stored["pair-1"]["members"] == ["mentee-1", "mentor-1"]
    finally:
        await runtime.mongo.close()
