"""Reports as CSV: one row per value, named by its path in the report (lossless, flat)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pydantic import BaseModel


def rows(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, value)`` for every leaf of a JSON-like value, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from rows(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if not value:
            yield path, ""
        for index, item in enumerate(value):
            yield from rows(item, f"{path}[{index}]")
    else:
        yield path, "" if value is None else str(value)


def to_csv(report: BaseModel) -> str:
    """The report as ``field,value`` CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("field", "value"))
    writer.writerows(rows(report.model_dump(mode="json")))
    return buffer.getvalue()
