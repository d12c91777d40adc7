"""What admins (and program managers, in their programs) do here.

See deliveries and failures, retry a failure, set a program's branding, chat destinations and
manager recipients. A program manager sees and retries only their programs' deliveries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import parseaddr
from typing import Any

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ProgramManagers, refusal
from notifications.adapters.mail import valid_address
from notifications.adapters.store import Deliveries, ProgramSettingsStore
from notifications.domain.deliveries import Delivery, Status
from notifications.domain.programs import (
    COLOUR,
    Branding,
    ChatSettings,
    Manager,
    ProgramSettings,
    manager_id,
)


def _checked_branding(branding: Branding) -> Branding:
    problems = [
        (f"body.branding.{name}", "must be a colour like #1f4e79")
        for name in ("primary_colour", "accent_colour")
        if not COLOUR.match(getattr(branding, name))
    ]
    for name in ("sender", "reply_to"):
        value = getattr(branding, name)
        if value is not None and not valid_address(parseaddr(value)[1]):
            problems.append((f"body.branding.{name}", "must be an address (Name <a@b.c>)"))
    if problems:
        raise InvalidInputError(problems)
    return branding


@dataclass(frozen=True, slots=True)
class ManagerChoice:
    """A manager recipient as an admin names them.

    An employee of the directory, or an address outside it (a name and an e-mail).
    """

    employee_id: str | None = None
    name: str | None = None
    email: str | None = None
    language: str = "en"


PersonIds = Callable[[str], str | None]
"""Derives a person id from an employee id (the platform's keyed pseudonym)."""


class Administration:
    """Admin views and settings."""

    def __init__(
        self,
        transactor: Transactor,
        deliveries: Deliveries,
        programs: ProgramSettingsStore,
        managers: ProgramManagers,
        person_ids: PersonIds,
    ) -> None:
        self._transactor = transactor
        self._deliveries = deliveries
        self._programs = programs
        self._managers = managers
        self._person_ids = person_ids

    def _manager_recipients(
        self, program_id: str, chosen: list[ManagerChoice]
    ) -> tuple[Manager, ...]:
        problems: list[tuple[str, str]] = []
        managers: dict[str, Manager] = {}
        for index, choice in enumerate(chosen):
            where = f"body.managers.{index}"
            if choice.employee_id is not None:
                if choice.email is not None or choice.name is not None:
                    problems.append((where, "give an employee_id, or a name and an email"))
                    continue
                person_id = self._person_ids(choice.employee_id)
                if person_id is None:
                    problems.append((f"{where}.employee_id", "AUTH_PSEUDONYM_KEY is not set"))
                    continue
                key = manager_id(program_id, person_id=person_id)
                managers[key] = Manager(key, person_id=person_id, language=choice.language)
            elif choice.email is not None and choice.name is not None:
                if not valid_address(choice.email):
                    problems.append((f"{where}.email", "not an e-mail address"))
                    continue
                key = manager_id(program_id, email=choice.email)
                managers[key] = Manager(
                    key, name=choice.name, email=choice.email, language=choice.language
                )
            else:
                problems.append((where, "give an employee_id, or a name and an email"))
        if problems:
            raise InvalidInputError(problems)
        return tuple(managers.values())

    async def _scoped(self, query: dict[str, Any], caller: Principal) -> dict[str, Any]:
        """``query`` narrowed to the programs ``caller`` manages (unchanged for admins).

        Raises:
            ForbiddenError: the query names a program the caller does not manage, or the
                caller manages none.
        """
        programs = await self._managers.managed_by(caller)
        if programs is None:
            return query
        asked = query.get("program_id")
        if asked is not None:
            if asked not in programs:
                raise refusal(asked)
            return query
        if not programs:
            msg = "This operation needs the admin role or to be a manager of a program."
            raise ForbiddenError(msg)
        return query | {"program_id": {"$in": sorted(programs)}}

    async def deliveries(
        self, query: dict[str, Any], limit: int, caller: Principal
    ) -> list[Delivery]:
        """Deliveries matching a filter (newest first), in the programs the caller manages."""
        return await self._deliveries.find(await self._scoped(query, caller), limit=limit)

    async def summary(self, program_id: str | None, caller: Principal) -> dict[str, int]:
        """Deliveries by status (of a program, or all the caller manages)."""
        query = {"program_id": program_id} if program_id else {}
        return await self._deliveries.counts(await self._scoped(query, caller))

    async def retry(self, delivery_id: str, caller: Principal) -> Delivery:
        """Send a failed delivery again (once the cause is fixed)."""
        delivery = await self._deliveries.get(delivery_id)
        if delivery is None:
            raise NotFoundError(f"delivery {delivery_id}")
        if delivery.program_id is None:
            if not caller.is_admin:
                raise ForbiddenError("This delivery is no program's: only admins retry it.")
        else:
            await self._managers.require(caller, delivery.program_id)
        if delivery.status is not Status.FAILED:
            raise InvalidInputError([("path.delivery_id", "only a failed delivery is retried")])

        async def again(tx: Transaction) -> None:
            await self._deliveries.collection.update_one(
                {"_id": delivery_id, "status": Status.FAILED.value},
                {"$set": {"status": Status.PENDING.value, "due_at": tx.now, "attempts": 0}},
                session=tx.session,
            )

        await self._transactor.run(again)
        found = await self._deliveries.get(delivery_id)
        assert found is not None
        return found

    async def program(self, program_id: str) -> ProgramSettings:
        """A program's settings here."""
        return await self._programs.get(program_id)

    async def set_program(
        self,
        program_id: str,
        *,
        branding: Branding | None = None,
        chat: ChatSettings | None = None,
        managers: list[ManagerChoice] | None = None,
    ) -> ProgramSettings:
        """Change the parts given."""
        chosen = self._manager_recipients(program_id, managers) if managers is not None else None

        async def store(tx: Transaction) -> ProgramSettings:
            current = await self._programs.get(program_id, tx)
            changed = replace(
                current,
                branding=_checked_branding(branding) if branding else current.branding,
                chat=chat or current.chat,
                managers=chosen if chosen is not None else current.managers,
            )
            await self._programs.put(changed, tx)
            return changed

        return await self._transactor.run(store)
