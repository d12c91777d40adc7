"""The register use case: store a registration and announce it, atomically."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from mentorship_contracts.events import MatchingProfile
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.repository import RegistrationRepository
from registration.domain.registration import Registration


@dataclass(frozen=True, slots=True)
class Register:
    """What a person submits to register."""

    program_id: str
    employee_id: str
    role: ParticipantRole
    capacity: int
    department: str | None
    manager_employee_id: str | None
    profile: MatchingProfile


@dataclass(frozen=True, slots=True)
class Registered:
    """The outcome: the registration and whether it is new."""

    registration: Registration
    created: bool


class RegistrationService:
    """Registers people; registering again updates the registration, never duplicates it."""

    def __init__(self, transactor: Transactor, repository: RegistrationRepository) -> None:
        self._transactor = transactor
        self._repository = repository

    async def register(self, command: Register) -> Registered:
        """Store the registration and emit ParticipantRegistered (or ParticipantUpdated)."""
        try:
            return await self._transactor.run(lambda tx: self._register(command, tx))
        except DuplicateKeyError:
            # A concurrent first registration won the race: ours becomes an update.
            return await self._transactor.run(lambda tx: self._register(command, tx))

    async def _register(self, command: Register, tx: Transaction) -> Registered:
        person_id = await self._repository.person_id(
            command.employee_id, command.manager_employee_id, tx
        )
        candidate = Registration(
            participant_id=uuid4().hex,
            program_id=command.program_id,
            employee_id=command.employee_id,
            person_id=person_id,
            role=command.role,
            capacity=command.capacity,
            department=command.department,
            reporting_line=await self._repository.reporting_line(command.manager_employee_id, tx),
            profile=command.profile,
            registered_at=tx.now,
            updated_at=tx.now,
        )
        existing = await self._repository.find(command.program_id, command.employee_id, tx)
        if existing is None:
            await self._repository.save(candidate, tx)
            tx.emit(candidate.registered())
            return Registered(candidate, created=True)
        revised = existing.revise(candidate)
        await self._repository.save(revised, tx)
        tx.emit(revised.updated())
        return Registered(revised, created=False)
