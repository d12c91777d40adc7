"""Importing HRIS business outcomes (CSV or API rows), pseudonymised before they are stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feedback.adapters.records import Records
from feedback.domain.decisions import Decision
from feedback.domain.outcomes import (
    Outcome,
    OutcomeFileError,
    OutcomeRow,
    RowProblem,
    outcome_id,
    parse_csv,
    parse_rows,
    record_outcomes,
)
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import utc_now
from mentorship_kit.errors import InvalidInputError, RuleError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.pseudonyms import Pseudonyms


def require_pseudonyms(pseudonyms: Pseudonyms) -> None:
    """Raise RuleError ``pseudonym_key_missing`` without the key.

    Outcomes are kept under pseudonyms only, never under an employee id.
    """
    if not pseudonyms.available:
        raise RuleError(
            "pseudonym_key_missing",
            "Outcomes are kept under pseudonyms only: set AUTH_PSEUDONYM_KEY.",
        )


def outcome_person_id(pseudonyms: Pseudonyms, employee_id: str) -> str:
    """The person id the outcomes of ``employee_id`` are kept under (see `require_pseudonyms`)."""
    require_pseudonyms(pseudonyms)
    person_id = pseudonyms.person_id(employee_id)
    assert person_id is not None  # the key is there
    return person_id


@dataclass(frozen=True, slots=True)
class OutcomeImportReport:
    """What an import did: rows read, outcomes recorded, rows that changed nothing, problems."""

    rows: int
    recorded: int
    unchanged: int
    errors: tuple[RowProblem, ...]


class OutcomeImport:
    """Records the outcomes of valid rows, one transaction per import."""

    def __init__(
        self, transactor: Transactor, outcomes: Records[Outcome], pseudonyms: Pseudonyms
    ) -> None:
        self._transactor = transactor
        self._outcomes = outcomes
        self._pseudonyms = pseudonyms

    async def import_csv(self, text: str) -> OutcomeImportReport:
        """Import an HRIS CSV export."""
        self._check_key()
        today = utc_now().date()
        try:
            rows, problems = parse_csv(text, today=today)
        except OutcomeFileError as error:
            raise InvalidInputError([("body", str(error))]) from None
        return await self._record(rows, problems)

    async def import_rows(self, rows: Iterable[Mapping[str, object]]) -> OutcomeImportReport:
        """Import rows sent as JSON (numbered from 1 in the report)."""
        self._check_key()
        today = utc_now().date()
        valid, problems = parse_rows(enumerate(rows, start=1), today=today)
        return await self._record(valid, problems)

    def _check_key(self) -> None:
        require_pseudonyms(self._pseudonyms)

    def _person_id(self, employee_id: str) -> str:
        return outcome_person_id(self._pseudonyms, employee_id)

    async def _record(
        self, rows: list[OutcomeRow], problems: list[RowProblem]
    ) -> OutcomeImportReport:
        async def store(tx: Transaction) -> OutcomeImportReport:
            ids = [outcome_id(self._person_id(r.employee_id), r.kind, r.occurred_on) for r in rows]
            stored = {o.outcome_id: o for o in await self._outcomes.find({"_id": {"$in": ids}}, tx)}
            decision = record_outcomes(rows, person_ids=self._person_id, stored=stored, now=tx.now)
            for outcome in decision.recorded:
                await self._outcomes.put(outcome, tx)
            stage_events(Decision(decision.recorded, decision.events), tx)
            return OutcomeImportReport(
                rows=len(rows) + len({p.line for p in problems}),
                recorded=len(decision.recorded),
                unchanged=decision.unchanged,
                errors=tuple(problems),
            )

        return await self._transactor.run(store)
