"""MongoDB storage of series (one per pair, or per group)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel, ReplaceOne

from mentorship_kit.batching import chunks, store
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from scheduling.domain.sessions import Member, MemberRole, Series

SERIES = "series"


class SeriesRepository:
    """Series by id, by member pair and by member person."""

    def __init__(self, database: Database) -> None:
        self._series: Collection = database[SERIES]

    @staticmethod
    def indexes() -> Indexes:
        """Series are found by a member's pair, participant or person, and by program."""
        return Indexes(
            SERIES,
            (
                IndexModel([("members.pair_id", ASCENDING)], name="by_pair"),
                IndexModel([("members.participant_id", ASCENDING)], name="by_participant"),
                IndexModel([("members.person_id", ASCENDING)], name="by_person"),
                IndexModel([("program_id", ASCENDING)], name="by_program"),
            ),
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

    async def of_pair(self, pair_id: str, tx: Transaction) -> Series | None:
        """The series a pair belongs to."""
        document = await self._series.find_one({"members.pair_id": pair_id}, session=tx.session)
        return _series(document) if document else None

    async def of_person(self, person_id: str) -> list[Series]:
        """Every series a person is a member of."""
        cursor = self._series.find({"members.person_id": person_id})
        return [_series(document) async for document in cursor]

    async def of_participant(
        self, participant_id: str, tx: Transaction | None = None
    ) -> list[Series]:
        """Every series a participant is a member of."""
        cursor = self._series.find(
            {"members.participant_id": participant_id}, session=tx.session if tx else None
        )
        return [_series(document) async for document in cursor]

    async def of_program(self, program_id: str, tx: Transaction) -> list[Series]:
        """Every series of a program."""
        cursor = self._series.find({"program_id": program_id}, session=tx.session)
        return [_series(document) async for document in cursor]

    async def save(self, series: Series, tx: Transaction) -> None:
        """Insert or replace a series."""
        await self.save_all([series], tx)

    async def save_all(
        self, series: Sequence[Series], tx: Transaction, *, stored: Container[str] | None = None
    ) -> None:
        """Insert or replace several series (the last of an id wins).

        ``stored``: the ids of the series stored already, when the caller read them in
        ``tx``: the others are inserted in one command, cheaper than upserts (see
        `mentorship_kit.batching.store`); without it every series is upserted.
        """
        latest = {item.series_id: item for item in series}
        if not latest:
            return
        if stored is None:
            writes = [
                ReplaceOne({"_id": key}, _document(item), upsert=True)
                for key, item in latest.items()
            ]
            await self._series.bulk_write(writes, ordered=True, session=tx.session)
            return
        await store(
            self._series,
            tx,
            new=[_document(item) for key, item in latest.items() if key not in stored],
            changed=[
                ReplaceOne({"_id": key}, _document(item))
                for key, item in latest.items()
                if key in stored
            ],
        )


def _document(series: Series) -> Document:
    return {
        "_id": series.series_id,
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
