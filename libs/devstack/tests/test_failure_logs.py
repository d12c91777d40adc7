"""A failed test's report carries the running services' last warnings and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mentorship_devstack.infrastructure import Infrastructure
from mentorship_devstack.pytest_plugin import (
    ServiceLauncher,
    notable_lines,
    pytest_runtest_makereport,
)
from mentorship_devstack.services import ServiceProcess

LOG = "\n".join(
    [
        '{"level": "INFO", "message": "service started"}',
        '{"level": "WARNING", "message": "a consumer waits"}',
        "2026-12-05 08:04:20,961 INFO portal uvicorn.error: Started server process",
        '{"level": "ERROR", "message": "delivery attempt crashed"}',
        "2026-12-05 08:04:21,000 WARNING portal httpx: slow answer",
    ]
)


def test_only_warnings_and_errors_are_kept_the_last_ones_first_cut(tmp_path: Path) -> None:
    log = tmp_path / "notifications.log"
    log.write_text(LOG)
    assert notable_lines(log) == [
        '{"level": "WARNING", "message": "a consumer waits"}',
        '{"level": "ERROR", "message": "delivery attempt crashed"}',
        "2026-12-05 08:04:21,000 WARNING portal httpx: slow answer",
    ]
    assert notable_lines(log, limit=1) == [
        "2026-12-05 08:04:21,000 WARNING portal httpx: slow answer"
    ]
    assert notable_lines(tmp_path / "missing.log") == []


def test_a_failed_test_reports_the_logs_of_the_services_still_running(tmp_path: Path) -> None:
    log = tmp_path / "notifications.log"
    log.write_text(LOG)
    launcher = ServiceLauncher(Infrastructure("kafka:9092", "mongodb://db"), "prefix", tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    launcher._started.append(ServiceProcess("notifications", 1, sleeper, log))
    try:
        report = pytest.TestReport("t.py::test", ("t.py", 1, "test"), {}, "failed", "boom", "call")
        reported = _make_report(report)
        sections = dict(reported.sections)
        (title,) = [name for name in sections if name.startswith("notifications:")]
        assert "delivery attempt crashed" in sections[title]
        assert "service started" not in sections[title]
        passed = _make_report(
            pytest.TestReport("t.py::test", ("t.py", 1, "test"), {}, "passed", None, "call")
        )
        assert passed.sections == []
    finally:
        launcher.stop_all()
    stopped = _make_report(
        pytest.TestReport("t.py::test", ("t.py", 1, "test"), {}, "failed", "boom", "call")
    )
    assert stopped.sections == [], "a stopped launcher's logs are not reported"


def _make_report(report: pytest.TestReport) -> pytest.TestReport:
    """Run the plugin's report wrapper around a report made by pytest."""
    wrapper = pytest_runtest_makereport()
    next(wrapper)
    try:
        wrapper.send(report)
    except StopIteration as done:
        result: pytest.TestReport = done.value
        return result
    raise AssertionError("the wrapper did not return the report")
