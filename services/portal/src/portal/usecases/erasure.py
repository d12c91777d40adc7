"""The admins' erasure desk: the open requests, who asked, and erasing them.

Registration decides who may see the requests and erase (organisation admins only); a program
manager's call is refused there and becomes the 403 page. Feedback decides likewise who may
erase a person's business outcomes (`OutcomeEraser`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mentorship_kit.errors import NotFoundError
from portal.adapters.console import ErasureAdminApi, OutcomeErasureApi
from portal.domain.erasure import ErasedOutcomes, ErasedPerson, ErasureRequest
from portal.usecases.participant import Caller


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """A request and the name of the person who filed it (None: not in the directory)."""

    request: ErasureRequest
    name: str | None


class ErasureDesk:
    """What the erasure pages show and do."""

    def __init__(self, erasure: ErasureAdminApi) -> None:
        self._erasure = erasure

    async def open_requests(self, caller: Caller) -> list[OpenRequest]:
        """Every open request, oldest first, with who filed it."""
        requests = await self._erasure.open_requests(caller.token)
        names = await asyncio.gather(
            *(self._erasure.name_of(caller.token, r.employee_id) for r in requests)
        )
        return [OpenRequest(r, name) for r, name in zip(requests, names, strict=True)]

    async def open_request(self, caller: Caller, request_id: str) -> OpenRequest:
        """One open request; `NotFoundError` once it is closed (or never was)."""
        for found in await self.open_requests(caller):
            if found.request.request_id == request_id:
                return found
        raise NotFoundError(f"no open erasure request {request_id}")

    async def erase(self, caller: Caller, request_id: str) -> ErasedPerson:
        """Erase the person who filed ``request_id`` (which closes it)."""
        found = await self.open_request(caller, request_id)
        return await self._erasure.erase(caller.token, found.request.employee_id)


@dataclass(frozen=True, slots=True)
class OutcomesErasedOf:
    """What erasing an employee's outcomes did, and their name (None: not in the directory)."""

    erased: ErasedOutcomes
    name: str | None


class OutcomeEraser:
    """Erasing the HRIS outcomes recorded about one employee, and nothing else of theirs."""

    def __init__(self, outcomes: OutcomeErasureApi, directory: ErasureAdminApi) -> None:
        self._outcomes = outcomes
        self._directory = directory

    async def erase(self, caller: Caller, employee_id: str) -> OutcomesErasedOf:
        """Erase them; a repeat, or an employee with no outcome, deletes none."""
        erased = await self._outcomes.erase(caller.token, employee_id)
        return OutcomesErasedOf(erased, await self._directory.name_of(caller.token, employee_id))
