"""Declared indexes are created, retired ones dropped (real MongoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_kit.mongo import Database, Indexes, due_by, ensure_indexes
from mentorship_kit.runtime import ServiceRuntime

pytestmark = pytest.mark.integration


async def test_retired_indexes_are_dropped_and_declared_ones_kept(
    runtime: ServiceRuntime,
) -> None:
    before = Indexes(
        "things",
        (
            IndexModel([("a", ASCENDING), ("b", ASCENDING)], name="by_a"),
            IndexModel([("c", ASCENDING)], name="by_c"),
        ),
    )
    after = Indexes(
        "things",
        (
            IndexModel([("a", ASCENDING)], name="by_a_only"),
            IndexModel([("c", ASCENDING)], name="by_c"),
        ),
        retired=("by_a", "never_existed"),
    )

    await ensure_indexes(runtime.database, [before])
    await ensure_indexes(runtime.database, [after])
    await ensure_indexes(runtime.database, [after])  # again: nothing left to drop

    names = set(await runtime.database["things"].index_information())
    assert names == {"_id_", "by_a_only", "by_c"}


async def test_a_migration_runs_before_the_retired_indexes_go_and_only_while_one_is_there(
    runtime: ServiceRuntime,
) -> None:
    database = runtime.database
    await ensure_indexes(
        database, [Indexes("items", (IndexModel([("owner", ASCENDING)], name="by_owner"),))]
    )
    await database["items"].insert_many([{"_id": 1, "owner": "ada"}, {"_id": 2, "owner": "bo"}])
    seen: list[set[str]] = []

    async def migrate(db: Database) -> None:
        # The old index is still there while the migration runs: it may rely on it.
        seen.append(set(await db["items"].index_information()))
        async for item in db["items"].find({"owner": {"$exists": True}}):
            await db["owners"].update_one(
                {"_id": item["owner"]}, {"$addToSet": {"items": item["_id"]}}, upsert=True
            )

    after = Indexes("items", retired=("by_owner",), before_retiring=migrate)
    await ensure_indexes(database, [after])
    await ensure_indexes(database, [after])  # the index is gone: the migration does not rerun

    assert seen == [{"_id_", "by_owner"}]
    assert set(await database["items"].index_information()) == {"_id_"}
    owners = {d["_id"]: d["items"] async for d in database["owners"].find()}
    assert owners == {"ada": [1], "bo": [2]}


async def test_no_migration_runs_where_no_retired_index_exists(runtime: ServiceRuntime) -> None:
    calls: list[str] = []

    async def migrate(db: Database) -> None:
        calls.append(db.name)

    fresh = Indexes(
        "fresh",
        (IndexModel([("a", ASCENDING)], name="by_a"),),
        retired=("by_old",),
        before_retiring=migrate,
    )
    await ensure_indexes(runtime.database, [fresh])

    assert calls == []
    assert set(await runtime.database["fresh"].index_information()) == {"_id_", "by_a"}


async def test_due_by_matches_every_date_up_to_the_moment_and_nothing_unset(
    runtime: ServiceRuntime,
) -> None:
    """The lower bound drops no date, however early; unset and null are never due."""
    now = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    things = runtime.database["dues"]
    await things.create_indexes([IndexModel([("due_at", ASCENDING)], name="by_due")])
    await things.insert_many(
        [
            {"_id": "1901", "due_at": datetime(1901, 1, 1, tzinfo=UTC)},
            {"_id": "epoch", "due_at": datetime(1970, 1, 1, tzinfo=UTC)},
            {"_id": "a-minute-ago", "due_at": now - timedelta(minutes=1)},
            {"_id": "now", "due_at": now},
            {"_id": "in-a-minute", "due_at": now + timedelta(minutes=1)},
            {"_id": "null", "due_at": None},
            {"_id": "unset"},
        ]
    )

    found = [d["_id"] async for d in things.find({"due_at": due_by(now)}).sort("due_at", 1)]

    assert found == ["1901", "epoch", "a-minute-ago", "now"]


async def test_the_new_indexes_exist_before_the_retired_ones_go(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries the retired index served never go without one; a name declared again under
    other keys, or the same keys under another name, is created once the old one is gone."""
    before = Indexes(
        "due",
        (
            IndexModel([("at", ASCENDING)], name="by_time"),
            IndexModel([("kind", ASCENDING)], name="by_kind"),
        ),
    )
    after = Indexes(
        "due",
        (
            IndexModel([("status", ASCENDING), ("at", ASCENDING)], name="by_status_and_time"),
            IndexModel([("kind", ASCENDING), ("at", ASCENDING)], name="by_kind"),
            IndexModel([("at", ASCENDING)], name="by_time_renamed"),
        ),
        retired=("by_time", "by_kind"),
    )
    await ensure_indexes(runtime.database, [before])
    seen_at_drop: dict[str, set[str]] = {}
    drop_index = AsyncCollection.drop_index

    async def recording(collection: AsyncCollection[Any], name: str, **kwargs: Any) -> None:
        seen_at_drop[name] = set(await collection.index_information())
        await drop_index(collection, name, **kwargs)

    monkeypatch.setattr(AsyncCollection, "drop_index", recording)
    await ensure_indexes(runtime.database, [after])

    assert "by_status_and_time" in seen_at_drop["by_time"]
    assert "by_time_renamed" not in seen_at_drop["by_time"]  # the same keys: after the drop
    information = await runtime.database["due"].index_information()
    assert set(information) == {"_id_", "by_status_and_time", "by_kind", "by_time_renamed"}
    assert information["by_kind"]["key"] == [("kind", 1), ("at", 1)]
