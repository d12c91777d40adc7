"""The committed AsyncAPI document passes the official AsyncAPI parser (@asyncapi/parser, with its
Spectral rules and the Kafka bindings' schemas), and the parser does fail on a broken copy.

The parser runs on node; its exact version is pinned by asyncapi-parser/package-lock.json and
installed once with `npm ci` into a cache folder outside the repository (``~/.cache``, or
``$XDG_CACHE_HOME``). Without node the tests skip, saying so.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
PARSER = HERE / "asyncapi-parser"
PARSER_FILES = ("package.json", "package-lock.json", "validate.mjs")
DOCUMENT = HERE.parent / "asyncapi.json"

type Diagnostic = dict[str, str]


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mentorship"


def _install(node: str) -> Path:
    """The folder of an installed parser matching asyncapi-parser/ (installed if missing)."""
    digest = hashlib.sha256(b"".join((PARSER / name).read_bytes() for name in PARSER_FILES))
    folder = _cache_root() / f"asyncapi-parser-{digest.hexdigest()[:16]}"
    if (folder / "node_modules" / "@asyncapi" / "parser").is_dir():
        return folder
    npm = shutil.which("npm") or str(Path(node).with_name("npm"))
    staging = folder.with_name(f"{folder.name}.{os.getpid()}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in PARSER_FILES:
        shutil.copy2(PARSER / name, staging / name)
    result = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=os.environ | {"SCARF_ANALYTICS": "false"},
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.fail(
            f"`npm ci` of {PARSER} failed (node is here, npm or the registry is not):\n"
            f"{result.stderr.strip()}"
        )
    try:
        staging.rename(folder)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return folder


@pytest.fixture(scope="module")
def parse(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[list[dict[str, Any]]], list[list[Diagnostic]]]:
    """Parses documents with @asyncapi/parser (one node process) and returns their diagnostics."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the AsyncAPI document is not checked by its parser")
    folder = _install(node)
    scratch = tmp_path_factory.mktemp("asyncapi")

    def run(documents: list[dict[str, Any]]) -> list[list[Diagnostic]]:
        paths = [scratch / f"asyncapi-{index}.json" for index in range(len(documents))]
        for path, document in zip(paths, documents, strict=True):
            path.write_text(json.dumps(document))
        result = subprocess.run(
            [node, str(folder / "validate.mjs"), *map(str, paths)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.stdout.strip(), result.stderr
        diagnostics: list[list[Diagnostic]] = json.loads(result.stdout)
        return diagnostics

    return run


def _committed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return document


def _set(document: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


PAIRS = "mentorship.pair.v1"
SEND = f"{PAIRS}.send"
BREAKS: dict[str, tuple[tuple[str, ...], object]] = {
    "partitions not a number": (("channels", PAIRS, "bindings", "kafka", "partitions"), "six"),
    "not a Kafka binding field": (("channels", PAIRS, "bindings", "kafka", "partition"), 6),
    "AsyncAPI 2's action": (("operations", SEND, "action"), "publish"),
    "a message of another channel": (
        ("operations", SEND, "messages"),
        [{"$ref": "#/channels/mentorship.program.v1/messages/ProgramCreated.v1"}],
    ),
    "a dangling reference": (
        ("components", "messages", "PairCreated.v1", "payload"),
        {"$ref": "#/nowhere"},
    ),
}


def test_the_committed_document_passes_and_broken_copies_fail(
    parse: Callable[[list[dict[str, Any]]], list[list[Diagnostic]]],
) -> None:
    broken = []
    for path, value in BREAKS.values():
        document = copy.deepcopy(_committed())
        _set(document, path, value)
        broken.append(document)
    committed, *others = parse([_committed(), *broken])
    assert committed == []
    missed = [
        name
        for name, diagnostics in zip(BREAKS, others, strict=True)
        if not any(found["severity"] == "error" for found in diagnostics)
    ]
    assert missed == [], "the parser accepted these broken copies"
