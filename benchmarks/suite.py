"""The benchmark suite: every benchmark with its baseline, figures in one JSON file, compared.

Runs each benchmark of this folder as its own process (each starts its own embedded
infrastructure and measures its baseline in the same run), reads the figures from its last
line (``name key=value ...``, groups separated by ``|``, or a JSON object), and writes them
all to ``bench-results/latest.json`` (the run before is kept as ``previous.json``; a partial
run, ``--only``, carries the other benchmarks' last figures over, each with its ``run_at``,
so every benchmark is always compared with its own last run). Then it
compares every figure with the previous run's and flags those more than 20% worse: for a
time, a latency, a ratio to a baseline's time or a lag, worse is higher; for a rate or a
share of a baseline's rate (``*_per_s``, ``*_vs_*``), worse is lower. Counts are not compared.

    python benchmarks/suite.py [--only analytics pool ...] [--results bench-results]

Exit status: 1 if a benchmark failed, 2 if a figure got worse by more than the tolerance.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 0.20
"""A figure is flagged when it is more than this much worse than in the previous run."""

BENCHMARKS: Mapping[str, Sequence[str]] = {
    "registration": ("benchmarks/registration.py",),
    "matching": ("benchmarks/bench_matching.py",),
    "analytics": ("benchmarks/bench_analytics.py",),
    "pool": ("benchmarks/bench_pool.py",),
    "scheduling": ("benchmarks/bench_scheduling.py",),
    "portal": ("benchmarks/bench_portal.py",),
    "directory": ("benchmarks/bench_directory.py",),
    "notifications": ("benchmarks/bench_notifications.py",),
    "broker_storage": ("benchmarks/bench_broker_storage.py",),
}
"""Each benchmark's command (its defaults are the issue's sizes)."""

type Figures = dict[str, float | str]

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def figures_of(line: str) -> Figures:
    """The figures of a benchmark's last line.

    ``scheduling pairs=354 planned_s=4.1 | pairs=5000 planned_s=40.2`` gives
    ``{"pairs354.planned_s": 4.1, "pairs5000.planned_s": 40.2, ...}``: a group after a
    ``|`` (or every group, when there are several) is named by its first figure. A JSON
    object gives its numbers, nested keys joined with dots.
    """
    text = line.strip()
    if text.startswith("{"):
        return _flattened(json.loads(text))
    groups = [group.split() for group in text.split("|")]
    found: Figures = {}
    for group in groups:
        pairs = [token.split("=", 1) for token in group if "=" in token]
        prefix = f"{pairs[0][0]}{pairs[0][1]}." if len(groups) > 1 and pairs else ""
        for key, value in pairs:
            found[prefix + key] = _value(value)
    return found


def _flattened(value: Any, prefix: str = "") -> Figures:
    found: Figures = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            found |= _flattened(item, f"{prefix}{key}.")
    elif isinstance(value, bool):
        found[prefix.rstrip(".")] = str(value)
    elif isinstance(value, int | float):
        found[prefix.rstrip(".")] = float(value)
    return found


def _value(text: str) -> float | str:
    cleaned = text.rstrip("%xs/")
    return float(cleaned) if _NUMBER.match(cleaned) else text


def better_when(name: str) -> str | None:
    """ "higher", "lower", or None for a figure that is not compared (a count, a label)."""
    last = name.rsplit(".", 1)[-1].removesuffix("_max").removesuffix("_min")
    if "per_s" in last or last.startswith("vs_") or "_vs_" in last or last.endswith("rps"):
        return "higher"
    if last.endswith(("_s", "_ms", "ratio", "gap", "writes_per_event")):
        return "lower"
    if last.endswith(("_mb", "_gib", "_bytes")):
        return "lower"
    return None


def regressions(
    previous: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The figures more than `TOLERANCE` worse than in ``previous``, described."""
    flagged: list[str] = []
    for bench, result in current.items():
        before = previous.get(bench, {}).get("figures", {})
        for name, value in result.get("figures", {}).items():
            old = before.get(name)
            direction = better_when(name)
            if direction is None or not isinstance(value, float) or not isinstance(old, float):
                continue
            if old == 0 or math.isnan(old) or math.isnan(value):
                continue
            change = (value - old) / abs(old)
            worse = change > TOLERANCE if direction == "lower" else change < -TOLERANCE
            if worse:
                flagged.append(f"{bench}.{name}: {old:g} -> {value:g} ({change:+.0%})")
    return flagged


def run(name: str, command: Sequence[str], timeout_s: float) -> dict[str, Any]:
    """Run one benchmark; its last line, figures, exit status and wall time."""
    started = time.perf_counter()
    print(f"== {name}: {' '.join(command)}", flush=True)
    try:
        completed = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        output, status = completed.stdout, completed.returncode
        if status != 0:
            sys.stderr.write(completed.stderr[-4000:])
    except subprocess.TimeoutExpired as error:
        output = error.stdout.decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
        status = -1
    sys.stdout.write(output)
    lines = [line for line in output.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    try:
        figures = figures_of(last) if status == 0 else {}
    except ValueError:
        figures = {}
    return {
        "command": list(command),
        "exit_status": status,
        "seconds": round(time.perf_counter() - started, 1),
        "last_line": last,
        "figures": figures,
    }


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=None)
    parser.add_argument("--results", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per benchmark")
    args = parser.parse_args(argv)
    chosen = args.only or list(BENCHMARKS)
    results = {name: run(name, BENCHMARKS[name], args.timeout) for name in chosen}
    args.results.mkdir(parents=True, exist_ok=True)
    latest, previous_path = args.results / "latest.json", args.results / "previous.json"
    previous: dict[str, Any] = {}
    if latest.exists():
        previous = json.loads(latest.read_text())
        latest.replace(previous_path)
    run_at = datetime.now(UTC).isoformat(timespec="seconds")
    for result in results.values():
        result["run_at"] = run_at
    # A partial run (--only) carries the other benchmarks' last figures over, so that
    # latest.json always holds every benchmark's most recent figures and the next run of
    # any benchmark is compared with its own last run, not with nothing.
    carried = {
        name: {"run_at": previous.get("run_at")} | result
        for name, result in previous.get("benchmarks", {}).items()
        if name not in results
    }
    document = {
        "run_at": run_at,
        "commit": _commit(),
        "benchmarks": carried | results,
    }
    latest.write_text(json.dumps(document, indent=2) + "\n")
    failed = [name for name, result in results.items() if result["exit_status"] != 0]
    flagged = regressions(previous.get("benchmarks", {}), results)
    print(f"\nfigures written to {latest}")
    for name in failed:
        print(f"FAILED {name} (exit status {results[name]['exit_status']})")
    for item in flagged:
        print(f"WORSE  {item}")
    print(
        f"suite benchmarks={len(results)} failed={len(failed)} worse={len(flagged)} "
        f"compared_with={previous.get('run_at', 'none')}"
    )
    if failed:
        return 1
    return 2 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
