"""Regenerate (or check) the committed JSON Schemas and AsyncAPI document.

Usage: ``python -m mentorship_contracts generate [--check] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mentorship_contracts.specs import asyncapi_document, json_schemas, render

DEFAULT_OUT = Path(__file__).resolve().parents[2]
"""The ``contracts/`` folder of the source tree."""


def expected_files() -> dict[str, str]:
    """Every generated file's path (relative to the contracts folder) and text."""
    files = {f"schemas/{name}": render(schema) for name, schema in sorted(json_schemas().items())}
    files["asyncapi.json"] = render(asyncapi_document())
    return files


def stale_files(out: Path) -> list[str]:
    """Generated files that are missing, different, or no longer generated."""
    expected = expected_files()
    stale = [
        name
        for name, text in expected.items()
        if not (out / name).is_file() or (out / name).read_text() != text
    ]
    stale += [
        f"schemas/{path.name}"
        for path in sorted((out / "schemas").glob("*.json"))
        if f"schemas/{path.name}" not in expected
    ]
    return stale


def write(out: Path) -> None:
    """Write every generated file and delete schemas that are no longer generated."""
    expected = expected_files()
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    for path in (out / "schemas").glob("*.json"):
        if f"schemas/{path.name}" not in expected:
            path.unlink()
    for name, text in expected.items():
        (out / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="mentorship-contracts", description=__doc__)
    parser.add_argument("command", choices=["generate"])
    parser.add_argument("--check", action="store_true", help="fail if files are out of date")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.out)
        for name in stale:
            sys.stderr.write(f"out of date: {name}\n")
        if stale:
            sys.stderr.write("run `make contracts` and commit the result\n")
        return 1 if stale else 0
    write(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
