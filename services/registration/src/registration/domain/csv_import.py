"""Reading an HRIS-style CSV export into registration submissions, row by row.

The first line names the columns. ``employee_id``, ``name`` and ``email`` are required;
``department``, ``manager_employee_id`` and ``preferred_mentors`` are optional; every other
column is a question key of the program's questionnaire. Header names are matched loosely
("Employee ID", "Manager ID", "Work Email" work). Several choices go in one cell separated
by ``;`` or ``|``. An empty cell is no answer. Lines may end in CRLF, LF or a lone CR.

A cell may hold at most ``max_cell_chars`` characters (the longest legitimate cell, a
multiple-choice answer naming 500 choices of 80 characters, holds about 40,500): a longer one
refuses the whole file, naming its line and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from registration.domain.identity import Identity
from registration.domain.questionnaire import Question, QuestionKind, Questionnaire
from registration.domain.registration import Submission, normalise_department

IDENTITY_COLUMNS = ("employee_id", "name", "email", "department", "manager_employee_id")
REQUIRED_COLUMNS = ("employee_id", "name", "email")
PICKS_COLUMN = "preferred_mentors"
ALIASES = {
    "employee": "employee_id",
    "employee_number": "employee_id",
    "id": "employee_id",
    "full_name": "name",
    "display_name": "name",
    "email_address": "email",
    "work_email": "email",
    "manager": "manager_employee_id",
    "manager_id": "manager_employee_id",
    "manager_employee_number": "manager_employee_id",
    "department_name": "department",
}
_SEPARATORS = re.compile(r"[;|]")
MAX_CELL_CHARS = 65_536
"""The default cap on one cell's length, in characters."""


class CsvFileError(ValueError):
    """The file as a whole cannot be read (no header, missing or unknown columns ...)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row was not registered; ``row`` is the line number in the file."""

    row: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row that reads as a submission (its answers are checked when registering)."""

    row: int
    submission: Submission


def _cell_value(question: Question, cell: str) -> Any:
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return [part.strip() for part in _SEPARATORS.split(cell) if part.strip()]
    if question.kind in {QuestionKind.NUMBER, QuestionKind.SCALE}:
        try:
            number = float(cell.replace(",", "."))
        except ValueError:
            return cell  # check_answers reports "expected a number"
        return int(number) if number.is_integer() else number
    return cell


class CsvTable:
    """Lines of a CSV file: the header, then every non-empty row with its line number.

    Shared by the registration import and the directory import: both cap rows and cells the
    same way and name lines the same way.
    """

    def __init__(self, *, max_rows: int, max_cell_chars: int = MAX_CELL_CHARS) -> None:
        self._max_rows = max_rows
        self._max_cell_chars = max_cell_chars

    def header_and_rows(self, text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
        """The header and the rows; raises `CsvFileError` for the file."""
        # The csv module's own cap (131,072 by default, process-wide) would stop a long cell
        # without saying where; lift it above anything this text holds so that our cap, which
        # names the line and column, decides.
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        records = self._records(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        try:
            _, header = next(records)
        except StopIteration:
            msg = "the file is empty; the first line must name the columns"
            raise CsvFileError(msg) from None
        self._check_cells(1, header, ())

        def rows() -> Iterator[tuple[int, list[str]]]:
            for count, (line, cells) in enumerate(self._rows(records, header), start=1):
                if count > self._max_rows:
                    msg = f"the file has more than {self._max_rows} rows; split it"
                    raise CsvFileError(msg)
                yield line, cells

        return header, rows()

    @staticmethod
    def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
        """Each record with its line number (a record's last line when a cell spans lines)."""
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:  # a guard: none is known to reach here
                line = reader.line_num  # type: ignore[attr-defined]
                msg = f"line {line}: {error}"
                raise CsvFileError(msg) from None
            yield reader.line_num, cells  # type: ignore[attr-defined]

    def _rows(
        self, records: Iterator[tuple[int, list[str]]], header: list[str]
    ) -> Iterator[tuple[int, list[str]]]:
        for line, cells in records:
            self._check_cells(line, cells, header)
            if any(cell.strip() for cell in cells):
                yield line, cells

    def _check_cells(self, line: int, cells: Sequence[str], header: Sequence[str]) -> None:
        for column, cell in enumerate(cells, start=1):
            if len(cell) > self._max_cell_chars:
                name = f" ({header[column - 1].strip()})" if column <= len(header) else ""
                msg = (
                    f"line {line}, column {column}{name} holds {len(cell)} characters; "
                    f"a cell holds at most {self._max_cell_chars} (IMPORT_MAX_CELL_CHARS)"
                )
                raise CsvFileError(msg)


def column_name(header: str, aliases: dict[str, str] | None = None) -> str:
    """A header cell as a column name ("Employee ID" -> "employee_id"), aliases applied."""
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return (ALIASES if aliases is None else aliases).get(name, name)


class CsvReader(CsvTable):
    """Reads rows of one file against one questionnaire."""

    def __init__(
        self, questionnaire: Questionnaire, *, max_rows: int, max_cell_chars: int = MAX_CELL_CHARS
    ) -> None:
        super().__init__(max_rows=max_rows, max_cell_chars=max_cell_chars)
        self._questions = {question.key: question for question in questionnaire.questions}

    def read(self, text: str) -> tuple[list[ParsedRow], list[RowProblem]]:
        """Every row as a submission or as problems; raises `CsvFileError` for the file."""
        header, rows = self.header_and_rows(text)
        columns = self._columns(header)
        parsed: list[ParsedRow] = []
        problems: list[RowProblem] = []
        first_row_of: dict[str, int] = {}
        for line, cells in rows:
            row, row_problems = self._row(line, columns, cells)
            if row is not None and (first := first_row_of.get(row.submission.employee_id)):
                row_problems.append(
                    RowProblem(line, "employee_id", f"the same employee as row {first}")
                )
            if row_problems:
                problems.extend(row_problems)
            elif row is not None:
                first_row_of[row.submission.employee_id] = line
                parsed.append(row)
        return parsed, problems

    def _columns(self, header: list[str]) -> list[str]:
        columns = [column_name(cell) for cell in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            msg = f"required columns are missing: {', '.join(missing)}"
            raise CsvFileError(msg)
        known = {*IDENTITY_COLUMNS, PICKS_COLUMN, *self._questions}
        unknown = [header[i] for i, name in enumerate(columns) if name and name not in known]
        if unknown:
            msg = f"columns {unknown} are neither identity fields nor question keys"
            raise CsvFileError(msg)
        repeated = sorted({name for name in columns if name and columns.count(name) > 1})
        if repeated:
            msg = f"columns {repeated} appear more than once"
            raise CsvFileError(msg)
        return columns

    def _row(
        self, line: int, columns: list[str], cells: list[str]
    ) -> tuple[ParsedRow | None, list[RowProblem]]:
        if len(cells) > len(columns):
            return None, [RowProblem(line, "", f"{len(cells)} cells for {len(columns)} columns")]
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name}
        try:
            identity = Identity.model_validate(
                {name: values.get(name) or None for name in IDENTITY_COLUMNS}
            )
        except ValidationError as error:
            return None, [
                RowProblem(line, ".".join(map(str, item["loc"])), item["msg"])
                for item in error.errors(include_url=False)
            ]
        answers = {
            key: _cell_value(question, values[key])
            for key, question in self._questions.items()
            if values.get(key)
        }
        picks = tuple(
            p.strip() for p in _SEPARATORS.split(values.get(PICKS_COLUMN, "")) if p.strip()
        )
        submission = Submission(
            employee_id=identity.employee_id,
            name=identity.name,
            email=identity.email,
            department=normalise_department(identity.department),
            manager_employee_id=identity.manager_employee_id,
            answers=answers,
            preferred_mentors=picks,
        )
        return ParsedRow(line, submission), []
