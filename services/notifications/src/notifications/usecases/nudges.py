"""A program manager nudges a pair: both members get a message to meet again.

The health report flags pairs without a session for a while; the console's next step for
such a flag is this nudge. Admins nudge any pair, a program manager the pairs of their
programs only (403 elsewhere). The messages are planned like any other notification: each
member's channels, quiet hours and unsubscribing apply.
"""

from __future__ import annotations

from mentorship_kit.errors import NotFoundError, RuleError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ProgramManagers
from notifications.adapters.store import Facts
from notifications.domain import notices
from notifications.usecases.planning import Planner


class Nudges:
    """Nudging pairs."""

    def __init__(
        self,
        transactor: Transactor,
        facts: Facts,
        planner: Planner,
        managers: ProgramManagers,
    ) -> None:
        self._transactor = transactor
        self._facts = facts
        self._planner = planner
        self._managers = managers

    async def nudge(self, program_id: str, pair_id: str, caller: Principal) -> int:
        """Plan a nudge to both members of the pair; the number of deliveries planned.

        Raises:
            ForbiddenError: the caller does not manage the program.
            NotFoundError: no such pair in the program (as this service knows it).
            RuleError: pair_ended, the pair has ended.
        """
        await self._managers.require(caller, program_id)

        async def work(tx: Transaction) -> int:
            pair = await self._facts.pair(pair_id, tx)
            if pair is None or pair.program_id != program_id:
                msg = f"no pair {pair_id} in program {program_id}"
                raise NotFoundError(msg)
            if pair.ended:
                raise RuleError("pair_ended", "The pair has ended: there is no one to nudge.")
            notice = notices.pair_nudge(
                program_id,
                pair_id,
                (pair.mentee_participant_id, pair.mentor_participant_id),
                tx.now.date(),
            )
            return len(await self._planner.plan([notice], tx))

        return await self._transactor.run(work)
