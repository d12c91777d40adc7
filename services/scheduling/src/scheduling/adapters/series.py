"""MongoDB storage of series (one per pair, or per group).

A series also keeps three lookups for its sessions, so that the many session documents need
no index but ``_id``: ``last_sequence``, the highest number any of its sessions was given
(session ids are numbered within their series), by which its sessions are read by id;
``ever_participant_ids``, everyone any of its sessions was ever
for (members who left a group or were re-matched stay, erased participants go), by which a
participant's sessions are found; and ``next_reminder_at``, no later than the earliest
pending reminder of its sessions (it may be earlier: a session that moved later or was
cancelled leaves it low until the reminder scan recomputes it), by which due reminders are
found. Absent, never null, when nothing is pending: ``$min`` treats null as the smallest.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from mentorship_kit.batching import chunks, store
from mentorship_kit.mongo import Collection, Database, Document, Indexes, due_by
from mentorship_kit.outbox import Transaction
from scheduling.adapters.migrations import LACKING_LOOKUPS, backfill_series_lacking_lookups
from scheduling.adapters.sessions import LAST_SEQUENCE
from scheduling.domain.sessions import Member, MemberRole, Series

SERIES = "series"


class SeriesRepository:
    """Series by id, by member pair, person or participant, and by their next reminder."""

    def __init__(self, database: Database) -> None:
        self._series: Collection = database[SERIES]

    @staticmethod
    def indexes() -> Indexes:
        """Series by a member's person, program, next reminder, and ever.

        Each index costs every series insert about what storing a session does per entry,
        so series keep few. ``by_participant_ever``: anyone their sessions were ever for, a
        superset of their members: it also finds a participant's series as a member (with
        a filter on ``members.participant_id``) instead of the retired ``by_participant``.
        A pair's series is found by id, from the pair's recorded state (see `series_id_of`)
        instead of the retired ``by_pair``. Series stored without ``ever_participant_ids``
        (by a version before the lookups) get it before those indexes go.
        """
        return Indexes(
            SERIES,
            (
                IndexModel([("members.person_id", ASCENDING)], name="by_person"),
                IndexModel([("program_id", ASCENDING)], name="by_program"),
                IndexModel([("ever_participant_ids", ASCENDING)], name="by_participant_ever"),
                IndexModel([("next_reminder_at", ASCENDING)], name="by_next_reminder"),
            ),
            retired=("by_participant", "by_pair"),
            before_retiring=backfill_series_lacking_lookups,
        )

    async def get(self, series_id: str, tx: Transaction | None = None) -> Series | None:
        """A series by id."""
        document = await self._series.find_one(
            {"_id": series_id}, session=tx.session if tx else None
        )
        return _series(document) if document else None

    async def get_many(self, series_ids: Iterable[str], tx: Transaction) -> dict[str, Series]:
        """The series of ``series_ids`` that exist, by id (a read per `IN_CHUNK` ids)."""
        found: dict[str, Series] = {}
        for chunk in chunks(series_ids):
            cursor = self._series.find({"_id": {"$in": chunk}}, session=tx.session)
            found |= {document["_id"]: _series(document) async for document in cursor}
        return found

    async def of_pair(
        self, pair_id: str, tx: Transaction, *, series_id: str | None = None
    ) -> Series | None:
        """The series a pair belongs to (is a member of).

        ``series_id``: the series it was planned in, if known (its group's, or its own):
        then one lookup by id. Otherwise a query on the members' pair ids, which no index
        serves: for a pair scheduling no longer keeps (erased), which is rare.
        """
        if series_id is None:
            document = await self._series.find_one({"members.pair_id": pair_id}, session=tx.session)
        else:
            document = await self._series.find_one(
                {"_id": series_id, "members.pair_id": pair_id}, session=tx.session
            )
        return _series(document) if document else None

    async def of_person(self, person_id: str) -> list[Series]:
        """Every series a person is a member of."""
        cursor = self._series.find({"members.person_id": person_id})
        return [_series(document) async for document in cursor]

    async def of_participant(
        self, participant_id: str, tx: Transaction | None = None
    ) -> list[Series]:
        """Every series a participant is a member of.

        Found by ``by_participant_ever``, and among the series stored without lookups (by a
        pod of a version before them, while an upgrade rolls; see
        `scheduling.adapters.migrations`), which the same index keys as null.
        """
        found: dict[str, Series] = {}
        for ever in ({"ever_participant_ids": participant_id}, LACKING_LOOKUPS):
            cursor = self._series.find(
                {**ever, "members.participant_id": participant_id},
                session=tx.session if tx else None,
            )
            found |= {document["_id"]: _series(document) async for document in cursor}
        return list(found.values())

    async def ids_ever_with(
        self, participant_ids: Iterable[str], tx: Transaction | None = None
    ) -> list[str]:
        """The ids of the series any of ``participant_ids`` ever had a session in."""
        found: list[str] = []
        for chunk in chunks(participant_ids):
            cursor = self._series.find(
                {"ever_participant_ids": {"$in": chunk}},
                {"_id": 1},
                session=tx.session if tx else None,
            )
            found += [document["_id"] async for document in cursor]
        return sorted(set(found))

    async def due_for_reminders(self, now: datetime, limit: int) -> list[str]:
        """Up to ``limit`` ids of series whose next reminder is due by ``now``, earliest first."""
        cursor = (
            self._series.find({"next_reminder_at": due_by(now)}, {"_id": 1})
            .sort("next_reminder_at", ASCENDING)
            .limit(limit)
        )
        return [document["_id"] async for document in cursor]

    async def set_next_reminders(
        self, next_reminders: Mapping[str, datetime | None], tx: Transaction
    ) -> None:
        """Set each series' next reminder as recomputed from its sessions (None: none left)."""
        writes = [
            UpdateOne(
                {"_id": key},
                {"$set": {"next_reminder_at": due}}
                if due is not None
                else {"$unset": {"next_reminder_at": ""}},
            )
            for key, due in next_reminders.items()
        ]
        if writes:
            await self._series.bulk_write(writes, ordered=False, session=tx.session)

    async def forget_participant(self, participant_id: str, tx: Transaction) -> None:
        """Take an erased participant out of every series' ``ever_participant_ids``."""
        await self._series.update_many(
            {"ever_participant_ids": participant_id},
            {"$pull": {"ever_participant_ids": participant_id}},
            session=tx.session,
        )

    async def of_program(self, program_id: str, tx: Transaction) -> list[Series]:
        """Every series of a program."""
        cursor = self._series.find({"program_id": program_id}, session=tx.session)
        return [_series(document) async for document in cursor]

    async def save(self, series: Series, tx: Transaction) -> None:
        """Insert or replace a series."""
        await self.save_all([series], tx)

    async def save_all(
        self,
        series: Sequence[Series],
        tx: Transaction,
        *,
        stored: Container[str] | None = None,
        next_reminders: Mapping[str, datetime] | None = None,
        last_sequences: Mapping[str, int] | None = None,
    ) -> None:
        """Insert or update several series (the last of an id wins): one insert, one bulk write.

        ``stored``: the ids of the series stored already, when the caller read them in
        ``tx``: the others are inserted in one command, cheaper than upserts (see
        `mentorship_kit.batching.store`); without it every series is upserted.
        ``next_reminders``: the earliest reminder of the sessions just written, per series
        (of these or of any other series): each series' next reminder is lowered to it.
        ``last_sequences``: the highest number of the sessions just written, per series:
        each series' ``last_sequence`` is raised to it. A stored series keeps its former
        members in ``ever_participant_ids``.
        """
        latest = {item.series_id: item for item in series}
        lookups = _Lookups(dict(next_reminders or {}), dict(last_sequences or {}))
        new = [
            _document(item, lookups)
            for key, item in latest.items()
            if stored is not None and key not in stored
        ]
        changed = [
            UpdateOne({"_id": key}, _update(item, lookups), upsert=stored is None)
            for key, item in latest.items()
            if stored is None or key in stored
        ]
        changed += [
            UpdateOne({"_id": key}, lookups.update(key))
            for key in sorted(lookups.keys() - latest.keys())
        ]
        await store(self._series, tx, new=new, changed=changed)


@dataclass(frozen=True, slots=True)
class _Lookups:
    """The next reminder and last session number the sessions just written give, per series."""

    next_reminders: Mapping[str, datetime]
    last_sequences: Mapping[str, int]

    def keys(self) -> set[str]:
        """The series the written sessions belong to."""
        return set(self.next_reminders) | set(self.last_sequences)

    def update(self, key: str) -> Document:
        """Lower the series' next reminder, raise its last number, as far as they give."""
        update: Document = {}
        if key in self.next_reminders:
            update["$min"] = {"next_reminder_at": self.next_reminders[key]}
        if key in self.last_sequences:
            update["$max"] = {LAST_SEQUENCE: self.last_sequences[key]}
        return update


def _document(series: Series, lookups: _Lookups) -> Document:
    document = {"_id": series.series_id, **_fields(series)}
    document["ever_participant_ids"] = list(series.participant_ids)
    document[LAST_SEQUENCE] = lookups.last_sequences.get(series.series_id, 0)
    if series.series_id in lookups.next_reminders:
        document["next_reminder_at"] = lookups.next_reminders[series.series_id]
    return document


def _update(series: Series, lookups: _Lookups) -> Document:
    return {
        "$set": _fields(series),
        "$addToSet": {"ever_participant_ids": {"$each": list(series.participant_ids)}},
        **lookups.update(series.series_id),
    }


def _fields(series: Series) -> Document:
    return {
        "program_id": series.program_id,
        "members": [
            {
                "participant_id": member.participant_id,
                "person_id": member.person_id,
                "role": member.role.value,
                "pair_id": member.pair_id,
            }
            for member in series.members
        ],
        "zone": series.zone,
        "duration_minutes": series.duration_minutes,
        "ended": series.ended,
    }


def _series(document: Mapping[str, Any]) -> Series:
    return Series(
        series_id=document["_id"],
        program_id=document["program_id"],
        members=tuple(
            Member(
                participant_id=member["participant_id"],
                person_id=member["person_id"],
                role=MemberRole(member["role"]),
                pair_id=member["pair_id"],
            )
            for member in document["members"]
        ),
        zone=document["zone"],
        duration_minutes=document["duration_minutes"],
        ended=document.get("ended", False),
    )
