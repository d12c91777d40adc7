"""Bulk registration from an HRIS CSV export: every valid row registered, every bad row reported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mentorship_kit.outbox import Transaction, Transactor
from registration.domain.csv_import import CsvReader, ParsedRow, RowProblem
from registration.domain.registration import Change
from registration.usecases.programs import ProgramService
from registration.usecases.registering import Outcome, RegistrationService


@dataclass(slots=True)
class ImportReport:
    """What an import did, row by row for the rows it could not register."""

    rows: int = 0
    registered: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowProblem] = field(default_factory=list)


class ImportService:
    """Registers the rows of a CSV in chunks, one transaction per chunk."""

    def __init__(
        self,
        transactor: Transactor,
        programs: ProgramService,
        registering: RegistrationService,
        *,
        max_rows: int,
        max_cell_chars: int,
        chunk_rows: int,
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._registering = registering
        self._max_rows = max_rows
        self._max_cell_chars = max_cell_chars
        self._chunk_rows = chunk_rows

    async def import_csv(self, program_id: str, text: str) -> ImportReport:
        """Register every valid row of ``text``; report the others.

        Raises:
            CsvFileError: the file itself is unreadable (then nothing is registered).
            RegistrationRefusedError: the program does not take registrations now.
        """
        questionnaire = await self._programs.questionnaire(program_id, None)
        reader = CsvReader(
            questionnaire.questionnaire,
            max_rows=self._max_rows,
            max_cell_chars=self._max_cell_chars,
        )
        parsed, problems = reader.read(text)
        report = ImportReport(rows=len(parsed) + len({problem.row for problem in problems}))
        report.errors.extend(problems)
        for start in range(0, len(parsed), self._chunk_rows):
            chunk = parsed[start : start + self._chunk_rows]

            async def work(tx: Transaction, rows: Sequence[ParsedRow] = chunk) -> list[Outcome]:
                return await self._registering.register_batch(
                    program_id, [row.submission for row in rows], tx
                )

            outcomes = await self._transactor.run(work, retry_on_duplicate_key=True)
            for row, outcome in zip(chunk, outcomes, strict=True):
                _count(report, row, outcome)
        report.failed = len({problem.row for problem in report.errors})
        report.errors.sort(key=lambda problem: problem.row)
        return report


def _count(report: ImportReport, row: ParsedRow, outcome: Outcome) -> None:
    if outcome.problems is not None:
        report.errors.extend(
            RowProblem(row.row, problem.field, problem.message)
            for problem in outcome.problems.problems
        )
        return
    assert outcome.decision is not None
    match outcome.decision.change:
        case Change.REGISTERED:
            report.registered += 1
        case Change.UPDATED:
            report.updated += 1
        case Change.UNCHANGED:
            report.unchanged += 1
