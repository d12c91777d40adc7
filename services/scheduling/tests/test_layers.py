"""Scheduling's own forbidden-import contracts bite: a misplaced import in a scratch copy
breaks them (tests/test_architecture.py does the same for every layers contract).

The copy of the package is linted with the repository's scheduling contracts (and the domain
purity one); the real package passes them in `make lint`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "scheduling" / "src" / "scheduling"
PURE_DOMAIN = "Domain code is pure: no I/O, no adapters, no frameworks"
OTHER_SERVICES = frozenset({"registration", "matching", "feedback", "analytics"})


def _ours(module: str) -> bool:
    """Whether ``module`` is scheduling's, or no other service's."""
    top = module.split(".", maxsplit=1)[0]
    return top == "scheduling" or top not in OTHER_SERVICES


def _contracts() -> list[dict[str, Any]]:
    """Scheduling's contracts, and the domain purity one restricted to scheduling."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    found = []
    for contract in config["contracts"]:
        if contract["name"] == PURE_DOMAIN:
            found.append(
                contract
                | {
                    "source_modules": [m for m in contract["source_modules"] if _ours(m)],
                    "forbidden_modules": [m for m in contract["forbidden_modules"] if _ours(m)],
                }
            )
        elif contract["name"].startswith("scheduling:"):
            found.append(contract)
    return found


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    assert isinstance(value, list)
    return "[" + ", ".join(_toml(item) for item in value) + "]"


def _lint(scratch: Path, misplaced: tuple[str, str] | None = None) -> str:
    """Lint a copy of the package (``misplaced``: a module and the import added to it)."""
    source = scratch / "src"
    shutil.copytree(PACKAGE, source / "scheduling", ignore=shutil.ignore_patterns("__pycache__"))
    if misplaced is not None:
        module, statement = misplaced
        path = source / "scheduling" / module
        path.write_text(path.read_text() + f"\n{statement}  # misplaced on purpose\n")
    lines = [
        "[tool.importlinter]",
        'root_packages = ["scheduling", "mentorship_kit", "mentorship_contracts"]',
        "include_external_packages = true",
    ]
    for contract in _contracts():
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {_toml(value)}" for key, value in contract.items()]
    config = scratch / "pyproject.toml"
    config.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--config", str(config), "--no-cache"],
        cwd=source,
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result.stdout + result.stderr + f"\nexit {result.returncode}"


def test_the_package_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    output = _lint(tmp_path)
    assert output.endswith("exit 0"), output
    assert "BROKEN" not in output


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        (
            "entrypoints/http/pairs.py",
            "import scheduling.adapters.pairs",
            "scheduling: entry points reach adapters only through use cases",
        ),
        (
            "usecases/pairs.py",
            "from mentorship_kit.http_errors import ApiError",
            "scheduling: use cases know no HTTP and no Kafka",
        ),
        (
            "usecases/planning.py",
            "import fastapi",
            "scheduling: use cases know no HTTP and no Kafka",
        ),
        ("domain/planning.py", "import pymongo", PURE_DOMAIN),
    ],
)
def test_a_misplaced_import_breaks_its_contract(
    tmp_path: Path, module: str, statement: str, broken: str
) -> None:
    output = _lint(tmp_path, (module, statement))
    assert output.endswith("exit 1"), output
    assert f"{broken} BROKEN" in output, output
