"""MongoDB storage of invitations (one per program and employee)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReplaceOne

from mentorship_kit.mongo import Collection, Database, Document, Indexes, due_by
from mentorship_kit.outbox import Transaction
from registration.domain.invitations import Invitation, InvitationStatus

INVITATIONS = "invitations"


class InvitationRepository:
    """Invitations; reminders due are found by ``next_reminder_at``."""

    def __init__(self, database: Database) -> None:
        self._invitations: Collection = database[INVITATIONS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """One per program and employee; sent ones by reminder due; pending ones per program.

        ``sent_by_reminder`` answers each reminder round's look for sent invitations due
        (equality, then the range and its order) where the retired ``reminders_due`` on the
        date alone left the status to be checked on every sent invitation read.
        """
        return (
            Indexes(
                INVITATIONS,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("employee_id", ASCENDING)],
                        unique=True,
                        name="one_per_program_and_employee",
                    ),
                    IndexModel(
                        [("status", ASCENDING), ("next_reminder_at", ASCENDING)],
                        name="sent_by_reminder",
                    ),
                    IndexModel([("status", ASCENDING), ("program_id", ASCENDING)], name="status"),
                    IndexModel([("employee_id", ASCENDING)], name="by_employee"),
                ),
                retired=("reminders_due",),
            ),
        )

    async def of_employees(
        self, program_id: str, employee_ids: Iterable[str], tx: Transaction
    ) -> dict[str, Invitation]:
        """The invitations of these employees to a program."""
        cursor = self._invitations.find(
            {"program_id": program_id, "employee_id": {"$in": list(employee_ids)}},
            session=tx.session,
        )
        return {document["employee_id"]: _invitation(document) async for document in cursor}

    async def all_of_employee(self, employee_id: str) -> list[Invitation]:
        """Every invitation an employee was sent (or is due), by program."""
        cursor = self._invitations.find({"employee_id": employee_id}).sort("program_id", ASCENDING)
        return [_invitation(document) async for document in cursor]

    async def count(self, program_id: str) -> int:
        """How many people a program invited."""
        return await self._invitations.count_documents({"program_id": program_id})

    async def get(self, invitation_id: str) -> Invitation | None:
        """One invitation."""
        document = await self._invitations.find_one({"_id": invitation_id})
        return _invitation(document) if document else None

    async def page(self, program_id: str, after: str | None, limit: int) -> list[Invitation]:
        """A program's invitations in employee-id order."""
        query: Document = {"program_id": program_id}
        if after:
            query["employee_id"] = {"$gt": after}
        cursor = self._invitations.find(query).sort("employee_id", ASCENDING).limit(limit)
        return [_invitation(document) async for document in cursor]

    async def due(self, now: datetime, limit: int, tx: Transaction) -> list[Invitation]:
        """Sent invitations whose reminder is due."""
        cursor = (
            self._invitations.find(
                reminders_due_by(now),
                session=tx.session,
            )
            .sort("next_reminder_at", ASCENDING)
            .limit(limit)
        )
        return [_invitation(document) async for document in cursor]

    async def pending_programs(self) -> list[str]:
        """Programs with invitations waiting for registration to open."""
        ids: list[Any] = await self._invitations.distinct(
            "program_id", {"status": InvitationStatus.PENDING.value}
        )
        return [str(program_id) for program_id in ids]

    async def pending(self, program_id: str, limit: int, tx: Transaction) -> list[Invitation]:
        """A program's invitations waiting for registration to open."""
        cursor = self._invitations.find(
            {"program_id": program_id, "status": InvitationStatus.PENDING.value},
            session=tx.session,
        ).limit(limit)
        return [_invitation(document) async for document in cursor]

    async def save_all(self, invitations: Sequence[Invitation], tx: Transaction) -> None:
        """Insert or replace ``invitations``."""
        if invitations:
            await self._invitations.bulk_write(
                [
                    ReplaceOne({"_id": item.invitation_id}, _document(item), upsert=True)
                    for item in invitations
                ],
                ordered=True,
                session=tx.session,
            )

    async def open_of_employee(self, employee_id: str, tx: Transaction) -> list[Invitation]:
        """An employee's invitations that may still remind them."""
        cursor = self._invitations.find(
            {
                "employee_id": employee_id,
                "status": {"$in": [InvitationStatus.PENDING.value, InvitationStatus.SENT.value]},
            },
            session=tx.session,
        )
        return [_invitation(document) async for document in cursor]

    async def delete_person(self, employee_id: str, tx: Transaction) -> None:
        """Forget an erased person's invitations."""
        await self._invitations.delete_many({"employee_id": employee_id}, session=tx.session)


def _document(invitation: Invitation) -> Document:
    return {
        "_id": invitation.invitation_id,
        "program_id": invitation.program_id,
        "employee_id": invitation.employee_id,
        "person_id": invitation.person_id,
        "department": invitation.department,
        "status": invitation.status.value,
        "created_at": invitation.created_at,
        "remind_after_s": (
            invitation.remind_after.total_seconds() if invitation.remind_after else None
        ),
        "max_reminders": invitation.max_reminders,
        "sent_at": invitation.sent_at,
        "reminders_sent": invitation.reminders_sent,
        "next_reminder_at": invitation.next_reminder_at,
        "registered_at": invitation.registered_at,
    }


def _invitation(document: Document) -> Invitation:
    remind_after_s = document.get("remind_after_s")
    return Invitation(
        invitation_id=document["_id"],
        program_id=document["program_id"],
        employee_id=document["employee_id"],
        person_id=document["person_id"],
        department=document.get("department"),
        status=InvitationStatus(document["status"]),
        created_at=document["created_at"],
        remind_after=timedelta(seconds=remind_after_s) if remind_after_s else None,
        max_reminders=document["max_reminders"],
        sent_at=document.get("sent_at"),
        reminders_sent=document.get("reminders_sent", 0),
        next_reminder_at=document.get("next_reminder_at"),
        registered_at=document.get("registered_at"),
    )


def reminders_due_by(now: datetime) -> Document:
    """The sent invitations whose reminder is due by ``now`` (read through ``sent_by_reminder``)."""
    return {"status": InvitationStatus.SENT.value, "next_reminder_at": due_by(now)}
