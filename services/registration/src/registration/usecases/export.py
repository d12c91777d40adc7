"""The right of access: everything registration holds about the calling person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mentorship_contracts.types import utc_now
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.exports import NOT_A_PERSON, exporting_person
from mentorship_kit.principal import Principal
from registration.adapters.invitations import InvitationRepository
from registration.adapters.pairings import PairingRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.domain.directory import DirectoryEntry
from registration.domain.invitations import Invitation
from registration.domain.partners import Pairing
from registration.domain.registration import Registration


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What registration holds about one person, read at ``generated_at``."""

    person_id: str
    employee_id: str
    generated_at: datetime
    directory_entry: DirectoryEntry | None
    registrations: list[Registration]
    invitations: list[Invitation]
    managed_program_ids: list[str]
    pairings: list[Pairing]


class PersonalDataExport:
    """Gathers a person's data from registration's collections."""

    def __init__(
        self,
        people: PeopleDirectory,
        registrations: RegistrationRepository,
        invitations: InvitationRepository,
        programs: ProgramRepository,
        pairings: PairingRepository,
    ) -> None:
        self._pairings = pairings
        self._people = people
        self._registrations = registrations
        self._invitations = invitations
        self._programs = programs

    async def of(self, caller: Principal) -> PersonalData:
        """The caller's own data (an admin token names nobody: 403)."""
        person_id = exporting_person(caller)
        employee_id = caller.employee_id
        if employee_id is None:
            raise ForbiddenError(NOT_A_PERSON)
        registrations = await self._registrations.of_employee(employee_id)
        return PersonalData(
            person_id=person_id,
            employee_id=employee_id,
            generated_at=utc_now(),
            directory_entry=await self._people.get(employee_id),
            registrations=registrations,
            invitations=await self._invitations.all_of_employee(employee_id),
            managed_program_ids=sorted(await self._programs.managed_by(person_id)),
            pairings=await self._pairings.of_members(r.participant_id for r in registrations),
        )
