"""Reading an HRIS export of the organisation's people into directory fields, row by row.

Columns: ``employee_id`` (required), ``name``, ``email`` (several separated by ``;`` or ``|``),
``department``, ``location``, ``title``, ``seniority`` (co_op ... executive, loosely: "VP",
"Director"), ``manager_employee_id`` and ``active`` (true/false, yes/no, 1/0; active when
empty). Header names are matched loosely as in the registration import ("Employee Number",
"Manager ID", "Work Email", "City", "Job Title" work). Each bad row is reported with its line
and field (``body.<column>``), the others are imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from registration.domain.csv_import import (
    MAX_CELL_CHARS,
    CsvFileError,
    CsvTable,
    RowProblem,
    column_name,
)
from registration.domain.directory import PersonFields, seniority_of
from registration.domain.identity import Email
from registration.domain.questionnaire import AnswerProblem

COLUMNS = (
    "employee_id",
    "name",
    "email",
    "department",
    "location",
    "title",
    "seniority",
    "manager_employee_id",
    "active",
)
DIRECTORY_ALIASES = {
    "employee": "employee_id",
    "employee_number": "employee_id",
    "id": "employee_id",
    "full_name": "name",
    "display_name": "name",
    "emails": "email",
    "email_address": "email",
    "work_email": "email",
    "manager": "manager_employee_id",
    "manager_id": "manager_employee_id",
    "manager_employee_number": "manager_employee_id",
    "department_name": "department",
    "city": "location",
    "office": "location",
    "job_title": "title",
    "level": "seniority",
    "status": "active",
}
_TRUE = {"true", "yes", "y", "1", "active"}
_FALSE = {"false", "no", "n", "0", "inactive", "terminated"}
_SEPARATORS = re.compile(r"[;|]")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    """A row that reads as a person."""

    row: int
    fields: PersonFields


class DirectoryCsvReader(CsvTable):
    """Reads an HRIS export into directory fields."""

    def __init__(self, *, max_rows: int, max_cell_chars: int = MAX_CELL_CHARS) -> None:
        super().__init__(max_rows=max_rows, max_cell_chars=max_cell_chars)

    def read(self, text: str) -> tuple[list[DirectoryRow], list[RowProblem]]:
        """Every row as a person or as problems; raises `CsvFileError` for the file."""
        header, rows = self.header_and_rows(text)
        columns = [column_name(cell, DIRECTORY_ALIASES) for cell in header]
        if "employee_id" not in columns:
            msg = "the employee_id column is missing"
            raise CsvFileError(msg)
        unknown = [header[i] for i, name in enumerate(columns) if name and name not in COLUMNS]
        if unknown:
            msg = f"columns {unknown} are not directory fields (known: {', '.join(COLUMNS)})"
            raise CsvFileError(msg)
        repeated = sorted({name for name in columns if name and columns.count(name) > 1})
        if repeated:
            msg = f"columns {repeated} appear more than once"
            raise CsvFileError(msg)
        people: list[DirectoryRow] = []
        problems: list[RowProblem] = []
        first_row_of: dict[str, int] = {}
        for line, cells in rows:
            if len(cells) > len(columns):
                problems.append(RowProblem(line, "", f"{len(cells)} cells for {len(columns)}"))
                continue
            values = {
                name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name
            }
            fields, row_problems = _fields(values)
            if fields is not None and (first := first_row_of.get(fields.employee_id)):
                row_problems.append(
                    AnswerProblem("employee_id", f"the same employee as row {first}")
                )
            if row_problems or fields is None:
                problems.extend(RowProblem(line, p.field, p.message) for p in row_problems)
                continue
            first_row_of[fields.employee_id] = line
            people.append(DirectoryRow(line, fields))
        return people, problems


def _fields(values: dict[str, str]) -> tuple[PersonFields | None, list[AnswerProblem]]:
    problems: list[AnswerProblem] = []
    employee_id = values.get("employee_id", "")
    if not _IDENTIFIER.match(employee_id):
        problems.append(
            AnswerProblem("employee_id", "an id of letters, digits and . _ : - (at most 64)")
        )
    manager = values.get("manager_employee_id") or None
    if manager is not None and not _IDENTIFIER.match(manager):
        problems.append(
            AnswerProblem(
                "manager_employee_id", "an id of letters, digits and . _ : - (at most 64)"
            )
        )
    emails = tuple(part.strip() for part in _SEPARATORS.split(values.get("email", "")) if part)
    for email in emails:
        try:
            _EMAIL.validate_python(email)
        except ValidationError:
            problems.append(AnswerProblem("email", f"{email!r} is not a valid e-mail address"))
    name = values.get("name") or None
    if name is not None and len(name) > 200:
        problems.append(AnswerProblem("name", "at most 200 characters"))
    seniority_text = values.get("seniority") or None
    seniority = seniority_of(seniority_text)
    if seniority_text and seniority is None:
        problems.append(
            AnswerProblem(
                "seniority",
                f"{seniority_text!r} is not a level (co_op, associate, intermediate, senior, "
                "director, executive)",
            )
        )
    active_text = (values.get("active") or "").lower()
    if active_text and active_text not in _TRUE | _FALSE:
        problems.append(AnswerProblem("active", f"{active_text!r} is not true or false"))
    problems.extend(
        AnswerProblem(column, "at most 200 characters")
        for column in ("department", "location", "title")
        if len(values.get(column) or "") > 200
    )
    if problems:
        return None, problems
    return (
        PersonFields(
            employee_id=employee_id,
            name=name,
            emails=emails,
            department=values.get("department") or None,
            location=values.get("location") or None,
            title=values.get("title") or None,
            seniority=seniority,
            manager_employee_id=manager,
            active=active_text not in _FALSE,
        ),
        [],
    )
