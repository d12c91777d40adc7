"""`make run` (devstack run): the whole stack from nothing, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mentorship_devstack.servers import is_running
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_devstack.workloads import people, program_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STARTUP_TIMEOUT_S = 120.0


@pytest.fixture
def stack_run(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KAFKA_BOOTSTRAP", "MONGODB_URL", "MENTORSHIP_TESTCONTAINERS"}
    }
    env["KAFKA_SESSION_TIMEOUT_MS"] = "3000"
    process = subprocess.Popen(
        [sys.executable, "-m", "mentorship_devstack", "run", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    urls: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    assert process.stdout is not None
    for line in process.stdout:
        match = re.match(r"\s+(\w+)\s+(http://127\.0\.0\.1:\d+)", line)
        if match:
            urls[match.group(1)] = match.group(2)
        if "Press Ctrl-C" in line or time.monotonic() > deadline:
            break
    try:
        yield process, urls
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_run_serves_the_stack_and_ctrl_c_stops_everything(
    stack_run: tuple[subprocess.Popen[str], dict[str, str]], tmp_path: Path
) -> None:
    process, urls = stack_run
    assert set(urls) == {
        "registration", "matching", "scheduling", "feedback", "analytics", "portal", "identity",
    }  # fmt: skip
    assert httpx.get(f"{urls['portal']}/readyz").status_code == 200
    welcome = httpx.get(f"{urls['portal']}/")
    assert "Sign in" in welcome.text

    admin = bearer(DEV_ADMIN_TOKEN)
    program = httpx.post(
        f"{urls['registration']}/v1/programs", json=program_settings(), headers=admin
    )
    program_id = program.json()["program_id"]
    started = time.monotonic()
    created = httpx.post(
        f"{urls['registration']}/v1/programs/{program_id}/registrations",
        json=people(1, seed=5)[0].registration(),
        headers=admin,
    )
    assert created.status_code == 201
    counted = 0
    while time.monotonic() - started < 2.0 and counted == 0:
        report = httpx.get(
            f"{urls['analytics']}/v1/programs/{program_id}/reports/registration", headers=admin
        )
        counted = report.json()["participants"]
    assert counted == 1, "the participant is counted within 2 seconds"

    state = (tmp_path / "state.json").read_text()
    infrastructure_pids = [int(pid) for pid in re.findall(r'"\w+_pid": (\d+)', state)]
    assert len(infrastructure_pids) == 2

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    for url in urls.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/healthz", timeout=1)
    assert not any(is_running(pid) for pid in infrastructure_pids)
