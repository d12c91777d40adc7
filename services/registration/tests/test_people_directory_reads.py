"""The directory's batched reads and writes: a scan or key lookups find the same entries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr
from pymongo.errors import BulkWriteError

from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_devstack.tokens import DEV_PSEUDONYM_KEY
from mentorship_kit.mongo import Database, MongoClient, create_client
from mentorship_kit.outbox import Transaction
from mentorship_kit.pseudonyms import Pseudonyms
from registration.adapters import people as people_module
from registration.adapters.people import PeopleDirectory
from registration.domain.directory import DirectoryEntry, new_entry
from registration.settings import RegistrationSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def mongo(make_settings: SettingsFactory) -> AsyncIterator[tuple[MongoClient, Database]]:
    settings = make_settings(RegistrationSettings)
    client: MongoClient = create_client(settings.mongodb_url, app_name="test")
    yield client, client[settings.mongodb_database]
    await client.close()


def _entry(directory: PeopleDirectory, employee: str, manager: str | None) -> DirectoryEntry:
    entry = new_entry(employee, directory.person_id)
    change = entry.registered(manager, "sales", datetime.now(UTC), directory.person_id)
    return change.entry


async def _stored(
    mongo: tuple[MongoClient, Database], count: int
) -> tuple[PeopleDirectory, Transaction]:
    client, database = mongo
    directory = PeopleDirectory(database, Pseudonyms(SecretStr(DEV_PSEUDONYM_KEY)))
    session = client.start_session()
    tx = Transaction(session, "test")
    entries = [
        _entry(directory, f"e-{n}", f"e-{n // 10}" if n >= 10 else None) for n in range(count)
    ]
    await directory.insert_all(entries, tx)
    return directory, tx


@pytest.mark.parametrize("scan_ratio", [0, 1_000_000], ids=["by-key", "by-scan"])
async def test_a_batch_read_finds_exactly_the_entries_asked_for(
    mongo: tuple[MongoClient, Database], monkeypatch: pytest.MonkeyPatch, scan_ratio: int
) -> None:
    directory, tx = await _stored(mongo, 60)
    monkeypatch.setattr(people_module, "SCAN_RATIO", scan_ratio)

    found = await directory.load(["e-3", "e-42", "e-59", "nobody"], tx)

    assert sorted(found) == ["e-3", "e-42", "e-59"]
    assert found["e-42"].manager_employee_id == "e-4"
    assert found["e-42"].person_id == directory.person_id("e-42")
    assert await directory.load([], tx) == {}
    await tx.session.end_session()


async def test_the_plan_follows_the_directory_size(
    mongo: tuple[MongoClient, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, tx = await _stored(mongo, 60)
    queries: list[dict[str, Any]] = []
    find = directory._people.find

    def spy(query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        queries.append(query)
        return find(query, *args, **kwargs)

    monkeypatch.setattr(directory._people, "find", spy)
    assert sorted(await directory.load(["e-1", "e-2", "e-3"], tx)) == ["e-1", "e-2", "e-3"]
    assert sorted(await directory.load(["e-1", "e-2"], tx)) == ["e-1", "e-2"]

    scan, by_key = queries  # 3 x 20 >= 60 entries: one scan; 2 x 20 < 60: by key
    assert scan == {}
    assert sorted(by_key["_id"]["$in"]) == ["e-1", "e-2"]
    await tx.session.end_session()


async def test_the_plan_weighs_the_entries_the_last_read_found(
    mongo: tuple[MongoClient, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, tx = await _stored(mongo, 60)
    queries: list[dict[str, Any]] = []
    find = directory._people.find

    def spy(query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        queries.append(query)
        return find(query, *args, **kwargs)

    monkeypatch.setattr(directory._people, "find", spy)
    newcomers = [f"new-{n}" for n in range(10)]  # 10 x 20 >= 60: a scan, which finds nobody
    assert await directory.load_with_chains(newcomers, tx) == {}
    more = [f"new-{n}" for n in range(10, 20)] + ["e-42"]  # expected found: none, so by key

    found = await directory.load_with_chains(more, tx)

    assert sorted(found) == ["e-4", "e-42"]
    assert queries[0] == {}
    assert [sorted(query["_id"]["$in"]) for query in queries[1:]] == [sorted(more), ["e-4"]]
    await tx.session.end_session()


async def test_inserting_an_entry_already_stored_is_refused_not_overwritten(
    mongo: tuple[MongoClient, Database],
) -> None:
    directory, tx = await _stored(mongo, 3)
    again = _entry(directory, "e-1", "someone-else")

    with pytest.raises(BulkWriteError):
        await directory.insert_all([again], tx)

    stored = await directory.get("e-1", tx)
    assert stored is not None
    assert stored.manager_employee_id is None
    await directory.save_all([again], tx)
    replaced = await directory.get("e-1", tx)
    assert replaced is not None
    assert replaced.manager_employee_id == "someone-else"
    await tx.session.end_session()


@pytest.mark.parametrize("scan_ratio", [0, 1_000_000], ids=["by-key", "by-scan"])
async def test_entries_with_their_chains_are_the_same_by_either_plan(
    mongo: tuple[MongoClient, Database], monkeypatch: pytest.MonkeyPatch, scan_ratio: int
) -> None:
    directory, tx = await _stored(mongo, 60)  # e-n reports to e-(n // 10) from n = 10
    monkeypatch.setattr(people_module, "SCAN_RATIO", scan_ratio)

    found = await directory.load_with_chains(["e-42", "e-59", "nobody"], tx)

    assert sorted(found) == ["e-4", "e-42", "e-5", "e-59"]
    assert found["e-4"].person_id == directory.person_id("e-4")
    assert await directory.load_with_chains([], tx) == {}
    await tx.session.end_session()


async def test_a_scan_answers_every_level_of_the_chains_in_one_query(
    mongo: tuple[MongoClient, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, database = mongo
    directory = PeopleDirectory(database, Pseudonyms(SecretStr(DEV_PSEUDONYM_KEY)))
    tx = Transaction(client.start_session(), "test")
    chain = [_entry(directory, f"c-{n}", f"c-{n + 1}" if n < 5 else None) for n in range(6)]
    await directory.insert_all(chain, tx)
    queries: list[dict[str, Any]] = []
    find = directory._people.find

    def spy(query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        queries.append(query)
        return find(query, *args, **kwargs)

    monkeypatch.setattr(directory._people, "find", spy)

    found = await directory.load_with_chains(["c-0"], tx)  # 1 x 20 >= 6 entries: a scan

    assert sorted(found) == [f"c-{n}" for n in range(6)]
    assert queries == [{}], "one read, not one per level of the chain"
    await tx.session.end_session()
