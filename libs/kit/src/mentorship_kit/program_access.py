"""Program-scoped authorisation: who may manage which program, checked the same way everywhere.

The source of truth is the program's ``managers`` list in registration (employee ids there),
published as person ids in ``ProgramCreated`` / ``ProgramUpdated``. Every other service keeps
its own copy with `ProgramManagers` (services own their data: nobody asks registration on a
request), recorded from the program events it already follows::

    managers = ProgramManagers(runtime.database)
    runtime.add_indexes(managers.indexes())
    handlers.on(ProgramCreated)(managers.recording(program_changed))

and checks callers with `require_manager` (use cases), `mentorship_kit.auth.program_manager`
(a FastAPI dependency for ``/programs/{program_id}`` routes) or `managed_programs` (lists).
The identity provider may also name a caller a manager of a program with the role
``<AUTH_MANAGER_ROLE>:<program_id>`` (see `mentorship_kit.principal`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import Any

from pymongo import IndexModel

from mentorship_contracts import Envelope
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.mongo import Collection as MongoCollection
from mentorship_kit.mongo import Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.principal import Principal

ManagersLookup = Callable[[str], Awaitable[Collection[str]]]
"""The person ids of a program's managers, as the service holds them (empty when unknown)."""


def refusal(program_id: str) -> ForbiddenError:
    """The standard refusal of a caller who does not manage ``program_id``."""
    return ForbiddenError(
        f"This operation needs the admin role or to be a manager of program {program_id}."
    )


async def require_manager(
    principal: Principal, program_id: str, managers_of: ManagersLookup
) -> None:
    """Raise `ForbiddenError` unless ``principal`` may manage ``program_id``.

    The store is read only when the caller's token does not settle it (admins, and managers
    the identity provider names, need no lookup).
    """
    if principal.may_manage(program_id):
        return
    if principal.person_id is None or not principal.may_manage(
        program_id, await managers_of(program_id)
    ):
        raise refusal(program_id)


class ProgramManagers:
    """One document per program: the person ids of its managers, newest event wins."""

    def __init__(self, database: Database, collection: str = "program_managers") -> None:
        self._collection: MongoCollection = database[collection]
        self.name = collection

    def indexes(self) -> Indexes:
        """Programs are read by id, and by manager for lists."""
        return Indexes(self.name, (IndexModel("managers"),))

    async def record(
        self, program_id: str, managers: Collection[str], as_of: datetime, tx: Transaction
    ) -> bool:
        """Store ``managers`` of ``program_id`` unless a newer list is stored."""
        current = await self._collection.find_one(
            {"_id": program_id}, projection={"as_of": 1}, session=tx.session
        )
        if current is not None and current["as_of"] > as_of:
            return False
        await self._collection.update_one(
            {"_id": program_id},
            {"$set": {"managers": sorted(set(managers)), "as_of": as_of}},
            upsert=True,
            session=tx.session,
        )
        return True

    def recording(
        self, handler: Callable[[Any, Transaction], Awaitable[None]]
    ) -> Callable[[Envelope[Any], Transaction], Awaitable[None]]:
        """``handler`` of ``ProgramCreated`` / ``ProgramUpdated``, also recording the managers."""

        async def record_then_handle(event: Envelope[Any], tx: Transaction) -> None:
            state: ProgramState = event.data
            await self.record(state.program_id, state.managers, event.occurred_at, tx)
            await handler(event, tx)

        return record_then_handle

    async def of(self, program_id: str) -> tuple[str, ...]:
        """The person ids of the managers of ``program_id`` (empty when unknown)."""
        document = await self._collection.find_one({"_id": program_id})
        return tuple(document["managers"]) if document else ()

    async def managed_by(self, principal: Principal) -> frozenset[str] | None:
        """The programs ``principal`` manages; None for an admin (every program)."""
        if principal.is_admin:
            return None
        listed: set[str] = set()
        if principal.person_id is not None:
            cursor = self._collection.find({"managers": principal.person_id}, projection={"_id": 1})
            listed = {document["_id"] async for document in cursor}
        return frozenset(listed) | principal.managed_programs

    async def manages(self, principal: Principal, program_id: str) -> bool:
        """Whether ``principal`` may manage ``program_id`` (the store read only if needed)."""
        if principal.may_manage(program_id):
            return True
        return principal.person_id is not None and principal.may_manage(
            program_id, await self.of(program_id)
        )

    async def require(self, principal: Principal, program_id: str) -> None:
        """Raise `ForbiddenError` unless ``principal`` may manage ``program_id``."""
        await require_manager(principal, program_id, self.of)


def visible(programs: frozenset[str] | None, program_id: str) -> bool:
    """Whether ``program_id`` is among ``programs`` (None: every program)."""
    return programs is None or program_id in programs


__all__ = [
    "ManagersLookup",
    "ProgramManagers",
    "refusal",
    "require_manager",
    "visible",
]
