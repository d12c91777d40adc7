"""Pair members' profiles: the read model of matching's pairs, and who may read whose profile."""

from __future__ import annotations

from mentorship_kit.batching import Buffer
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ManagersLookup
from registration.adapters.pairings import PairingRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.registrations import RegistrationRepository
from registration.domain.partners import Pairing, PartnerProfile, partner_profile, partners_of
from registration.usecases.errors import participant_not_found

NOT_PAIRED = (
    "You can read the profile of the people you are paired with, while you are paired, or of "
    "the participants of programs you manage."
)


class PartnerProfiles:
    """Keeps the pairings matching announces; serves a partner's profile to pair members."""

    def __init__(
        self,
        pairings: PairingRepository,
        registrations: RegistrationRepository,
        people: PeopleDirectory,
        managers_of: ManagersLookup,
    ) -> None:
        self._pairings = pairings
        self._registrations = registrations
        self._people = people
        self._managers_of = managers_of
        self._created: Buffer[Pairing] = Buffer("registration.pairings", pairings.created)

    async def pair_created(self, pairing: Pairing, tx: Transaction) -> None:
        """Matching paired two participants.

        Recorded with the transaction's other new pairs in one bulk write just before it
        commits (or when a pair's end comes first in the same batch).
        """
        self._created.add(pairing, tx)

    async def pair_ended(self, pair_id: str, program_id: str, tx: Transaction) -> None:
        """A pair ended: its members no longer see each other's profile."""
        await self._created.flush(tx)  # the batch's pairs created before it, first
        await self._pairings.ended(pair_id, program_id, tx)

    async def profile(self, caller: Principal, participant_id: str) -> PartnerProfile:
        """The profile of ``participant_id`` as ``caller`` may see it.

        Admins see anyone's; a participant sees the people they are paired with now; a
        program's managers see its participants. Anyone else is refused, whether or not the
        participant exists (a refusal tells nothing about who registered).

        Raises:
            ForbiddenError: the caller may not see this profile.
            CodedNotFoundError: participant_not_found (erased, or never registered).
        """
        allowed = caller.is_admin or await self._paired(caller, participant_id)
        registration = await self._registrations.by_participant(participant_id)
        if not allowed and registration is not None:
            allowed = caller.may_manage(
                registration.program_id, await self._managers_of(registration.program_id)
            )
        if not allowed:
            raise ForbiddenError(NOT_PAIRED)
        if registration is None:
            raise participant_not_found(participant_id)
        entry = (await self._people.by_person_ids([registration.person_id])).get(
            registration.person_id
        )
        return partner_profile(registration, entry)

    async def _paired(self, caller: Principal, participant_id: str) -> bool:
        if caller.employee_id is None:
            return False
        mine = [r.participant_id for r in await self._registrations.of_employee(caller.employee_id)]
        return participant_id in partners_of(mine, await self._pairings.around(mine))
