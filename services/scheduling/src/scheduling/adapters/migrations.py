"""Data migrations run at start-up, before the indexes they replace are dropped.

`backfill_series_lookups` gives series stored by earlier versions the two lookups this
version finds sessions by (see `scheduling.adapters.series`), computed from their sessions,
before the sessions' ``by_member`` and ``by_next_reminder`` indexes go (see
`mentorship_kit.mongo.Indexes.before_retiring`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import UpdateOne

from mentorship_kit.mongo import Database
from scheduling.domain.sessions import SessionStatus

SERIES = "series"
SESSIONS = "sessions"
WRITES_PER_COMMAND = 500
"""Series updates per bulk write."""


async def backfill_series_lookups(database: Database) -> int:
    """Fill in every series' ``ever_participant_ids`` and ``next_reminder_at``; how many.

    ``ever_participant_ids``: the current members and everyone any of the series' sessions
    is for (members who left a group keep seeing their past sessions). ``next_reminder_at``:
    the earliest pending reminder of the series' scheduled sessions. One pass over the
    sessions (only the fields needed), then an update per series, added to what is there
    (``$addToSet``, ``$min``): running it again, or while new sessions are planned, loses
    nothing.
    """
    participants: dict[str, set[str]] = {}
    due: dict[str, datetime] = {}
    cursor = database[SESSIONS].find(
        {}, {"series_id": 1, "participant_ids": 1, "status": 1, "next_reminder_at": 1}
    )
    async for session in cursor:
        series_id = session["series_id"]
        participants.setdefault(series_id, set()).update(session.get("participant_ids", ()))
        at = session.get("next_reminder_at")
        if at is not None and session.get("status") == SessionStatus.SCHEDULED.value:
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            due[series_id] = min(at, due.get(series_id, at))
    writes: list[UpdateOne] = []
    async for series in database[SERIES].find({}, {"members.participant_id": 1}):
        ever = participants.get(series["_id"], set()) | {
            member["participant_id"] for member in series.get("members", ())
        }
        update: dict[str, object] = {"$addToSet": {"ever_participant_ids": {"$each": sorted(ever)}}}
        if series["_id"] in due:
            update["$min"] = {"next_reminder_at": due[series["_id"]]}
        writes.append(UpdateOne({"_id": series["_id"]}, update))
    for start in range(0, len(writes), WRITES_PER_COMMAND):
        await database[SERIES].bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=False)
    return len(writes)
