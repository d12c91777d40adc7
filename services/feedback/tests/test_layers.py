"""Feedback's own forbidden-import contracts catch a misplaced import (on a scratch copy).

`tests/test_architecture.py` does this for every `layers` contract; these are the two
contracts feedback adds beside its layers: use cases import nothing of HTTP or Kafka, and
entry points reach storage only through use cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "services" / "feedback" / "src" / "feedback"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
NO_HTTP = "feedback: use cases know no HTTP and no Kafka"
NO_STORAGE = "feedback: entry points reach storage only through use cases"

pytestmark = pytest.mark.slow  # one lint-imports run per case, about a second each


def feedback_contracts() -> list[dict[str, object]]:
    """Feedback's forbidden-import contracts, as the root pyproject declares them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return [
        c for c in contracts if str(c["name"]).startswith("feedback:") and c["type"] == "forbidden"
    ]


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of feedback's package and its contracts, linted on its own."""
    shutil.copytree(SOURCE, tmp_path / "src" / "feedback", ignore=shutil.ignore_patterns("*.pyc"))
    lines = [
        "[tool.importlinter]",
        'root_packages = ["feedback", "mentorship_kit", "mentorship_contracts"]',
        "include_external_packages = true",
    ]
    for contract in feedback_contracts():
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return tmp_path


def lint(scratch: Path) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"PYTHONPATH": str(scratch / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(scratch / "pyproject.toml"), "--no-cache"],
        cwd=scratch,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def misplace(scratch: Path, module: str, line: str) -> None:
    path = scratch / "src" / "feedback" / module
    path.write_text(path.read_text() + f"\n{line}  # misplaced on purpose\n")


def test_the_contracts_are_declared_and_kept() -> None:
    assert {str(c["name"]) for c in feedback_contracts()} == {NO_HTTP, NO_STORAGE}


def test_the_copy_as_it_is_keeps_every_contract(scratch: Path) -> None:
    result = lint(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{NO_HTTP} KEPT" in result.stdout
    assert f"{NO_STORAGE} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("usecases/surveys.py", "import fastapi", NO_HTTP),
        ("usecases/surveys.py", "import mentorship_kit.http_errors", NO_HTTP),
        ("usecases/access.py", "import mentorship_kit.auth", NO_HTTP),
        ("usecases/facts.py", "import faststream", NO_HTTP),
        ("entrypoints/http/routes.py", "import feedback.adapters.records", NO_STORAGE),
    ],
)
def test_a_misplaced_import_breaks_its_contract(
    scratch: Path, module: str, line: str, broken: str
) -> None:
    misplace(scratch, module, line)
    result = lint(scratch)
    assert result.returncode != 0
    assert f"{broken} BROKEN" in " ".join(result.stdout.split())
