"""What registration listens to: matching's pairs, so pair members may read each other's profile.

Each handler translates its event and calls a use case, in the consumer's transaction.
"""

from __future__ import annotations

from mentorship_contracts import Envelope
from mentorship_contracts.events import PairCreated, PairEnded
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from registration.domain.partners import Pairing
from registration.usecases.partners import PartnerProfiles


def register_event_handlers(handlers: EventHandlers, profiles: PartnerProfiles) -> None:
    """Subscribe registration to the pairs matching makes and ends."""

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        data = event.data
        pairing = Pairing(
            pair_id=data.pair_id,
            program_id=data.program_id,
            mentor_participant_id=data.mentor_participant_id,
            mentee_participant_id=data.mentee_participant_id,
            group_id=data.group_id,
        )
        await profiles.pair_created(pairing, tx)

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await profiles.pair_ended(event.data.pair_id, event.data.program_id, tx)
