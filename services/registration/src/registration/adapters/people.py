"""The people directory in MongoDB: one entry per employee id (see `registration.domain.directory`).

Entries stored before the directory existed hold only ``person_id`` and
``manager_employee_id``; they read back as entries a registration described, never announced.
Erasing a person deletes their entry and every reference to them as a manager.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel, ReplaceOne

from mentorship_contracts.types import DirectorySource, Seniority
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.pseudonyms import Pseudonyms
from registration.domain.directory import MAX_REPORTING_DEPTH, DirectoryEntry

PEOPLE = "people"
SCAN_RATIO = 20
"""Reading the whole directory in key order beats looking ``k`` entries up by key once
``k * SCAN_RATIO`` reaches its size: SecantusDB answers a ``$in`` of keys at about a millisecond
per entry found, and scans some fifty entries in that time (measured by matching's reporting
lines, and here: an import chunk of 500 people with ~100 of them on file took 0.4-1.2 s by key)."""
SIZE_TTL_S = 30.0
"""How long the directory's estimated size is reused: counting costs SecantusDB a scan, and the
size only chooses between two plans that read the same entries (entries this process inserts
are added to it meanwhile, so an import that grows the directory sees it grow)."""


class PeopleDirectory:
    """Directory entries by employee id, and the person ids derived from employee ids."""

    def __init__(self, database: Database, pseudonyms: Pseudonyms) -> None:
        self._people: Collection = database[PEOPLE]
        self._pseudonyms = pseudonyms
        self._size: tuple[float, int] | None = None
        self._hit_rate = 1.0
        """Entries the last `load_with_chains` found (chains included) per key it was given."""

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Reports of a manager; people by department (access previews read everyone)."""
        return (
            Indexes(
                PEOPLE,
                (
                    IndexModel([("manager_employee_id", ASCENDING)], name="by_manager"),
                    IndexModel([("person_id", ASCENDING)], name="by_person"),
                ),
            ),
        )

    def person_id(self, employee_id: str) -> str:
        """The person id of ``employee_id`` (the keyed pseudonym)."""
        person_id = self._pseudonyms.person_id(employee_id)
        if person_id is None:
            msg = "person ids need AUTH_PSEUDONYM_KEY (the settings refuse to start without it)"
            raise RuntimeError(msg)
        return person_id

    async def load(
        self, employee_ids: Iterable[str], tx: Transaction | None = None, *, by_key: bool = False
    ) -> dict[str, DirectoryEntry]:
        """The entries of these employees that exist (``by_key``: never by a scan)."""
        wanted = set(employee_ids)
        if not wanted:
            return {}
        session = tx.session if tx else None
        if not by_key and len(wanted) * SCAN_RATIO >= await self._estimated_size():
            return {
                document["_id"]: _entry(document)
                async for document in self._people.find({}, session=session)
                if document["_id"] in wanted
            }
        cursor = self._people.find({"_id": {"$in": list(wanted)}}, session=session)
        return {document["_id"]: _entry(document) async for document in cursor}

    async def load_with_chains(
        self, employee_ids: Iterable[str], tx: Transaction | None = None
    ) -> dict[str, DirectoryEntry]:
        """The entries of these employees and of the managers above them that exist.

        Key lookups cost per entry found, a scan per entry stored (see `SCAN_RATIO`), so the
        plan weighs the entries expected to be found: the keys given times the entries the
        previous call found per key, chains included (an import of new people whose managers
        are few finds few, and its chunks are read by key rather than each scanning the
        directory as it grows; one whose chains reach much of the directory keeps scanning).
        When the scan wins, that one read also answers every level of the chains above them:
        one query, whatever the depth (looking the levels up one by one scanned the directory
        once per level).
        """
        wanted = set(employee_ids)
        if not wanted:
            return {}
        expected = len(wanted) * self._hit_rate
        if expected * SCAN_RATIO < await self._estimated_size():
            entries = await self.load(wanted, tx, by_key=True)
            await self.complete_chains(entries, tx)
            self._hit_rate = len(entries) / len(wanted)
            return entries
        # The chains are walked over the raw documents: only the entries returned are built.
        everyone = {
            document["_id"]: document
            async for document in self._people.find({}, session=tx.session if tx else None)
        }
        found = {employee: everyone[employee] for employee in wanted if employee in everyone}
        for _ in range(MAX_REPORTING_DEPTH):
            above = {
                manager: everyone[manager]
                for document in found.values()
                if (manager := document.get("manager_employee_id"))
                and manager not in found
                and manager in everyone
            }
            if not above:
                break
            found |= above
        self._hit_rate = len(found) / len(wanted)
        return {employee: _entry(document) for employee, document in found.items()}

    async def _estimated_size(self) -> int:
        now = time.monotonic()
        if self._size is None or now - self._size[0] > SIZE_TTL_S:
            self._size = (now, await self._people.estimated_document_count())
        return self._size[1]

    async def get(self, employee_id: str, tx: Transaction | None = None) -> DirectoryEntry | None:
        """One entry."""
        document = await self._people.find_one(
            {"_id": employee_id}, session=tx.session if tx else None
        )
        return _entry(document) if document else None

    async def by_person_ids(self, person_ids: Iterable[str]) -> dict[str, DirectoryEntry]:
        """The entries of these person ids, by person id."""
        cursor = self._people.find({"person_id": {"$in": list(set(person_ids))}})
        return {document["person_id"]: _entry(document) async for document in cursor}

    async def complete_chains(
        self, entries: dict[str, DirectoryEntry], tx: Transaction | None = None
    ) -> None:
        """Load into ``entries`` the managers above its people, one query per level."""
        for _ in range(MAX_REPORTING_DEPTH):
            missing = {
                manager
                for entry in entries.values()
                if (manager := entry.manager_employee_id) and manager not in entries
            }
            if not missing:
                return
            found = await self.load(missing, tx)
            entries |= found
            if not found:
                return

    async def insert_all(self, entries: Sequence[DirectoryEntry], tx: Transaction) -> None:
        """Insert new ``entries`` in one round trip (a plain insert: no per-entry upsert lookup).

        An entry stored meanwhile by a concurrent writer is a duplicate-key error: the caller's
        transaction runs again and finds it stored.
        """
        if entries:
            await self._people.insert_many(
                [_document(entry) for entry in entries], ordered=True, session=tx.session
            )
            if self._size is not None:
                self._size = (self._size[0], self._size[1] + len(entries))

    async def save_all(self, entries: Sequence[DirectoryEntry], tx: Transaction) -> None:
        """Insert or replace ``entries`` in one round trip."""
        if entries:
            await self._people.bulk_write(
                [
                    ReplaceOne({"_id": entry.employee_id}, _document(entry), upsert=True)
                    for entry in entries
                ],
                ordered=True,
                session=tx.session,
            )

    async def every_entry(self) -> list[DirectoryEntry]:
        """Every entry (what an access preview counts over)."""
        return [_entry(document) async for document in self._people.find({})]

    async def page(
        self, *, after: str | None, limit: int, active: bool | None
    ) -> list[DirectoryEntry]:
        """Entries in employee-id order."""
        query: Document = {"_id": {"$gt": after}} if after else {}
        if active is not None:
            query["active"] = {"$ne": False} if active else False
        cursor = self._people.find(query).sort("_id", ASCENDING).limit(limit)
        return [_entry(document) async for document in cursor]

    async def reports_of(
        self, employee_ids: Iterable[str], tx: Transaction
    ) -> list[DirectoryEntry]:
        """The entries whose manager is one of ``employee_ids``."""
        cursor = self._people.find(
            {"manager_employee_id": {"$in": list(employee_ids)}}, session=tx.session
        )
        return [_entry(document) async for document in cursor]

    async def forget(self, employee_id: str, tx: Transaction) -> DirectoryEntry | None:
        """Erase a person: their entry and every reference to them as a manager."""
        document = await self._people.find_one_and_delete({"_id": employee_id}, session=tx.session)
        await self._people.update_many(
            {"manager_employee_id": employee_id},
            {"$set": {"manager_employee_id": None}},
            session=tx.session,
        )
        return _entry(document) if document else None

    async def stream(self) -> AsyncIterator[DirectoryEntry]:
        """Every entry, one at a time."""
        async for document in self._people.find({}):
            yield _entry(document)


def _document(entry: DirectoryEntry) -> Document:
    return {
        "_id": entry.employee_id,
        "person_id": entry.person_id,
        "name": entry.name,
        "emails": list(entry.emails),
        "department": entry.department,
        "location": entry.location,
        "title": entry.title,
        "seniority": entry.seniority.value if entry.seniority else None,
        "manager_employee_id": entry.manager_employee_id,
        "active": entry.active,
        "source": entry.source.value,
        "version": entry.version,
        "updated_at": entry.updated_at,
    }


def _entry(document: Mapping[str, Any]) -> DirectoryEntry:
    seniority = document.get("seniority")
    return DirectoryEntry(
        employee_id=document["_id"],
        person_id=document["person_id"],
        name=document.get("name"),
        emails=tuple(document.get("emails") or ()),
        department=document.get("department"),
        location=document.get("location"),
        title=document.get("title"),
        seniority=Seniority(seniority) if seniority else None,
        manager_employee_id=document.get("manager_employee_id"),
        active=document.get("active", True),
        source=DirectorySource(document.get("source", DirectorySource.REGISTRATION.value)),
        version=document.get("version", 0),
        updated_at=document.get("updated_at"),
    )
