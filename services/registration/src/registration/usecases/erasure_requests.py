"""A participant asks to be erased; the admins list the open requests."""

from __future__ import annotations

from mentorship_kit.errors import ForbiddenError
from mentorship_kit.exports import NOT_A_PERSON
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from registration.adapters.erasure_requests import ErasureRequestRepository
from registration.domain.erasure_requests import ErasureRequest, file_erasure_request


def _employee(caller: Principal) -> tuple[str, str]:
    if caller.employee_id is None or caller.person_id is None:
        raise ForbiddenError(NOT_A_PERSON)
    return caller.employee_id, caller.person_id


class ErasureRequestService:
    """Files erasure requests (idempotent while one is open) and lists the open ones."""

    def __init__(self, transactor: Transactor, requests: ErasureRequestRepository) -> None:
        self._transactor = transactor
        self._requests = requests

    async def file(self, caller: Principal) -> tuple[ErasureRequest, bool]:
        """The caller's open request, filed now unless one was open; whether it is new.

        Raises:
            ForbiddenError: the caller is no person (the admin token).
        """
        employee_id, person_id = _employee(caller)

        async def work(tx: Transaction) -> tuple[ErasureRequest, bool]:
            existing = await self._requests.open_of(employee_id, tx)
            request, events = file_erasure_request(existing, employee_id, person_id, tx.now)
            if events:
                await self._requests.save(request, tx)
            for event in events:
                tx.emit(event)
            return request, bool(events)

        return await self._transactor.run(work)

    async def mine(self, caller: Principal) -> ErasureRequest | None:
        """The caller's open request, if they filed one."""
        employee_id, _ = _employee(caller)
        return await self._requests.open_of(employee_id)

    async def open_ones(self) -> list[ErasureRequest]:
        """Every open request, oldest first (for the admins)."""
        return await self._requests.open_ones()
