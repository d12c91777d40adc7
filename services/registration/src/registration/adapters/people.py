"""The people directory: stable pseudonymous ids and who manages whom.

Every employee a registration names (the registrant and their manager) gets a ``person_id``
here, the same in every program: the keyed pseudonym of `mentorship_kit.pseudonyms` (so the
other services recognise a participant's JWT; registration refuses to start without the key).
Erasing a person deletes the mapping; the ids that travelled in events can then be linked to
someone only by a holder of the key who already knows the employee id.

A registration's reporting line always starts with the direct manager's person id, whether or
not that manager ever registers (naming a manager records them); above it, the line holds the
chain as the directory knows it at that moment, i.e. the managers that registrations named for
the people above. A manager who registers later announces their own edge (their line starts
with their own manager), so the edges person -> first of line rebuild the hierarchy in any
registration order; registering again refreshes a line that has grown since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import UpdateOne

from mentorship_kit.mongo import Collection, Database, Document
from mentorship_kit.outbox import Transaction
from mentorship_kit.pseudonyms import Pseudonyms
from registration.domain.registration import Person

PEOPLE = "people"
MAX_REPORTING_DEPTH = 16


class PeopleDirectory:
    """Employee ids, their person ids and managers."""

    def __init__(self, database: Database, pseudonyms: Pseudonyms) -> None:
        self._people: Collection = database[PEOPLE]
        self._pseudonyms = pseudonyms

    def _new_person_id(self, employee_id: str) -> str:
        person_id = self._pseudonyms.person_id(employee_id)
        if person_id is None:
            msg = "person ids need AUTH_PSEUDONYM_KEY (the settings refuse to start without it)"
            raise RuntimeError(msg)
        return person_id

    async def resolve(
        self, managers: Mapping[str, str | None], tx: Transaction
    ) -> dict[str, Person]:
        """Record each employee's manager and return who each employee is.

        People named for the first time (employees or their managers) are created; a changed
        manager is updated. Reads each person once and writes only what changed, so a chunk
        of thousands of registrations costs a few round trips.
        """
        mentioned = set(managers) | {manager for manager in managers.values() if manager}
        known = await self._load(mentioned, tx)
        created: list[Document] = [
            {
                "_id": employee,
                "person_id": self._new_person_id(employee),
                "manager_employee_id": managers.get(employee),
            }
            for employee in sorted(mentioned - set(known))
        ]
        if created:
            await self._people.insert_many(created, ordered=False, session=tx.session)
        changes = {
            employee: manager
            for employee, manager in managers.items()
            if employee in known and known[employee].get("manager_employee_id") != manager
        }
        if changes:
            await self._people.bulk_write(
                [
                    UpdateOne({"_id": employee}, {"$set": {"manager_employee_id": manager}})
                    for employee, manager in changes.items()
                ],
                ordered=False,
                session=tx.session,
            )
        directory = known | {document["_id"]: document for document in created}
        for employee, manager in changes.items():
            directory[employee] = directory[employee] | {"manager_employee_id": manager}
        await self._load_managers(directory, tx)
        return {
            employee: Person(directory[employee]["person_id"], _line(employee, directory))
            for employee in managers
        }

    async def _load(self, employees: Iterable[str], tx: Transaction) -> dict[str, Document]:
        wanted = list(employees)
        if not wanted:
            return {}
        cursor = self._people.find({"_id": {"$in": wanted}}, session=tx.session)
        return {document["_id"]: document async for document in cursor}

    async def _load_managers(self, directory: dict[str, Document], tx: Transaction) -> None:
        """Load the managers above ``directory``'s people, one query per level."""
        for _ in range(MAX_REPORTING_DEPTH):
            missing = {
                manager
                for document in directory.values()
                if (manager := document.get("manager_employee_id")) and manager not in directory
            }
            if not missing:
                return
            found = await self._load(missing, tx)
            directory |= found
            if not found:
                return

    async def forget(self, employee_id: str, tx: Transaction) -> str | None:
        """Erase a person: their entry and every reference to them as a manager."""
        person = await self._people.find_one_and_delete({"_id": employee_id}, session=tx.session)
        await self._people.update_many(
            {"manager_employee_id": employee_id},
            {"$set": {"manager_employee_id": None}},
            session=tx.session,
        )
        return person["person_id"] if person else None


def _line(employee: str, directory: Mapping[str, Document]) -> tuple[str, ...]:
    line: list[str] = []
    seen = {employee}
    current = directory[employee].get("manager_employee_id")
    while current and current not in seen and len(line) < MAX_REPORTING_DEPTH:
        seen.add(current)
        manager = directory.get(current)
        if manager is None:
            break
        line.append(manager["person_id"])
        current = manager.get("manager_employee_id")
    return tuple(line)
