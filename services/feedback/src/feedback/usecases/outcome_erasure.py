"""The right to erasure of HRIS outcomes: every outcome of an employee goes, announced.

The outcomes are deleted and `OutcomesErased` staged in the outbox in one transaction, so
analytics hears of the erasure if, and only if, it happened. Erasing again (or an employee
with no outcome) deletes nothing and is announced again: the event says the person had no
outcome left at that moment, which holds whatever came before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedback.adapters.records import Records
from feedback.domain.decisions import Decision
from feedback.domain.outcomes import Outcome
from feedback.usecases.outcomes import outcome_person_id
from feedback.usecases.staging import stage_events
from mentorship_contracts.events import OutcomesErased
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.pseudonyms import Pseudonyms


@dataclass(frozen=True, slots=True)
class OutcomesErasure:
    """What an erasure did: how many outcomes went, and when."""

    deleted: int
    erased_at: datetime


class OutcomeErasure:
    """Erases the outcomes recorded under an employee's pseudonym."""

    def __init__(
        self, transactor: Transactor, outcomes: Records[Outcome], pseudonyms: Pseudonyms
    ) -> None:
        self._transactor = transactor
        self._outcomes = outcomes
        self._pseudonyms = pseudonyms

    async def erase(self, employee_id: str) -> OutcomesErasure:
        """Delete every outcome of ``employee_id`` and announce it; idempotent.

        Raises RuleError ``pseudonym_key_missing`` without `AUTH_PSEUDONYM_KEY`.
        """
        person_id = outcome_person_id(self._pseudonyms, employee_id)

        async def erase(tx: Transaction) -> OutcomesErasure:
            deleted = await self._outcomes.delete_many({"person_id": person_id}, tx)
            event = OutcomesErased(person_id=person_id, erased_at=tx.now)
            stage_events(Decision(None, (event,)), tx)
            return OutcomesErasure(deleted=deleted, erased_at=tx.now)

        return await self._transactor.run(erase)
