"""The import-linter `layers` contracts really bite.

For every `layers` contract in the root pyproject.toml (so a service that gets one later is
covered without touching this file), the contract's package is copied into a scratch folder
and `lint-imports` runs there on that contract alone: the copy as it is passes, and the same
copy where a lower layer imports the layers above it (the domain importing the use cases,
the adapters importing the entry points ...) fails, naming the contract and each import.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MISPLACED = "# a deliberately misplaced import (tests/test_architecture.py)"


@dataclass(frozen=True, slots=True)
class LayersContract:
    """One `layers` contract of the repository, as import-linter reads it."""

    name: str
    settings: dict[str, Any]
    layers: tuple[tuple[str, ...], ...]
    """Highest first; each layer's modules by full dotted name (siblings share a layer)."""

    @property
    def package(self) -> str:
        """The root package whose layers the contract orders."""
        [root] = {module.split(".")[0] for layer in self.layers for module in layer}
        return root


def _layer_modules(layer: str, containers: list[str]) -> tuple[str, ...]:
    """The modules of one layer entry: ``a | b`` and ``a : b`` are siblings, ``(a)`` optional."""
    names = [part.strip().strip("()").strip() for part in layer.replace(":", "|").split("|")]
    if not containers:
        return tuple(name for name in names if name)
    return tuple(f"{container}.{name}" for container in containers for name in names if name)


def _layers_contracts() -> list[LayersContract]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return [
        LayersContract(
            name=contract["name"],
            settings=contract,
            layers=tuple(
                _layer_modules(layer, contract.get("containers", []))
                for layer in contract["layers"]
            ),
        )
        for contract in config["contracts"]
        if contract["type"] == "layers"
    ]


CONTRACTS = _layers_contracts()
MISPLACEMENTS = [
    pytest.param(contract, index, id=f"{contract.package}: {contract.layers[index][0]}")
    for contract in CONTRACTS
    for index in range(1, len(contract.layers))
]


def _toml_value(value: Any) -> str:
    assert isinstance(value, str | bool | int | list), f"not a simple TOML value: {value!r}"
    return json.dumps(value)


def _scratch_copy(contract: LayersContract, scratch: Path) -> Path:
    """The contract's package under ``scratch/src`` and a config holding only the contract."""
    spec = importlib.util.find_spec(contract.package)
    assert spec is not None
    assert spec.submodule_search_locations, f"{contract.package} is not a package"
    source = Path(next(iter(spec.submodule_search_locations)))
    shutil.copytree(
        source,
        scratch / "src" / contract.package,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    real = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = [
        "[tool.importlinter]",
        f"root_packages = {_toml_value([contract.package])}",
        f"include_external_packages = {_toml_value(real.get('include_external_packages', False))}",
        "",
        "[[tool.importlinter.contracts]]",
        *(f"{key} = {_toml_value(value)}" for key, value in contract.settings.items()),
    ]
    config = scratch / "pyproject.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def _module_file(scratch: Path, module: str) -> Path:
    """The file that holds ``module`` in the scratch copy (a package's ``__init__.py``)."""
    path = scratch / "src" / Path(*module.split("."))
    if path.is_dir():
        init = path / "__init__.py"
        init.touch()
        return init
    file = path.with_suffix(".py")
    assert file.is_file(), f"{module} is in the contract but not in the sources"
    return file


def _lint_imports(scratch: Path, config: Path) -> subprocess.CompletedProcess[str]:
    # Wide enough that no report line is wrapped (long module names would be, at 80 columns).
    environment = os.environ | {"PYTHONPATH": str(scratch / "src"), "COLUMNS": "250"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=scratch,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layers_contracts_are_found() -> None:
    packages = {contract.package for contract in CONTRACTS}
    assert "registration" in packages
    for contract in CONTRACTS:
        assert len(contract.layers) >= 2, contract.name


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.package)
def test_the_unmodified_copy_keeps_its_contract(contract: LayersContract, tmp_path: Path) -> None:
    config = _scratch_copy(contract, tmp_path)
    result = _lint_imports(tmp_path, config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{contract.name} KEPT" in result.stdout


@pytest.mark.parametrize(("contract", "index"), MISPLACEMENTS)
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(
    contract: LayersContract, index: int, tmp_path: Path
) -> None:
    """The layer at ``index`` imports one module of every layer above it."""
    config = _scratch_copy(contract, tmp_path)
    importer = contract.layers[index][0]
    imported = [layer[0] for layer in contract.layers[:index]]
    module = _module_file(tmp_path, importer)
    misplaced = "".join(f"import {name}  # noqa\n" for name in imported)
    module.write_text(f"{module.read_text()}\n{MISPLACED}\n{misplaced}")

    result = _lint_imports(tmp_path, config)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract.name} BROKEN" in result.stdout
    for name in imported:
        assert f"{importer} is not allowed to import {name}" in result.stdout
