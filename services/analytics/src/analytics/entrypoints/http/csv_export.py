"""Reports as CSV: one row per value, named by its path in the report (lossless, flat)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence

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


HEADER = ("field", "value")


def csv_text(lines: Iterable[tuple[str, str]]) -> str:
    """``lines`` as CSV rows."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue()


def to_csv(report: BaseModel) -> str:
    """The report as ``field,value`` CSV."""
    return csv_text([HEADER, *rows(report.model_dump(mode="json"))])


async def list_csv(
    head: dict[str, object], name: str, pages: AsyncIterator[Sequence[BaseModel]]
) -> AsyncIterator[str]:
    """A report whose list ``name`` comes in pages, as CSV, a page at a time.

    The rows are those `to_csv` makes of the whole report (``head``: its fields before the list).
    """
    yield csv_text([HEADER, *rows(head)])
    index = 0
    async for page in pages:
        lines: list[tuple[str, str]] = []
        for item in page:
            lines.extend(rows(item.model_dump(mode="json"), f"{name}[{index}]"))
            index += 1
        yield csv_text(lines)
    if not index:
        yield csv_text([(name, "")])
