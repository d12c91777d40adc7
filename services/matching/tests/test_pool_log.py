"""A run reads a program's pool from its log: the log always folds to the pool's documents."""

from __future__ import annotations

from typing import Any

import pytest

from matching.adapters import pool_log
from matching.settings import MatchingServiceSettings
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonErased,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
)
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.examples import PROGRAM, example
from mentorship_contracts.types import ParticipantRole
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.outbox import Transaction

from .harness import Matching, matching_parts

pytestmark = pytest.mark.integration

OTHER = "prog-other"


def registered(participant_id: str, **fields: Any) -> ParticipantRegistered:
    return example(ParticipantRegistered, participant_id=participant_id, **fields)


async def in_one_batch(matching: Matching, *events: IntegrationEvent) -> None:
    """Hand ``events`` to their handlers in one transaction, as a consumer batch is."""

    async def batch(tx: Transaction) -> None:
        for event in events:
            await matching.handle(event, tx)

    await matching.transactor.run(batch)


async def documents(matching: Matching, program_id: str = PROGRAM) -> list[ParticipantState]:
    """The program's pool as its documents hold it, in participant id order."""
    cursor = matching.runtime.database["pool"].find({"state.program_id": program_id}).sort("_id")
    return [ParticipantState.model_validate(document["state"]) async for document in cursor]


async def folded(matching: Matching, program_id: str = PROGRAM) -> list[ParticipantState]:
    """The program's pool as its log folds, which must be complete."""
    people = await matching.pool.log.participants_of(program_id)
    assert people is not None, "the log is complete"
    return people


async def log_documents(matching: Matching, program_id: str = PROGRAM) -> list[dict[str, Any]]:
    cursor = matching.runtime.database[pool_log.LOG].find({"program_id": program_id})
    return [document async for document in cursor]


async def test_the_log_follows_registrations_updates_withdrawals_moves_and_redelivery(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(example(ProgramCreated), example(ProgramCreated, program_id=OTHER))
        first = [registered(f"p{n}") for n in range(6)]
        await in_one_batch(matching, *first)
        await in_one_batch(
            matching,
            example(ParticipantUpdated, participant_id="p1", role="both", capacity=2),
            example(ParticipantWithdrew, participant_id="p2"),
            registered("p2", role="mentor", capacity=1),  # back after withdrawing, as a mentor
            example(ParticipantWithdrew, participant_id="p3"),
            registered("p4", program_id=OTHER),  # moved to another program
            example(ParticipantWithdrew, participant_id="nobody"),
        )
        await in_one_batch(matching, *first[:1])  # delivered again

        pool = await documents(matching)
        assert await folded(matching) == pool
        assert await matching.pool.participants_of(PROGRAM) == pool
        assert [p.participant_id for p in pool] == ["p0", "p1", "p2", "p5"]
        assert {p.participant_id: p.role for p in pool}["p1"] is ParticipantRole.BOTH
        assert await folded(matching, OTHER) == await documents(matching, OTHER)
        assert [p.participant_id for p in await folded(matching, OTHER)] == ["p4"]


async def test_an_erasure_leaves_no_document_of_the_log_naming_the_erased(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await matching.deliver(example(ProgramCreated))
        await in_one_batch(
            matching,
            registered("gone-1", person_id="person-gone", reporting_line=("boss-gone",)),
            registered("kept-1", person_id="person-kept", reporting_line=("boss-gone", "top")),
            registered("kept-2", person_id="person-kept-2", reporting_line=("person-gone",)),
            registered("left-1", person_id="person-left"),
        )
        await in_one_batch(matching, example(ParticipantWithdrew, participant_id="kept-2"))
        await in_one_batch(matching, registered("kept-2", person_id="person-kept-2"))
        await in_one_batch(matching, example(ParticipantWithdrew, participant_id="left-1"))
        assert "left-1" in repr(await log_documents(matching))  # the withdrawal's entry

        await in_one_batch(
            matching,
            example(
                ParticipantErased,
                participant_id="gone-1",
                program_id=PROGRAM,
                person_id="person-gone",
            ),
            example(DirectoryPersonErased, person_id="boss-gone"),
            example(  # withdrawn before: no longer in the pool, but named by its log
                ParticipantErased,
                participant_id="left-1",
                program_id=PROGRAM,
                person_id="person-left",
            ),
        )

        stored = repr(await log_documents(matching))
        for erased in ("gone-1", "person-gone", "boss-gone", "left-1", "person-left"):
            assert erased not in stored
        pool = await documents(matching)
        assert await folded(matching) == pool
        assert {p.participant_id: p.reporting_line for p in pool} == {
            "kept-1": ("top",),
            "kept-2": example(ParticipantRegistered).reporting_line,
        }


async def test_a_pool_filled_before_the_log_is_read_from_its_documents_until_it_changes(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await in_one_batch(matching, *(registered(f"p{n}") for n in range(4)))
        database = matching.runtime.database
        await database[pool_log.LOG].delete_many({})  # as an earlier version left it
        await database["pool_versions"].update_one({"_id": PROGRAM}, {"$unset": {"logged": ""}})

        assert await matching.pool.log.participants_of(PROGRAM) is None
        assert await matching.pool.participants_of(PROGRAM) == await documents(matching)

        await in_one_batch(matching, registered("p9"))

        assert await folded(matching) == await documents(matching)
        assert len(await folded(matching)) == 5


async def test_the_log_is_rebuilt_every_so_many_appends(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_log, "COMPACT_EVERY", 3)
    monkeypatch.setattr(pool_log, "CHUNK", 4)
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        for n in range(10):
            await in_one_batch(matching, registered(f"p{n}"))
        await in_one_batch(matching, example(ParticipantWithdrew, participant_id="p3"))

        assert len(await log_documents(matching)) <= 5  # 3 chunks of a rebuild, 2 appends
        assert await folded(matching) == await documents(matching)
        assert len(await folded(matching)) == 9


async def test_a_program_without_a_pool_has_an_empty_log(make_settings: SettingsFactory) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        assert await matching.pool.log.participants_of("prog-unknown") == []
        assert await matching.pool.participants_of("prog-unknown") == []
