"""The pair's relationship: "is this a good fit?", the mentoring agreement, the next agenda."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.adapters.records import Records
from feedback.domain.agendas import AgendaTemplate, next_agenda
from feedback.domain.records import Agreement, FitReport, Goal
from feedback.domain.relationship import (
    AgreementTerms,
    FitAnswer,
    acknowledge_agreement,
    acknowledged_by_all,
    report_fit,
    write_agreement,
)
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.events import PairCreated
from mentorship_contracts.types import utc_now
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """A pair's agreement and whether both members acknowledged its current version."""

    agreement: Agreement
    acknowledged_by_both: bool

    @classmethod
    def of(cls, agreement: Agreement, pair: PairCreated) -> PairAgreement:
        """``agreement`` as it stands between the members of ``pair``."""
        members = (pair.mentor_participant_id, pair.mentee_participant_id)
        return cls(agreement, acknowledged_by_all(agreement, members))


class RelationshipService:
    """Fit reports, agreements and agendas of a pair."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        *,
        fits: Records[FitReport],
        agreements: Records[Agreement],
        goals: Records[Goal],
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._fits = fits
        self._agreements = agreements
        self._goals = goals

    async def report_fit(
        self, pair_id: str, answer: FitAnswer, caller: Principal, mentee: str | None = None
    ) -> FitReport:
        """A member's fit answer, once the pair has held its first session."""
        member = await self._access.pair_member(pair_id, caller, mentee)
        held_sessions = await self._access.held_count(member.pair)

        async def store(tx: Transaction) -> FitReport:
            decision = report_fit(
                member=member, held_sessions=held_sessions, answer=answer, now=tx.now
            )
            await self._fits.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def fits(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> tuple[list[FitReport], str | None]:
        """The pair's fit answers and the reader's participant id (None for an admin)."""
        pair, reader = await self._access.pair_reader(pair_id, caller, mentee)
        reports = await self._fits.find({"pair_id": pair.pair_id})
        return reports, reader

    async def agreement(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> PairAgreement | None:
        """The pair's agreement, if drafted."""
        pair, _ = await self._access.pair_reader(pair_id, caller, mentee)
        agreement = await self._agreements.get(pair.pair_id)
        return PairAgreement.of(agreement, pair) if agreement else None

    async def write_agreement(
        self, pair_id: str, terms: AgreementTerms, caller: Principal, mentee: str | None = None
    ) -> PairAgreement:
        """Draft or change the agreement; a change needs both acknowledgements again."""
        member = await self._access.pair_member(pair_id, caller, mentee)

        async def store(tx: Transaction) -> Agreement:
            previous = await self._agreements.get(member.pair.pair_id, tx)
            decision = write_agreement(member=member, terms=terms, previous=previous, now=tx.now)
            await self._agreements.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return PairAgreement.of(await self._transactor.run(store), member.pair)

    async def acknowledge(
        self, pair_id: str, version: int, caller: Principal, mentee: str | None = None
    ) -> PairAgreement:
        """A member agrees to this version of the agreement."""
        member = await self._access.pair_member(pair_id, caller, mentee)

        async def store(tx: Transaction) -> Agreement:
            agreement = await self._agreements.get(member.pair.pair_id, tx)
            decision = acknowledge_agreement(member=member, agreement=agreement, version=version)
            if decision.state != agreement:
                await self._agreements.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return PairAgreement.of(await self._transactor.run(store), member.pair)

    async def next_agenda(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> AgendaTemplate:
        """The suggested agenda of the pair's next session."""
        pair, _ = await self._access.pair_reader(pair_id, caller, mentee)
        program = await self._access.program(pair.program_id)
        goals = await self._goals.count({"pair_id": pair.pair_id})
        held = await self._access.held_count(pair)
        return next_agenda(held, goals, utc_now().date(), program.ends_on)
