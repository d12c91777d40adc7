"""Data migrations: series' lookups for series stored by earlier versions.

`backfill_series_lookups` gives series stored by earlier versions the three lookups this
version finds sessions by (see `scheduling.adapters.series`), computed from their sessions,
before the sessions' ``by_member``, ``by_next_reminder`` and ``by_series`` indexes go (see
`mentorship_kit.mongo.Indexes.before_retiring`): who the sessions were ever for, the next
reminder, and the highest session number (``last_sequence``, by which a series' sessions are
found by id).

While a Deployment rolls, pods of the earlier version still run after that migration and
store (or replace) series without those lookups; `backfill_series_lacking_lookups` finds
such series (no ``ever_participant_ids``, which this version always writes) and fills them
in. It runs at every start and, bounded, in each reminder round (see
`scheduling.usecases.reminders`), so an upgrade needs no manual step.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from mentorship_kit.mongo import Database
from scheduling.domain.sessions import SessionStatus

SERIES = "series"
SESSIONS = "sessions"
WRITES_PER_COMMAND = 500
"""Series updates per bulk write."""
LACKING_LOOKUPS: Mapping[str, None] = {"ever_participant_ids": None}
"""Series stored by a version that kept no lookups on them.

No version writes the field as null (nor a null among its ids: it is written with
``$addToSet`` of participant ids and only ever ``$pull``-ed), so this finds exactly the series
without it, and is answered from the ``by_participant_ever`` index (which keys them as null):
``$exists: false`` cannot use it on SecantusDB, whose scan of every series in each reminder
round took 63 ms at 5,000 small series. A null written there would make the series match for
ever (``$addToSet`` does not remove it)."""
SESSION_FIELDS = {
    "series_id": 1,
    "sequence": 1,
    "participant_ids": 1,
    "status": 1,
    "next_reminder_at": 1,
}


async def backfill_series_lookups(database: Database) -> int:
    """Fill in every series' ``ever_participant_ids``, ``next_reminder_at``, ``last_sequence``.

    Returns how many series it wrote.

    One pass over all sessions (only the fields needed), then an update per series; see
    `_lookups` for what is written.
    """
    cursor = database[SESSIONS].find({}, SESSION_FIELDS)
    found = await _from_sessions(cursor)
    series = [s async for s in database[SERIES].find({}, {"members.participant_id": 1})]
    return await _write(database, series, found)


async def backfill_series_lacking_lookups(database: Database, limit: int = 0) -> int:
    """Fill in the lookups of up to ``limit`` series that have none (0: all); how many.

    Found through ``by_participant_ever`` (`LACKING_LOOKUPS`); their sessions by one query on
    their series' ids (sessions have no index by series: a scan, in a rare case).
    """
    cursor = database[SERIES].find(LACKING_LOOKUPS, {"members.participant_id": 1})
    series = [s async for s in cursor.limit(limit)]
    if not series:
        return 0
    sessions = database[SESSIONS].find(
        {"series_id": {"$in": [s["_id"] for s in series]}}, SESSION_FIELDS
    )
    return await _write(database, series, await _from_sessions(sessions))


@dataclass(slots=True)
class _Lookups:
    """What a series' sessions say about it, per series id."""

    participants: dict[str, set[str]] = field(default_factory=dict)
    due: dict[str, datetime] = field(default_factory=dict)
    last_sequence: dict[str, int] = field(default_factory=dict)


async def _from_sessions(sessions: AsyncIterable[Mapping[str, Any]]) -> _Lookups:
    """Per series: everyone its sessions are for, its earliest pending reminder, its last number."""
    found = _Lookups()
    async for session in sessions:
        series_id = session["series_id"]
        found.participants.setdefault(series_id, set()).update(session.get("participant_ids", ()))
        found.last_sequence[series_id] = max(
            found.last_sequence.get(series_id, 0), session.get("sequence", 0)
        )
        at = session.get("next_reminder_at")
        if at is not None and session.get("status") == SessionStatus.SCHEDULED.value:
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            found.due[series_id] = min(at, found.due.get(series_id, at))
    return found


async def _write(database: Database, series: Sequence[Mapping[str, Any]], found: _Lookups) -> int:
    """Add each series' lookups to what it has.

    ``ever_participant_ids``: the current members and everyone any of its sessions is for
    (members who left a group keep seeing their past sessions). ``next_reminder_at``: the
    earliest pending reminder of its scheduled sessions. ``last_sequence``: the highest
    number of its sessions (0: none). Added (``$addToSet``, ``$min``, ``$max``), never set:
    running it again, on several replicas at once, or while new sessions are planned, loses
    nothing (a reminder found earlier than needed only makes a round look at the series and
    recompute it).
    """
    writes: list[UpdateOne] = []
    for document in series:
        key = document["_id"]
        ever = found.participants.get(key, set()) | {
            member["participant_id"] for member in document.get("members", ())
        }
        update: dict[str, object] = {
            "$addToSet": {"ever_participant_ids": {"$each": sorted(ever)}},
            "$max": {"last_sequence": found.last_sequence.get(key, 0)},
        }
        if key in found.due:
            update["$min"] = {"next_reminder_at": found.due[key]}
        writes.append(UpdateOne({"_id": key}, update))
    for start in range(0, len(writes), WRITES_PER_COMMAND):
        await database[SERIES].bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=False)
    return len(writes)
