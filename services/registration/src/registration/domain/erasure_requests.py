"""A person's request to be erased: filed once, open until an admin erases them.

The admins act on it with ``DELETE /v1/people/{employee_id}``, which closes it; filing again
while one is open changes nothing (the open request is the answer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from mentorship_contracts.events import ErasureRequested


@dataclass(frozen=True, slots=True)
class ErasureRequest:
    """One person's request to have their data erased."""

    request_id: str
    employee_id: str
    person_id: str
    requested_at: datetime
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether an admin still has to erase the person."""
        return self.closed_at is None

    def closed(self, now: datetime) -> ErasureRequest:
        """The request once the person was erased."""
        return replace(self, closed_at=self.closed_at or now)


def file_erasure_request(
    open_request: ErasureRequest | None, employee_id: str, person_id: str, now: datetime
) -> tuple[ErasureRequest, list[ErasureRequested]]:
    """File a request, or keep the open one (idempotent): the request and the events caused."""
    if open_request is not None and open_request.is_open:
        return open_request, []
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as MongoDB keeps it
    request = ErasureRequest(
        request_id=f"erq-{uuid.uuid4().hex}",
        employee_id=employee_id,
        person_id=person_id,
        requested_at=now,
    )
    return request, [
        ErasureRequested(request_id=request.request_id, person_id=person_id, requested_at=now)
    ]
