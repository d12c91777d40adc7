"""The pair's relationship: "is this a good fit?", the mentoring agreement, the next agenda."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.agendas import AgendaTemplate, next_agenda
from feedback.domain.records import Agreement, FitReport, Goal, stable_id
from feedback.handlers.access import Access
from feedback.handlers.inputs import AgreementInput, FitInput
from feedback.handlers.topics import program_of
from mentorship_contracts.events import PairingFitReported
from mentorship_contracts.types import FitConcern, utc_now
from mentorship_kit.auth import Principal
from mentorship_kit.errors import RuleError
from mentorship_kit.outbox import Transaction, Transactor


class RelationshipService:
    """Fit reports, agreements and agendas of a pair."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        *,
        fits: Records[FitReport],
        agreements: Records[Agreement],
        goals: Records[Goal],
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._fits = fits
        self._agreements = agreements
        self._goals = goals

    async def report_fit(self, pair_id: str, given: FitInput, caller: Principal) -> FitReport:
        """A member's fit answer, once the pair has held its first session."""
        member = await self._access.pair_member(pair_id, caller)
        if await self._access.held_count(member.pair) == 0:
            msg = "the fit question opens after the pair's first held session"
            raise RuleError("no_session_held", msg)
        concern = None if given.good_fit else (given.concern or FitConcern.OTHER)

        async def store(tx: Transaction) -> FitReport:
            report = FitReport(
                report_id=stable_id("fit", pair_id, member.participant_id),
                pair_id=pair_id,
                program_id=member.pair.program_id,
                participant_id=member.participant_id,
                author_role=member.role,
                good_fit=given.good_fit,
                concern=concern,
                reason=given.reason,
                reported_at=tx.now,
            )
            await self._fits.put(report, tx)
            tx.emit(
                PairingFitReported(
                    pair_id=pair_id,
                    program_id=report.program_id,
                    participant_id=report.participant_id,
                    author_role=report.author_role,
                    good_fit=report.good_fit,
                    concern=report.concern,
                    reported_at=report.reported_at,
                )
            )
            return report

        return await self._transactor.run(store)

    async def fits(self, pair_id: str, caller: Principal) -> tuple[list[FitReport], str | None]:
        """The pair's fit answers and the reader's participant id (None for an admin)."""
        member = await self._access.pair_reader(pair_id, caller)
        reports = await self._fits.find({"pair_id": pair_id})
        return reports, member.participant_id if member else None

    async def agreement(self, pair_id: str, caller: Principal) -> Agreement | None:
        """The pair's agreement, if drafted."""
        await self._access.pair_reader(pair_id, caller)
        return await self._agreements.get(pair_id)

    async def write_agreement(
        self, pair_id: str, given: AgreementInput, caller: Principal
    ) -> Agreement:
        """Draft or change the agreement; a change needs both acknowledgements again."""
        member = await self._access.pair_member(pair_id, caller)

        async def store(tx: Transaction) -> Agreement:
            previous = await self._agreements.get(pair_id, tx)
            agreement = Agreement(
                pair_id=pair_id,
                program_id=member.pair.program_id,
                expectations=given.expectations,
                meeting_frequency=given.meeting_frequency,
                confidentiality=given.confidentiality,
                boundaries=given.boundaries,
                version=previous.version + 1 if previous else 1,
                updated_at=tx.now,
                acknowledged_by=(member.participant_id,),
            )
            await self._agreements.put(agreement, tx)
            return agreement

        return await self._transactor.run(store)

    async def acknowledge(self, pair_id: str, version: int, caller: Principal) -> Agreement:
        """A member agrees to this version of the agreement."""
        member = await self._access.pair_member(pair_id, caller)

        async def store(tx: Transaction) -> Agreement:
            agreement = await self._agreements.get(pair_id, tx)
            if agreement is None:
                raise RuleError("no_agreement", "the pair has no agreement to acknowledge yet")
            if agreement.version != version:
                msg = f"the agreement is at version {agreement.version}; read it again"
                raise RuleError("agreement_changed", msg)
            if member.participant_id in agreement.acknowledged_by:
                return agreement
            acknowledged = agreement.model_copy(
                update={"acknowledged_by": (*agreement.acknowledged_by, member.participant_id)}
            )
            await self._agreements.put(acknowledged, tx)
            return acknowledged

        return await self._transactor.run(store)

    async def next_agenda(self, pair_id: str, caller: Principal) -> AgendaTemplate:
        """The suggested agenda of the pair's next session."""
        member = await self._access.pair_reader(pair_id, caller)
        pair = member.pair if member else await self._access.pair(pair_id)
        program = await program_of(self._directory, pair.program_id)
        goals = await self._goals.count({"pair_id": pair_id})
        held = await self._access.held_count(pair)
        return next_agenda(held, goals, utc_now().date(), program.ends_on)
