"""The directory: SCIM provisioning, the HRIS import, and people leaving the organisation.

Every write is one transaction: the stored resource (for SCIM), the directory entry, the
`DirectoryPersonChanged` the domain decided, and, when someone was deactivated, their
withdrawal from every open program (``left_organisation``) and the end of their invitations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from mentorship_contracts.types import DirectorySource
from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.invitations import InvitationRepository
from registration.adapters.metrics import RegistrationMetrics
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.csv_import import RowProblem
from registration.domain.directory import DirectoryEntry, EntryChange, PersonFields, new_entry
from registration.domain.directory_csv import DirectoryCsvReader, DirectoryRow
from registration.domain.provisioning import (
    USER,
    ProvisionedResource,
    ResourceNotFoundError,
    UniquenessError,
    check_version,
)
from registration.domain.registration import leave_programs


@dataclass(slots=True)
class DirectoryImportReport:
    """What a directory import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    failed: int = 0
    errors: list[RowProblem] = field(default_factory=list)


class DirectoryService:
    """Keeps the directory from SCIM and HRIS imports; people who leave leave their programs."""

    def __init__(  # noqa: PLR0917 - the repositories it coordinates
        self,
        transactor: Transactor,
        resources: ScimResourceRepository,
        people: PeopleDirectory,
        registrations: RegistrationRepository,
        programs: ProgramRepository,
        invitations: InvitationRepository,
        *,
        metrics: RegistrationMetrics,
        max_rows: int,
        max_cell_chars: int,
        chunk_rows: int,
    ) -> None:
        self._metrics = metrics
        self._transactor = transactor
        self._resources = resources
        self._people = people
        self._registrations = registrations
        self._programs = programs
        self._invitations = invitations
        self._max_rows = max_rows
        self._max_cell_chars = max_cell_chars
        self._chunk_rows = chunk_rows

    # ------------------------------------------------------------------ SCIM resources

    async def get(self, resource_type: str, resource_id: str) -> ProvisionedResource:
        """One resource.

        Raises:
            ResourceNotFoundError: there is none.
        """
        resource = await self._resources.get(resource_type, resource_id)
        if resource is None:
            raise ResourceNotFoundError(f"{resource_type} {resource_id!r} not found")
        return resource

    async def create(
        self, resource: ProvisionedResource, person: PersonFields | None
    ) -> ProvisionedResource:
        """Store a new resource; a user also provisions the person it describes.

        Raises:
            UniquenessError: another resource holds one of its unique values.
        """

        async def work(tx: Transaction) -> ProvisionedResource:
            return await self._write(resource, None, person, tx)

        return await self._transactor.run(work)

    async def replace(
        self,
        resource: ProvisionedResource,
        person: PersonFields | None,
        expected_version: int | None,
    ) -> ProvisionedResource:
        """Replace a stored resource (PUT, or PATCH once applied).

        Raises:
            ResourceNotFoundError: it does not exist.
            VersionMismatchError: it changed since ``expected_version``.
            UniquenessError: another resource holds one of its unique values.
        """

        async def work(tx: Transaction) -> ProvisionedResource:
            previous = await self._existing(resource.resource_type, resource.resource_id, tx)
            check_version(previous, expected_version)
            return await self._write(resource, previous, person, tx)

        return await self._transactor.run(work)

    async def delete(
        self, resource_type: str, resource_id: str, expected_version: int | None
    ) -> None:
        """Delete a resource; deleting a user deactivates the person (not an erasure).

        Raises:
            ResourceNotFoundError: it does not exist.
            VersionMismatchError: it changed since ``expected_version``.
        """

        async def work(tx: Transaction) -> None:
            previous = await self._existing(resource_type, resource_id, tx)
            check_version(previous, expected_version)
            await self._resources.delete(previous, tx)
            if previous.employee_id is not None:
                await self._deactivate(previous.employee_id, tx)

        await self._transactor.run(work)

    async def _existing(
        self, resource_type: str, resource_id: str, tx: Transaction
    ) -> ProvisionedResource:
        previous = await self._resources.get(resource_type, resource_id, tx)
        if previous is None:
            raise ResourceNotFoundError(f"{resource_type} {resource_id!r} not found")
        return previous

    async def _write(
        self,
        resource: ProvisionedResource,
        previous: ProvisionedResource | None,
        person: PersonFields | None,
        tx: Transaction,
    ) -> ProvisionedResource:
        if await self._resources.clashes(resource, tx):
            raise UniquenessError
        stored = resource.written(previous, tx.now)
        await self._resources.save(stored, tx)
        if resource.resource_type != USER or person is None:
            return stored
        moved_from = previous.employee_id if previous else None
        manager = await self._manager_of(person.manager_employee_id, tx)
        await self._provision([replace(person, manager_employee_id=manager)], tx)
        if moved_from is not None and moved_from != person.employee_id:
            await self._deactivate(moved_from, tx, reports_move_to=person.employee_id)
        return stored

    async def _manager_of(self, reference: str | None, tx: Transaction) -> str | None:
        """The manager's employee id: a SCIM user's id resolves to its employee id."""
        if reference is None:
            return None
        manager = await self._resources.get(USER, reference, tx)
        if manager is not None and manager.employee_id is not None:
            return manager.employee_id
        return reference

    # ------------------------------------------------------------------ HRIS import

    async def import_csv(self, text: str) -> DirectoryImportReport:
        """Import every valid row of an HRIS export; report the others.

        Raises:
            CsvFileError: the file itself cannot be read (then nothing is imported).
        """
        reader = DirectoryCsvReader(max_rows=self._max_rows, max_cell_chars=self._max_cell_chars)
        rows, problems = reader.read(text)
        report = DirectoryImportReport(rows=len(rows) + len({p.row for p in problems}))
        report.errors.extend(problems)
        for start in range(0, len(rows), self._chunk_rows):
            chunk = rows[start : start + self._chunk_rows]

            async def work(
                tx: Transaction, chunk: Sequence[DirectoryRow] = chunk
            ) -> tuple[set[str], list[EntryChange]]:
                known = await self._people.load([row.fields.employee_id for row in chunk], tx)
                changes = await self._provision(
                    [row.fields for row in chunk], tx, source=DirectorySource.HRIS_IMPORT
                )
                return set(known), changes

            known, changes = await self._transactor.run(work)
            for change in changes:
                if change.entry.employee_id not in known:
                    report.created += 1
                elif change.left:
                    report.deactivated += 1
                elif change.event is not None:
                    report.updated += 1
                else:
                    report.unchanged += 1
        report.failed = len({problem.row for problem in report.errors})
        report.errors.sort(key=lambda problem: problem.row)
        return report

    # ------------------------------------------------------------------ people

    async def _provision(
        self,
        people: Sequence[PersonFields],
        tx: Transaction,
        *,
        source: DirectorySource = DirectorySource.SCIM,
    ) -> list[EntryChange]:
        known = await self._people.load([person.employee_id for person in people], tx)
        changes = []
        for person in people:
            entry = known.get(person.employee_id) or new_entry(
                person.employee_id, self._people.person_id
            )
            changes.append(entry.provisioned(person, source, tx.now, self._people.person_id))
        await self._apply(changes, tx)
        return changes

    async def _deactivate(
        self, employee_id: str, tx: Transaction, *, reports_move_to: str | None = None
    ) -> None:
        """The person left (their SCIM user was deleted, or now names someone else)."""
        entry = await self._people.get(employee_id, tx)
        changes: list[EntryChange] = []
        if entry is not None:
            changes.append(entry.deactivated(tx.now, self._people.person_id))
        if reports_move_to is not None:
            changes += [
                report.reassigned(reports_move_to, tx.now, self._people.person_id)
                for report in await self._people.reports_of([employee_id], tx)
            ]
        await self._apply(changes, tx)

    async def _apply(self, changes: Sequence[EntryChange], tx: Transaction) -> None:
        """Store the entries, announce them, and take people who left out of their programs."""
        self._metrics.count_committed(tx)
        await self._people.save_all([change.entry for change in changes], tx)
        for change in changes:
            if change.event is not None:
                tx.emit(change.event)
        leaving = [change.entry for change in changes if change.left]
        if leaving:
            open_programs = await self._programs.not_closed(tx)
            for entry in leaving:
                await self._leave(entry, open_programs, tx)

    async def _leave(self, entry: DirectoryEntry, open_programs: set[str], tx: Transaction) -> None:
        registrations = await self._registrations.active_of_employee(
            entry.employee_id, open_programs, tx
        )
        withdrawals = leave_programs(registrations, tx.now)
        await self._registrations.save_all([registration for registration, _ in withdrawals], tx)
        for _, event in withdrawals:
            tx.emit(event)
        invitations = await self._invitations.open_of_employee(entry.employee_id, tx)
        await self._invitations.save_all([invitation.closed() for invitation in invitations], tx)

    async def entry(self, employee_id: str) -> DirectoryEntry | None:
        """One person of the directory."""
        return await self._people.get(employee_id)

    async def page(
        self, *, after: str | None, limit: int, active: bool | None
    ) -> list[DirectoryEntry]:
        """People in employee-id order."""
        return await self._people.page(after=after, limit=limit, active=active)
