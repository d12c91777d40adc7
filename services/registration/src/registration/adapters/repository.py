"""MongoDB storage of registrations and of the people directory."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from pymongo import ASCENDING, IndexModel, ReturnDocument

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.registration import Registration

PARTICIPANTS = "participants"
PEOPLE = "people"
MAX_REPORTING_DEPTH = 16


class RegistrationRepository:
    """Registrations by (program, employee) and the directory of people they name."""

    def __init__(self, database: Database) -> None:
        self._participants: Collection = database[PARTICIPANTS]
        self._people: Collection = database[PEOPLE]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """One registration per person and program."""
        return (
            Indexes(
                PARTICIPANTS,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("employee_id", ASCENDING)],
                        unique=True,
                        name="one_per_person_and_program",
                    ),
                ),
            ),
        )

    async def person_id(
        self, employee_id: str, manager_employee_id: str | None, tx: Transaction
    ) -> str:
        """The stable pseudonymous id of an employee, recording who their manager is."""
        update: dict[str, Any] = {"$setOnInsert": {"person_id": uuid4().hex}}
        if manager_employee_id is not None:
            update["$set"] = {"manager_employee_id": manager_employee_id}
        person = await self._people.find_one_and_update(
            {"_id": employee_id},
            update,
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert person is not None
        return str(person["person_id"])

    async def reporting_line(
        self, manager_employee_id: str | None, tx: Transaction
    ) -> tuple[str, ...]:
        """person_ids of the managers above someone, nearest first (cycle-safe)."""
        line: list[str] = []
        seen: set[str] = set()
        current = manager_employee_id
        while current is not None and current not in seen and len(line) < MAX_REPORTING_DEPTH:
            seen.add(current)
            line.append(await self.person_id(current, None, tx))
            person = await self._people.find_one({"_id": current}, session=tx.session)
            current = person.get("manager_employee_id") if person else None
        return tuple(line)

    async def find(self, program_id: str, employee_id: str, tx: Transaction) -> Registration | None:
        """The registration of an employee in a program, if any."""
        document = await self._participants.find_one(
            {"program_id": program_id, "employee_id": employee_id}, session=tx.session
        )
        return _to_registration(document) if document else None

    async def save(self, registration: Registration, tx: Transaction) -> None:
        """Insert or replace a registration."""
        await self._participants.replace_one(
            {"_id": registration.participant_id},
            _to_document(registration),
            upsert=True,
            session=tx.session,
        )


def _to_document(registration: Registration) -> Document:
    return {
        "_id": registration.participant_id,
        "program_id": registration.program_id,
        "employee_id": registration.employee_id,
        "person_id": registration.person_id,
        "role": registration.role.value,
        "capacity": registration.capacity,
        "department": registration.department,
        "reporting_line": list(registration.reporting_line),
        "profile": registration.profile.model_dump(mode="json"),
        "registered_at": registration.registered_at,
        "updated_at": registration.updated_at,
    }


def _to_registration(document: Document) -> Registration:
    return Registration(
        participant_id=document["_id"],
        program_id=document["program_id"],
        employee_id=document["employee_id"],
        person_id=document["person_id"],
        role=ParticipantRole(document["role"]),
        capacity=document["capacity"],
        department=document["department"],
        reporting_line=tuple(document["reporting_line"]),
        profile=MatchingProfile.model_validate(document["profile"]),
        registered_at=document["registered_at"],
        updated_at=document["updated_at"],
    )
