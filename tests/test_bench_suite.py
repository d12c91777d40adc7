"""The benchmark suite reads every benchmark's last line and flags figures that got worse."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SUITE = Path(__file__).resolve().parent.parent / "benchmarks" / "suite.py"


@pytest.fixture(scope="module")
def suite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_suite", SUITE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_are_read_from_key_value_lines_groups_and_json(suite: ModuleType) -> None:
    assert suite.figures_of("pool participants=10000 complete_after_s=3.2 vs_raw=0.61") == {
        "participants": 10000.0,
        "complete_after_s": 3.2,
        "vs_raw": 0.61,
    }
    grouped = suite.figures_of(
        "scheduling pairs=354 planned_s=4.1 answers=200 | pairs=5000 planned_s=40.2 answers=200"
    )
    assert grouped["pairs354.planned_s"] == 4.1
    assert grouped["pairs5000.planned_s"] == 40.2
    assert grouped["pairs5000.answers"] == 200.0
    as_json = json.dumps({"requests_per_page": 200, "pages": {"home": {"p95_ms": 41.5}}})
    assert suite.figures_of(as_json) == {"requests_per_page": 200.0, "pages.home.p95_ms": 41.5}


def test_a_figure_is_worse_in_its_own_direction_only_beyond_the_tolerance(
    suite: ModuleType,
) -> None:
    before = {
        "analytics": {
            "figures": {
                "events_per_s": 1000.0,
                "report_p95_ms_max": 100.0,
                "projection_vs_raw_upserts": 0.8,
                "events": 60000.0,
            }
        }
    }
    after = {
        "analytics": {
            "figures": {
                "events_per_s": 790.0,  # 21% fewer: worse
                "report_p95_ms_max": 119.0,  # 19% slower: within the tolerance
                "projection_vs_raw_upserts": 1.2,  # better
                "events": 10.0,  # a count: never compared
            }
        }
    }
    assert suite.regressions(before, after) == ["analytics.events_per_s: 1000 -> 790 (-21%)"]
    after["analytics"]["figures"]["report_p95_ms_max"] = 125.0
    assert len(suite.regressions(before, after)) == 2


def test_each_run_keeps_the_one_before_and_compares_with_it(
    suite: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = iter([{"events_per_s": 1000.0}, {"events_per_s": 500.0}])

    def fake_run(name: str, command: object, timeout_s: float) -> dict[str, object]:
        return {"exit_status": 0, "figures": next(figures), "last_line": "", "seconds": 1.0}

    monkeypatch.setattr(suite, "run", fake_run)
    assert suite.main(["--only", "analytics", "--results", str(tmp_path)]) == 0
    assert suite.main(["--only", "analytics", "--results", str(tmp_path)]) == 2
    latest = json.loads((tmp_path / "latest.json").read_text())
    previous = json.loads((tmp_path / "previous.json").read_text())
    assert latest["benchmarks"]["analytics"]["figures"] == {"events_per_s": 500.0}
    assert previous["benchmarks"]["analytics"]["figures"] == {"events_per_s": 1000.0}


def test_a_partial_run_keeps_the_other_benchmarks_figures_for_their_next_comparison(
    suite: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = iter(
        [
            {"analytics": 1000.0, "scheduling": 10.0},
            {"scheduling": 11.0},
            {"analytics": 700.0},
        ]
    )
    current: dict[str, float] = {}

    def fake_run(name: str, command: object, timeout_s: float) -> dict[str, object]:
        figure = "events_per_s" if name == "analytics" else "planned_s"
        return {"exit_status": 0, "figures": {figure: current[name]}, "last_line": "", "seconds": 1}

    monkeypatch.setattr(suite, "run", fake_run)
    results = ["--results", str(tmp_path)]
    current = next(runs)
    assert suite.main(["--only", "analytics", "scheduling", *results]) == 0
    current = next(runs)
    assert suite.main(["--only", "scheduling", *results]) == 0
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["benchmarks"]["analytics"]["figures"] == {"events_per_s": 1000.0}
    assert latest["benchmarks"]["scheduling"]["figures"] == {"planned_s": 11.0}
    assert latest["benchmarks"]["analytics"]["run_at"] is not None
    # Analytics' next run is compared with its own last figures (30% fewer events: worse).
    current = next(runs)
    assert suite.main(["--only", "analytics", *results]) == 2
