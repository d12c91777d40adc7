"""Data migrations: series' lookups for series stored by earlier versions.

`backfill_series_lookups` gives series stored by earlier versions the two lookups this
version finds sessions by (see `scheduling.adapters.series`), computed from their sessions,
before the sessions' ``by_member`` and ``by_next_reminder`` indexes go (see
`mentorship_kit.mongo.Indexes.before_retiring`).

While a Deployment rolls, pods of the earlier version still run after that migration and
store (or replace) series without those lookups; `backfill_series_lacking_lookups` finds
such series (no ``ever_participant_ids``, which this version always writes) and fills them
in. It runs at every start and, bounded, in each reminder round (see
`scheduling.usecases.reminders`), so an upgrade needs no manual step.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from mentorship_kit.batching import find_in
from mentorship_kit.mongo import Database
from scheduling.domain.sessions import SessionStatus

SERIES = "series"
SESSIONS = "sessions"
WRITES_PER_COMMAND = 500
"""Series updates per bulk write."""
LACKING_LOOKUPS = {"ever_participant_ids": {"$exists": False}}
"""Series stored by a version that kept no lookups on them."""
SESSION_FIELDS = {"series_id": 1, "participant_ids": 1, "status": 1, "next_reminder_at": 1}


async def backfill_series_lookups(database: Database) -> int:
    """Fill in every series' ``ever_participant_ids`` and ``next_reminder_at``; how many.

    One pass over all sessions (only the fields needed), then an update per series; see
    `_lookups` for what is written.
    """
    cursor = database[SESSIONS].find({}, SESSION_FIELDS)
    participants, due = await _from_sessions(cursor)
    series = [s async for s in database[SERIES].find({}, {"members.participant_id": 1})]
    return await _write(database, series, participants, due)


async def backfill_series_lacking_lookups(database: Database, limit: int = 0) -> int:
    """Fill in the lookups of up to ``limit`` series that have none (0: all); how many.

    Found by a query on the absent ``ever_participant_ids``; their sessions are read by
    series (the sessions' one index).
    """
    cursor = database[SERIES].find(LACKING_LOOKUPS, {"members.participant_id": 1})
    series = [s async for s in cursor.limit(limit)]
    if not series:
        return 0
    sessions = find_in(
        database[SESSIONS],
        [s["_id"] for s in series],
        field="series_id",
        projection=SESSION_FIELDS,
    )
    participants, due = await _from_sessions(sessions)
    return await _write(database, series, participants, due)


async def _from_sessions(
    sessions: AsyncIterable[Mapping[str, Any]],
) -> tuple[dict[str, set[str]], dict[str, datetime]]:
    """Per series: everyone its sessions are for, and its earliest pending reminder."""
    participants: dict[str, set[str]] = {}
    due: dict[str, datetime] = {}
    async for session in sessions:
        series_id = session["series_id"]
        participants.setdefault(series_id, set()).update(session.get("participant_ids", ()))
        at = session.get("next_reminder_at")
        if at is not None and session.get("status") == SessionStatus.SCHEDULED.value:
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            due[series_id] = min(at, due.get(series_id, at))
    return participants, due


async def _write(
    database: Database,
    series: Sequence[Mapping[str, Any]],
    participants: Mapping[str, set[str]],
    due: Mapping[str, datetime],
) -> int:
    """Add each series' lookups to what it has.

    ``ever_participant_ids``: the current members and everyone any of its sessions is for
    (members who left a group keep seeing their past sessions). ``next_reminder_at``: the
    earliest pending reminder of its scheduled sessions. Added (``$addToSet``, ``$min``),
    never set: running it again, on several replicas at once, or while new sessions are
    planned, loses nothing (a reminder found earlier than needed only makes a round look
    at the series and recompute it).
    """
    writes: list[UpdateOne] = []
    for document in series:
        ever = participants.get(document["_id"], set()) | {
            member["participant_id"] for member in document.get("members", ())
        }
        update: dict[str, object] = {"$addToSet": {"ever_participant_ids": {"$each": sorted(ever)}}}
        if document["_id"] in due:
            update["$min"] = {"next_reminder_at": due[document["_id"]]}
        writes.append(UpdateOne({"_id": document["_id"]}, update))
    for start in range(0, len(writes), WRITES_PER_COMMAND):
        await database[SERIES].bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=False)
    return len(writes)
