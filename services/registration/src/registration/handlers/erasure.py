"""Erasure (GDPR): forget a person here and tell every other service to forget them."""

from __future__ import annotations

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.people import PeopleDirectory
from registration.adapters.registrations import RegistrationRepository


class ErasureService:
    """Deletes a person's registrations, directory entry and every reference to them."""

    def __init__(
        self,
        transactor: Transactor,
        registrations: RegistrationRepository,
        people: PeopleDirectory,
    ) -> None:
        self._transactor = transactor
        self._registrations = registrations
        self._people = people

    async def erase(self, employee_id: str) -> int:
        """Erase ``employee_id`` everywhere; returns how many registrations were erased.

        Idempotent: erasing an unknown or already erased person erases nothing.
        """

        async def work(tx: Transaction) -> int:
            deleted = await self._registrations.delete_person(employee_id, tx)
            person_id = await self._people.forget(employee_id, tx)
            await self._registrations.forget_manager(employee_id, person_id, tx)
            for registration in deleted:
                tx.emit(registration.erased(tx.now))
            return len(deleted)

        return await self._transactor.run(work)
