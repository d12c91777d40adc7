"""Bulk registration from an HRIS CSV export: every valid row registered, every bad row reported."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from mentorship_kit.allocation import bulk_allocation, long_lived_objects
from mentorship_kit.outbox import Transaction, Transactor
from registration.domain.csv_import import CsvReader, ParsedRow, RowProblem
from registration.domain.programs import QuestionnaireVersion
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import (
    Change,
    CheckedAnswers,
    PrecheckedAnswers,
    check_submission_answers,
)
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


PRECHECK_SLICE = 25
"""Rows whose answers are checked between two yields to the event loop (about 3 ms of work)."""


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
        chunks = [
            parsed[start : start + self._chunk_rows]
            for start in range(0, len(parsed), self._chunk_rows)
        ]
        # A pipeline of two stages: while one chunk's transaction runs (the database's work),
        # the next chunk's answers are checked (the service's work) in slices that let the
        # transaction's round trips through. The answers depend only on the questionnaire
        # version, which is immutable; the transaction checks them again if the program's
        # questionnaire changed meanwhile.
        running: asyncio.Task[list[Outcome]] | None = None
        # A 10,000-row import allocates enough to trigger about a dozen full collections,
        # each scanning every object of the process (0.1 s each: 1.3 s of a 5 s import's
        # CPU): what each chunk's check built is frozen out of the collector's scans until
        # the import ends.
        with long_lived_objects():
            try:
                for number, chunk in enumerate(chunks):
                    with bulk_allocation():
                        prechecked = await _precheck(questionnaire, chunk)
                    if running is not None:
                        _count_all(report, chunks[number - 1], await running)
                    running = asyncio.create_task(self._register(program_id, chunk, prechecked))
                if running is not None:
                    _count_all(report, chunks[-1], await running)
            finally:
                if running is not None and not running.done():
                    running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await running
        report.failed = len({problem.row for problem in report.errors})
        report.errors.sort(key=lambda problem: problem.row)
        return report

    async def _register(
        self, program_id: str, chunk: Sequence[ParsedRow], prechecked: PrecheckedAnswers
    ) -> list[Outcome]:
        """One chunk in one transaction."""

        async def work(tx: Transaction) -> list[Outcome]:
            return await self._registering.register_batch(
                program_id, [row.submission for row in chunk], tx, prechecked
            )

        return await self._transactor.run(work, retry_on_duplicate_key=True)


async def _precheck(
    questionnaire: QuestionnaireVersion, chunk: Sequence[ParsedRow]
) -> PrecheckedAnswers:
    """Check the answers of ``chunk``, yielding to the event loop every `PRECHECK_SLICE` rows."""
    results: list[CheckedAnswers | AnswersInvalidError] = []
    for start in range(0, len(chunk), PRECHECK_SLICE):
        for row in chunk[start : start + PRECHECK_SLICE]:
            try:
                results.append(check_submission_answers(questionnaire, row.submission))
            except AnswersInvalidError as problems:
                results.append(problems)
        await asyncio.sleep(0)
    return PrecheckedAnswers(questionnaire.version, tuple(results))


def _count_all(report: ImportReport, chunk: Sequence[ParsedRow], outcomes: list[Outcome]) -> None:
    for row, outcome in zip(chunk, outcomes, strict=True):
        _count(report, row, outcome)


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
