"""MongoDB storage of erasure requests (one open per person at most)."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.erasure_requests import ErasureRequest

ERASURE_REQUESTS = "erasure_requests"


class ErasureRequestRepository:
    """Erasure requests, open and closed."""

    def __init__(self, database: Database) -> None:
        self._requests: Collection = database[ERASURE_REQUESTS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """At most one open request per employee; the open ones in filing order."""
        return (
            Indexes(
                ERASURE_REQUESTS,
                (
                    IndexModel(
                        [("employee_id", ASCENDING)],
                        unique=True,
                        partialFilterExpression={"open": True},
                        name="one_open_per_employee",
                    ),
                    IndexModel([("open", ASCENDING), ("requested_at", ASCENDING)], name="open"),
                ),
            ),
        )

    async def open_of(
        self, employee_id: str, tx: Transaction | None = None
    ) -> ErasureRequest | None:
        """The employee's open request, if any."""
        document = await self._requests.find_one(
            {"employee_id": employee_id, "open": True}, session=tx.session if tx else None
        )
        return _request(document) if document else None

    async def open_ones(self) -> list[ErasureRequest]:
        """Every open request, oldest first."""
        cursor = self._requests.find({"open": True}).sort("requested_at", ASCENDING)
        return [_request(document) async for document in cursor]

    async def close_of(self, employee_id: str, now: datetime, tx: Transaction) -> None:
        """Close an erased person's open request, keeping no trace of who asked."""
        await self._requests.update_many(
            {"employee_id": employee_id, "open": True},
            {
                "$set": {"open": False, "closed_at": now},
                "$unset": {"employee_id": "", "person_id": ""},
            },
            session=tx.session,
        )

    async def save(self, request: ErasureRequest, tx: Transaction) -> None:
        """Insert or replace a request."""
        await self._requests.replace_one(
            {"_id": request.request_id}, _document(request), upsert=True, session=tx.session
        )


def _document(request: ErasureRequest) -> Document:
    return {
        "_id": request.request_id,
        "employee_id": request.employee_id,
        "person_id": request.person_id,
        "requested_at": request.requested_at,
        "closed_at": request.closed_at,
        "open": request.is_open,
    }


def _request(document: Document) -> ErasureRequest:
    return ErasureRequest(
        request_id=document["_id"],
        employee_id=document["employee_id"],
        person_id=document["person_id"],
        requested_at=document["requested_at"],
        closed_at=document.get("closed_at"),
    )
