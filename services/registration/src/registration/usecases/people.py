"""People across programs: erasure (GDPR) and how to reach a participant."""

from __future__ import annotations

from dataclasses import dataclass

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.erasure_requests import ErasureRequestRepository
from registration.adapters.invitations import InvitationRepository
from registration.adapters.pairings import PairingRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.directory import DirectoryEntry
from registration.domain.registration import Registration, erase_person
from registration.usecases.errors import CodedNotFoundError, participant_not_found


@dataclass(frozen=True, slots=True)
class PersonContact:
    """How to reach a person by person id: an invitee, a program manager, a participant."""

    person_id: str
    name: str
    email: str
    time_zone: str | None
    """From their latest registration; None for someone who never registered."""
    active: bool


class PeopleService:
    """Forgets a person everywhere; finds a participant's contact details."""

    def __init__(
        self,
        transactor: Transactor,
        registrations: RegistrationRepository,
        people: PeopleDirectory,
        resources: ScimResourceRepository,
        invitations: InvitationRepository,
        *,
        programs: ProgramRepository,
        erasure_requests: ErasureRequestRepository,
        pairings: PairingRepository,
    ) -> None:
        self._transactor = transactor
        self._pairings = pairings
        self._erasure_requests = erasure_requests
        self._programs = programs
        self._registrations = registrations
        self._people = people
        self._resources = resources
        self._invitations = invitations

    async def erase(self, employee_id: str) -> int:
        """Erase ``employee_id`` here and, through ParticipantErased, everywhere.

        Deletes the person's registrations, directory entry, SCIM user, invitations and every
        reference to them (programs they managed forget them: ProgramUpdated), closes their
        erasure request (keeping no trace of who asked), and returns how
        many registrations were erased. Idempotent: erasing
        an unknown or already erased person erases nothing.
        """

        async def work(tx: Transaction) -> int:
            deleted = await self._registrations.delete_person(employee_id, tx)
            await self._pairings.forget([r.participant_id for r in deleted], tx)
            entry = await self._people.forget(employee_id, tx)
            person_id = entry.person_id if entry else None
            await self._registrations.forget_manager(employee_id, person_id, tx)
            for resource in await self._resources.by_employee(employee_id, tx):
                await self._resources.delete(resource, tx)
            await self._invitations.delete_person(employee_id, tx)
            await self._erasure_requests.close_of(employee_id, tx.now, tx)
            for program in await self._programs.managed_by_employee(employee_id, tx):
                decision = program.without_manager(employee_id, tx.now)
                await self._programs.save(decision.program, tx)
                for event in decision.events:
                    tx.emit(event)
            for event in erase_person(deleted, tx.now):
                tx.emit(event)
            if entry is not None:
                tx.emit(entry.erased(tx.now))
            return len(deleted)

        return await self._transactor.run(work)

    async def participant(self, participant_id: str) -> Registration:
        """The registration behind a participant id (its name, e-mail and time zone).

        Raises:
            CodedNotFoundError: participant_not_found.
        """
        registration = await self._registrations.by_participant(participant_id)
        if registration is None:
            raise participant_not_found(participant_id)
        return registration

    async def participants(self, participant_ids: list[str]) -> list[Registration]:
        """The registrations behind these participant ids (unknown ones are left out)."""
        return await self._registrations.by_participants(participant_ids)

    async def invitee(self, employee_id: str) -> DirectoryEntry:
        """The directory entry of an invited person (how a notifier reaches them).

        Raises:
            CodedNotFoundError: person_not_found.
        """
        entry = await self._people.get(employee_id)
        if entry is None:
            raise CodedNotFoundError(
                "person_not_found", f"The directory does not know employee {employee_id}."
            )
        return entry

    async def person_contact(self, person_id: str) -> PersonContact:
        """How to reach ``person_id``.

        The directory's name and first address, else their latest registration's (someone
        the directory does not describe).

        Raises:
            CodedNotFoundError: person_not_found, when neither knows an address.
        """
        entry = (await self._people.by_person_ids([person_id])).get(person_id)
        registration = await self._registrations.latest_of_person(person_id)
        zone = registration.inputs.profile.time_zone if registration else None
        if entry is not None and entry.emails:
            name = entry.name or (registration.name if registration else "")
            return PersonContact(person_id, name, entry.emails[0], zone, entry.active)
        if registration is not None:
            active = entry.active if entry is not None else True
            return PersonContact(person_id, registration.name, registration.email, zone, active)
        raise CodedNotFoundError(
            "person_not_found", f"Neither the directory nor a registration knows {person_id}."
        )
