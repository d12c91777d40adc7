"""MongoDB storage of registrations (the only place names and e-mails are kept)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.profile import MatchingInputs
from registration.domain.registration import Registration, Status

PARTICIPANTS = "participants"


class RegistrationRepository:
    """Registrations, one per (program, employee)."""

    def __init__(self, database: Database) -> None:
        self._participants: Collection = database[PARTICIPANTS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Unique per program and employee; erasure finds a person across programs."""
        return (
            Indexes(
                PARTICIPANTS,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("employee_id", ASCENDING)],
                        unique=True,
                        name="one_per_person_and_program",
                    ),
                    IndexModel([("employee_id", ASCENDING)], name="by_employee"),
                    IndexModel(
                        [("person_id", ASCENDING), ("updated_at", DESCENDING)], name="by_person"
                    ),
                    IndexModel([("reporting_line", ASCENDING)], name="by_manager_person"),
                ),
            ),
        )

    async def by_employees(
        self, program_id: str, employee_ids: Iterable[str], tx: Transaction
    ) -> dict[str, Registration]:
        """The registrations of these employees in a program, by employee id."""
        cursor = self._participants.find(
            {"program_id": program_id, "employee_id": {"$in": list(employee_ids)}},
            session=tx.session,
        )
        return {document["employee_id"]: _registration(document) async for document in cursor}

    async def get(
        self, program_id: str, employee_id: str, tx: Transaction | None = None
    ) -> Registration | None:
        """The registration of an employee in a program."""
        document = await self._participants.find_one(
            {"program_id": program_id, "employee_id": employee_id},
            session=tx.session if tx else None,
        )
        return _registration(document) if document else None

    async def by_participant(self, participant_id: str) -> Registration | None:
        """A registration by its participant id."""
        document = await self._participants.find_one({"_id": participant_id})
        return _registration(document) if document else None

    async def by_participants(self, participant_ids: Iterable[str]) -> list[Registration]:
        """The registrations of these participant ids (unknown ones are left out)."""
        cursor = self._participants.find({"_id": {"$in": list(dict.fromkeys(participant_ids))}})
        return [_registration(document) async for document in cursor]

    async def of_employee(self, employee_id: str) -> list[Registration]:
        """Every registration of an employee, active or withdrawn, by program."""
        cursor = self._participants.find({"employee_id": employee_id}).sort("program_id", ASCENDING)
        return [_registration(document) async for document in cursor]

    async def latest_of_person(self, person_id: str) -> Registration | None:
        """A person's most recently updated registration, in any program."""
        document = await self._participants.find_one(
            {"person_id": person_id}, sort=[("updated_at", DESCENDING)]
        )
        return _registration(document) if document else None

    async def page(
        self, program_id: str, *, status: Status | None, after: str | None, limit: int
    ) -> list[Registration]:
        """A program's registrations in employee-id order."""
        query: Document = {"program_id": program_id}
        if status is not None:
            query["status"] = status.value
        if after is not None:
            query["employee_id"] = {"$gt": after}
        cursor = self._participants.find(query).sort("employee_id", ASCENDING).limit(limit)
        return [_registration(document) async for document in cursor]

    async def active_mentors(
        self, program_id: str, participant_ids: Iterable[str], tx: Transaction
    ) -> set[str]:
        """Which of ``participant_ids`` are active mentors (or both) in the program."""
        wanted = list(participant_ids)
        if not wanted:
            return set()
        cursor = self._participants.find(
            {
                "_id": {"$in": wanted},
                "program_id": program_id,
                "status": Status.ACTIVE.value,
                "inputs.role": {"$in": [ParticipantRole.MENTOR.value, ParticipantRole.BOTH.value]},
            },
            projection={"_id": 1},
            session=tx.session,
        )
        return {document["_id"] async for document in cursor}

    async def active_of_employee(
        self, employee_id: str, program_ids: Iterable[str], tx: Transaction
    ) -> list[Registration]:
        """An employee's active registrations in these programs."""
        cursor = self._participants.find(
            {
                "employee_id": employee_id,
                "program_id": {"$in": list(program_ids)},
                "status": Status.ACTIVE.value,
            },
            session=tx.session,
        )
        return [_registration(document) async for document in cursor]

    async def registered_employees(self, program_id: str) -> set[str]:
        """The employees with an active registration in a program."""
        cursor = self._participants.find(
            {"program_id": program_id, "status": Status.ACTIVE.value},
            projection={"employee_id": 1},
        )
        return {document["employee_id"] async for document in cursor}

    async def insert_all(self, registrations: Sequence[Registration], tx: Transaction) -> None:
        """Insert new registrations in one round trip."""
        if registrations:
            await self._participants.insert_many(
                [_document(item) for item in registrations], ordered=True, session=tx.session
            )

    async def save_all(self, registrations: Sequence[Registration], tx: Transaction) -> None:
        """Replace (or insert) ``registrations`` in one round trip."""
        if registrations:
            await self._participants.bulk_write(
                [
                    ReplaceOne({"_id": item.participant_id}, _document(item), upsert=True)
                    for item in registrations
                ],
                ordered=True,
                session=tx.session,
            )

    async def delete_person(self, employee_id: str, tx: Transaction) -> list[Registration]:
        """Delete every registration of an employee; returns what was deleted."""
        cursor = self._participants.find({"employee_id": employee_id}, session=tx.session)
        deleted = [_registration(document) async for document in cursor]
        await self._participants.delete_many({"employee_id": employee_id}, session=tx.session)
        return deleted

    async def forget_manager(
        self, employee_id: str, person_id: str | None, tx: Transaction
    ) -> None:
        """Remove an erased person from others' manager fields and reporting lines."""
        await self._participants.update_many(
            {"manager_employee_id": employee_id},
            {"$set": {"manager_employee_id": None}},
            session=tx.session,
        )
        if person_id is not None:
            await self._participants.update_many(
                {"reporting_line": person_id},
                {"$pull": {"reporting_line": person_id}},
                session=tx.session,
            )


def _document(registration: Registration) -> Document:
    inputs = registration.inputs
    return {
        "_id": registration.participant_id,
        "program_id": registration.program_id,
        "employee_id": registration.employee_id,
        "person_id": registration.person_id,
        "name": registration.name,
        "email": registration.email,
        "department": registration.department,
        "manager_employee_id": registration.manager_employee_id,
        "reporting_line": list(registration.reporting_line),
        "answers": registration.answers,
        "questionnaire_version": registration.questionnaire_version,
        "inputs": {
            "role": inputs.role.value,
            "capacity": inputs.capacity,
            "profile": inputs.profile.model_dump(mode="json"),
            "choice_answers": {key: list(values) for key, values in inputs.choice_answers.items()},
        },
        "status": registration.status.value,
        "registered_at": registration.registered_at,
        "updated_at": registration.updated_at,
        "withdrew_at": registration.withdrew_at,
    }


def _registration(document: Document) -> Registration:
    inputs = document["inputs"]
    return Registration(
        participant_id=document["_id"],
        program_id=document["program_id"],
        employee_id=document["employee_id"],
        person_id=document["person_id"],
        name=document["name"],
        email=document["email"],
        department=document["department"],
        manager_employee_id=document["manager_employee_id"],
        reporting_line=tuple(document["reporting_line"]),
        answers=document["answers"],
        questionnaire_version=document["questionnaire_version"],
        inputs=MatchingInputs(
            role=ParticipantRole(inputs["role"]),
            capacity=inputs["capacity"],
            profile=MatchingProfile.model_validate(inputs["profile"]),
            choice_answers={key: tuple(values) for key, values in inputs["choice_answers"].items()},
        ),
        status=Status(document["status"]),
        registered_at=document["registered_at"],
        updated_at=document["updated_at"],
        withdrew_at=document.get("withdrew_at"),
    )
