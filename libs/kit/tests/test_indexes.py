"""Declared indexes are created, retired ones dropped (real MongoDB)."""

from __future__ import annotations

import pytest
from pymongo import ASCENDING, IndexModel

from mentorship_kit.mongo import Indexes, ensure_indexes
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
