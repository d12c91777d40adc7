"""People across programs: erasure (GDPR) and how to reach a participant."""

from __future__ import annotations

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.invitations import InvitationRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.directory import DirectoryEntry
from registration.domain.registration import Registration, erase_person
from registration.usecases.errors import CodedNotFoundError, participant_not_found


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
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._registrations = registrations
        self._people = people
        self._resources = resources
        self._invitations = invitations

    async def erase(self, employee_id: str) -> int:
        """Erase ``employee_id`` here and, through ParticipantErased, everywhere.

        Deletes the person's registrations, directory entry, SCIM user, invitations and every
        reference to them (programs they managed forget them: ProgramUpdated), and returns how
        many registrations were erased. Idempotent: erasing
        an unknown or already erased person erases nothing.
        """

        async def work(tx: Transaction) -> int:
            deleted = await self._registrations.delete_person(employee_id, tx)
            entry = await self._people.forget(employee_id, tx)
            person_id = entry.person_id if entry else None
            await self._registrations.forget_manager(employee_id, person_id, tx)
            for resource in await self._resources.by_employee(employee_id, tx):
                await self._resources.delete(resource, tx)
            await self._invitations.delete_person(employee_id, tx)
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
