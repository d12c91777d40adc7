"""A consumer batch of session events reads its sessions at once, not one read per event."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_contracts.types import utc_now

from .conftest import Service
from .scenario import (
    MENTEE,
    MENTOR,
    PROGRAM,
    pair,
    program,
    registered,
    rescheduled,
    scheduled,
)
from .support import deliver

pytestmark = pytest.mark.integration

SESSIONS = 30


def count_session_reads(
    monkeypatch: pytest.MonkeyPatch, collection: str = "sessions"
) -> Counter[str]:
    """Counts ``find`` and ``find_one`` calls on ``collection`` made in a transaction.

    (The sender's own reads, outside any transaction, are not the intake's.)
    """
    reads: Counter[str] = Counter()
    for name in ("find", "find_one"):
        original = getattr(AsyncCollection, name)

        def counted(
            self: AsyncCollection[Any],
            *args: Any,
            _o: Any = original,
            _n: str = name,
            **kwargs: Any,
        ) -> Any:
            if self.name == collection and kwargs.get("session") is not None:
                reads[_n] += 1
            return _o(self, *args, **kwargs)

        monkeypatch.setattr(AsyncCollection, name, counted)
    return reads


async def test_a_batch_of_session_events_reads_its_sessions_in_one_query(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = service.runtime
    await deliver(runtime, program(), registered(MENTOR, "mentor"), registered(MENTEE, "mentee"))
    await deliver(runtime, pair())
    reads = count_session_reads(monkeypatch)

    first = [scheduled(n) for n in range(1, SESSIONS + 1)]
    await deliver(runtime, *first)
    assert reads == Counter(find=1)  # one $in read of the batch's sessions (none known yet)

    reads.clear()
    moved = [
        rescheduled(item.sequence, item.starts_at, item.starts_at + timedelta(hours=1))
        for item in first
    ]
    await deliver(runtime, *moved)
    assert reads == Counter(find=1)

    stored = runtime.database["sessions"]
    documents = [document async for document in stored.find({"pair_id": pair().pair_id})]
    assert len(documents) == SESSIONS
    assert {document["changes"] for document in documents} == {2}  # scheduled, then moved
    later = utc_now() + timedelta(days=1)
    assert all(document["starts_at"] > later for document in documents)


async def test_a_batch_of_registrations_checks_its_erasure_guards_in_one_read(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = service.runtime
    await deliver(runtime, program())
    reads = count_session_reads(monkeypatch, "erased_participants")
    people = [
        registered(MENTOR, "mentor").model_copy(
            update={"participant_id": f"part-{n}", "person_id": f"person-{n}"}
        )
        for n in range(SESSIONS)
    ]
    await deliver(runtime, *people)
    assert reads == Counter(find=1)
    stored = await runtime.database["participants"].count_documents({"program_id": PROGRAM})
    assert stored == SESSIONS
