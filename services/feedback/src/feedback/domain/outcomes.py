"""HRIS business outcomes: dated facts per employee, kept and announced under a pseudonym.

An HRIS export (CSV) or an API call lists rows of ``employee_id``, ``kind`` (hired,
promotion, role_change, department_change, exit, performance_band), ``date`` (ISO day),
``voluntary`` (exits: true/false) and ``band`` (performance bands: 1-5). Every valid row is
recorded; every other one is reported with its line and field, and nothing is guessed.

Employee ids never leave this module's caller: each row is stored and announced with the
person's pseudonymous ``person_id`` only (`OutcomeRecorded`). The same outcome (person, kind,
day) imported twice is one record: importing it again changes nothing, unless its details
(voluntary, band) changed, which replaces them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from feedback.domain.records import IsoDate, Record, stable_id
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import OutcomeRecorded
from mentorship_contracts.types import OutcomeKind

COLUMNS = ("employee_id", "kind", "date", "voluntary", "band")
"""The columns of an outcome import (``employee_id``, ``kind`` and ``date`` are required)."""
MAX_CELL_CHARS = 200
EMPLOYEE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
"""An employee id as the HRIS gives it: letters, digits and ``._:-``, at most 64."""
_IDENTIFIER = re.compile(EMPLOYEE_ID_PATTERN)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_EARLIEST = date(1950, 1, 1)


class Outcome(Record):
    """A business outcome of one person, as stored (pseudonymous)."""

    outcome_id: str
    person_id: str
    kind: OutcomeKind
    occurred_on: IsoDate
    voluntary: bool | None = None
    performance_band: int | None = None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One valid row: what the HRIS says happened to an employee on a day."""

    line: int
    employee_id: str
    kind: OutcomeKind
    occurred_on: date
    voluntary: bool | None = None
    performance_band: int | None = None


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row was not recorded: its line (1 is the header) and the field at fault."""

    line: int
    field: str
    message: str


class OutcomeFileError(Exception):
    """The file as a whole cannot be read (no header, a missing required column)."""


def parse_csv(text: str, *, today: date) -> tuple[list[OutcomeRow], list[RowProblem]]:
    """The valid rows of an outcome CSV and the problems of the others."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise OutcomeFileError("the file is empty: a header line is needed") from None
    except csv.Error as error:
        raise OutcomeFileError(f"line 1: {error}") from None
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    missing = [name for name in COLUMNS[:3] if name not in columns]
    if missing:
        raise OutcomeFileError(f"missing column(s): {', '.join(missing)}")
    rows: list[tuple[int, Mapping[str, object]]] = []
    problems: list[RowProblem] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                problems.append(RowProblem(line, "", f"{len(cells)} cells for {len(columns)}"))
                continue
            rows.append(
                (line, {name: cell for name, cell in zip(columns, cells, strict=False) if name})
            )
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, "", f"unreadable CSV: {error}"))
    valid, row_problems = parse_rows(rows, today=today)
    return valid, problems + row_problems


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]], *, today: date
) -> tuple[list[OutcomeRow], list[RowProblem]]:
    """Validate rows given as (line, values by column); the API's rows are numbered from 1."""
    valid: list[OutcomeRow] = []
    problems: list[RowProblem] = []
    first_line: dict[tuple[str, OutcomeKind, date], int] = {}
    for line, values in rows:
        row, row_problems = _row(line, values, today)
        if row is not None:
            same = (row.employee_id, row.kind, row.occurred_on)
            if same in first_line:
                row_problems.append(
                    RowProblem(line, "date", f"the same outcome as line {first_line[same]}")
                )
            else:
                first_line[same] = line
        if row_problems or row is None:
            problems.extend(row_problems)
            continue
        valid.append(row)
    return valid, problems


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _row(  # noqa: PLR0912 - one check per column, each reported on its own
    line: int, values: Mapping[str, object], today: date
) -> tuple[OutcomeRow | None, list[RowProblem]]:
    problems = [
        RowProblem(line, name, f"at most {MAX_CELL_CHARS} characters")
        for name in COLUMNS
        if len(_text(values, name)) > MAX_CELL_CHARS
    ]
    if problems:
        return None, problems
    employee_id = _text(values, "employee_id")
    if not _IDENTIFIER.match(employee_id):
        problems.append(
            RowProblem(line, "employee_id", "an id of letters, digits and . _ : - (at most 64)")
        )
    kind_text = _text(values, "kind").lower()
    kind: OutcomeKind | None = None
    try:
        kind = OutcomeKind(kind_text)
    except ValueError:
        kinds = ", ".join(k.value for k in OutcomeKind)
        problems.append(RowProblem(line, "kind", f"{kind_text!r} is not one of {kinds}"))
    day: date | None = None
    day_text = _text(values, "date")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        problems.append(RowProblem(line, "date", f"{day_text!r} is not a day (YYYY-MM-DD)"))
    if day is not None and not _EARLIEST <= day <= today:
        problems.append(RowProblem(line, "date", f"{day} is not between 1950 and today"))
    voluntary_text = _text(values, "voluntary").lower()
    voluntary: bool | None = None
    if voluntary_text:
        if voluntary_text not in _TRUE | _FALSE:
            problems.append(RowProblem(line, "voluntary", f"{voluntary_text!r} is not true/false"))
        elif kind is not OutcomeKind.EXIT:
            problems.append(RowProblem(line, "voluntary", "only an exit is voluntary or not"))
        else:
            voluntary = voluntary_text in _TRUE
    elif kind is OutcomeKind.EXIT:
        problems.append(RowProblem(line, "voluntary", "an exit says whether it was voluntary"))
    band_text = _text(values, "band")
    band: int | None = None
    if band_text:
        if kind is not OutcomeKind.PERFORMANCE_BAND:
            problems.append(RowProblem(line, "band", "only a performance_band row has a band"))
        elif not band_text.isdigit() or not 1 <= int(band_text) <= 5:
            problems.append(RowProblem(line, "band", f"{band_text!r} is not a band from 1 to 5"))
        else:
            band = int(band_text)
    elif kind is OutcomeKind.PERFORMANCE_BAND:
        problems.append(RowProblem(line, "band", "a performance_band row needs a band (1-5)"))
    if problems or kind is None or day is None:
        return None, problems
    return OutcomeRow(line, employee_id, kind, day, voluntary, band), []


def outcome_id(person_id: str, kind: OutcomeKind, day: date) -> str:
    """The one id of a person's outcome of a kind on a day."""
    return stable_id("out", person_id, kind.value, day.isoformat())


@dataclass(frozen=True, slots=True)
class ImportDecision:
    """The outcomes to store and their events; how many rows changed nothing."""

    recorded: tuple[Outcome, ...]
    unchanged: int
    events: tuple[IntegrationEvent, ...]


def record_outcomes(
    rows: Iterable[OutcomeRow],
    *,
    person_ids: Callable[[str], str],
    stored: Mapping[str, Outcome],
    now: datetime,
) -> ImportDecision:
    """Decide what valid rows record: new or changed outcomes, each announced once."""
    recorded: list[Outcome] = []
    events: list[IntegrationEvent] = []
    unchanged = 0
    for row in rows:
        person_id = person_ids(row.employee_id)
        the_id = outcome_id(person_id, row.kind, row.occurred_on)
        before = stored.get(the_id)
        if before is not None and (before.voluntary, before.performance_band) == (
            row.voluntary,
            row.performance_band,
        ):
            unchanged += 1
            continue
        outcome = Outcome(
            outcome_id=the_id,
            person_id=person_id,
            kind=row.kind,
            occurred_on=row.occurred_on,
            voluntary=row.voluntary,
            performance_band=row.performance_band,
            recorded_at=now,
        )
        recorded.append(outcome)
        events.append(
            OutcomeRecorded(
                outcome_id=the_id,
                person_id=person_id,
                kind=row.kind,
                occurred_on=row.occurred_on,
                voluntary=row.voluntary,
                performance_band=row.performance_band,
                recorded_at=now,
            )
        )
    return ImportDecision(tuple(recorded), unchanged, tuple(events))
