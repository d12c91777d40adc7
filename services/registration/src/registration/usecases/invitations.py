"""Inviting people to register, and reminding those who have not.

Invitations are sent in the transaction that creates them when the program takes
registrations, or later by the reminder worker once it does. The worker's rounds are
transactions too: replicas racing for one reminder conflict on the invitation's document, so
exactly one commits it; a retried round reuses the reminder's event id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.invitations import InvitationRepository
from registration.adapters.metrics import RegistrationMetrics
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.domain.access import eligible_people
from registration.domain.directory import managers_above
from registration.domain.invitations import (
    Invitation,
    InvitationOutcome,
    InvitationPlan,
    InvitationStatus,
)
from registration.domain.programs import LifecycleError
from registration.usecases.errors import CodedNotFoundError, program_not_found


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What one reminder round did."""

    sent: int
    reminded: int
    closed: int


class InvitationService:
    """Invites eligible people and reminds them until they register or registration closes."""

    def __init__(
        self,
        transactor: Transactor,
        invitations: InvitationRepository,
        programs: ProgramRepository,
        people: PeopleDirectory,
        registrations: RegistrationRepository,
        *,
        metrics: RegistrationMetrics,
        batch_size: int,
    ) -> None:
        self._metrics = metrics
        self._transactor = transactor
        self._invitations = invitations
        self._programs = programs
        self._people = people
        self._registrations = registrations
        self._batch_size = batch_size

    async def invite(self, program_id: str, plan: InvitationPlan) -> InvitationOutcome:
        """Invite the eligible people (or the chosen ones): each once, never the registered.

        Raises:
            CodedNotFoundError: program_not_found.
            LifecycleError: registration already closed.
        """
        entries = {entry.employee_id: entry for entry in await self._people.every_entry()}
        registered = await self._registrations.registered_employees(program_id)

        async def work(tx: Transaction) -> InvitationOutcome:
            self._metrics.count_committed(tx)
            program = await self._programs.get(program_id, tx)
            if program is None:
                raise program_not_found(program_id)
            status = program.registration_refusal(tx.now)
            if status is not None and status.code == "registration_closed":
                raise LifecycleError(
                    "registration_closed", f"Nobody can be invited: {status.message}"
                )
            if plan.employee_ids is None:
                eligible = eligible_people(program.access, entries.values())
                wanted = [entry.employee_id for entry in eligible]
            else:
                wanted = list(dict.fromkeys(plan.employee_ids))
            managers = {employee: entry.manager_employee_id for employee, entry in entries.items()}
            not_eligible: list[tuple[str, str]] = []
            candidates: list[str] = []
            for employee in wanted:
                refusal = program.access.refusal(
                    employee, entries.get(employee), managers_above(employee, managers)
                )
                entry = entries.get(employee)
                if refusal is None and (entry is None or not entry.described_by_directory):
                    refusal = (
                        "The organisation's directory does not list them: no way to reach them."
                    )
                if refusal is not None:
                    not_eligible.append((employee, refusal))
                else:
                    candidates.append(employee)
            existing = await self._invitations.of_employees(program_id, candidates, tx)
            already_registered = [e for e in candidates if e in registered]
            fresh = [e for e in candidates if e not in existing and e not in registered]
            open_now = status is None
            invited: list[Invitation] = []
            for employee in fresh:
                entry = entries.get(employee)
                invitation = Invitation(
                    invitation_id=uuid4().hex,
                    program_id=program_id,
                    employee_id=employee,
                    person_id=entry.person_id if entry else self._people.person_id(employee),
                    department=entry.department_key if entry else None,
                    status=InvitationStatus.PENDING,
                    created_at=tx.now,
                    remind_after=plan.remind_after,
                    max_reminders=plan.max_reminders,
                )
                if open_now:
                    invitation, event = invitation.send(tx.now)
                    tx.emit(event)
                invited.append(invitation)
            await self._invitations.save_all(invited, tx)
            return InvitationOutcome(
                invited=tuple(invited),
                already_invited=tuple(e for e in candidates if e in existing),
                already_registered=tuple(already_registered),
                not_eligible=tuple(not_eligible),
            )

        return await self._transactor.run(work)

    async def page(self, program_id: str, after: str | None, limit: int) -> list[Invitation]:
        """A program's invitations in employee-id order."""
        if await self._programs.get(program_id) is None:
            raise program_not_found(program_id)
        return await self._invitations.page(program_id, after, limit)

    async def get(self, invitation_id: str) -> Invitation:
        """One invitation.

        Raises:
            CodedNotFoundError: invitation_not_found.
        """
        invitation = await self._invitations.get(invitation_id)
        if invitation is None:
            raise CodedNotFoundError(
                "invitation_not_found", f"There is no invitation {invitation_id}."
            )
        return invitation

    async def run_round(self, now: datetime | None = None) -> RoundReport:
        """Send invitations whose program opened, remind those due, close the rest."""
        sent = await self._send_pending()
        reminded, closed = await self._remind(now)
        return RoundReport(sent=sent, reminded=reminded, closed=closed)

    async def _send_pending(self) -> int:
        sent = 0
        for program_id in await self._invitations.pending_programs():

            async def work(tx: Transaction, program_id: str = program_id) -> int:
                self._metrics.count_committed(tx)
                program = await self._programs.get(program_id, tx)
                if program is None:
                    return 0
                refusal = program.registration_refusal(tx.now)
                pending = await self._invitations.pending(program_id, self._batch_size, tx)
                if refusal is not None:
                    if refusal.code == "registration_closed":
                        await self._invitations.save_all([i.closed() for i in pending], tx)
                    return 0
                changed = []
                for invitation in pending:
                    sent_invitation, event = invitation.send(tx.now)
                    tx.emit(event)
                    changed.append(sent_invitation)
                await self._invitations.save_all(changed, tx)
                return len(changed)

            sent += await self._transactor.run(work)
        return sent

    async def _remind(self, now: datetime | None) -> tuple[int, int]:
        async def work(tx: Transaction) -> tuple[int, int]:
            self._metrics.count_committed(tx)
            moment = now or tx.now
            due = await self._invitations.due(moment, self._batch_size, tx)
            program_ids = sorted({invitation.program_id for invitation in due})
            taking = await self._programs.taking_registrations(program_ids, moment)
            changed: list[Invitation] = []
            reminded = closed = 0
            for invitation in due:
                if invitation.program_id not in taking:
                    changed.append(invitation.closed())
                    closed += 1
                    continue
                event_id = invitation.reminder_event_id()
                after, event = invitation.remind(moment)
                if event is not None:
                    tx.emit(event, event_id=event_id)
                    reminded += 1
                changed.append(after)
            await self._invitations.save_all(changed, tx)
            return reminded, closed

        return await self._transactor.run(work)
