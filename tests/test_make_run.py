"""`make run` (devstack run): the whole stack from nothing, and Ctrl-C stops it all.

It runs with the scheduling service's default port (8003) taken, as on a machine where
something else listens there: scheduling moves to another port and its calendar feed links
follow it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mentorship_devstack.servers import is_running
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, stack_token
from mentorship_devstack.workloads import people, program_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STARTUP_TIMEOUT_S = 120.0


SCHEDULING_DEFAULT_PORT = 8003


@pytest.fixture
def port_8003_taken() -> Iterator[None]:
    """Something listens on 8003 (this test, or whoever already does)."""
    holder = socket.socket()
    # Without SO_REUSEADDR the bind fails while an earlier test's connections to 8003 sit in
    # TIME_WAIT, though nobody listens there: the port would then look taken and be free.
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        holder.bind(("127.0.0.1", SCHEDULING_DEFAULT_PORT))
        holder.listen()
    except OSError:
        pass  # taken already
    try:
        yield
    finally:
        holder.close()


@pytest.fixture
def stack_run(
    tmp_path: Path, port_8003_taken: None
) -> Iterator[tuple[subprocess.Popen[str], dict[str, str], list[str]]]:
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
    printed: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    assert process.stdout is not None
    for line in process.stdout:
        printed.append(line)
        match = re.match(r"\s+(\w+)\s+(http://127\.0\.0\.1:\d+)", line)
        if match:
            urls[match.group(1)] = match.group(2)
        if "Press Ctrl-C" in line or time.monotonic() > deadline:
            break
    try:
        yield process, urls, printed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_run_serves_the_stack_and_ctrl_c_stops_everything(
    stack_run: tuple[subprocess.Popen[str], dict[str, str], list[str]], tmp_path: Path
) -> None:
    process, urls, printed = stack_run
    assert set(urls) == {
        "registration", "matching", "scheduling", "feedback", "analytics", "notifications",
        "portal", "identity", "inbox",
    }  # fmt: skip
    progress = [line for line in printed if re.match(r"\[\s*\d+\.\ds\] ", line)]
    for part in ("Kafka", "MongoDB", "creating the topics", *urls):
        assert any(part in line for line in progress), f"no progress line for {part}"
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
    # The registration is confirmed by e-mail, which lands in the local inbox.
    inbox: list[dict[str, object]] = []
    while not inbox and time.monotonic() - started < 30.0:
        inbox = httpx.get(f"{urls['inbox']}/messages.json").json()
        time.sleep(0.2)
    assert [m["subject"] for m in inbox] == ["You are registered for Emerging leaders"]
    assert "registered" in httpx.get(f"{urls['inbox']}/").text

    assert not urls["scheduling"].endswith(f":{SCHEDULING_DEFAULT_PORT}")
    participant = bearer(stack_token(tmp_path, people(1, seed=5)[0].employee_id))
    deadline = time.monotonic() + 20
    feed = httpx.get(f"{urls['scheduling']}/v1/me/calendar", headers=participant)
    while feed.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        feed = httpx.get(f"{urls['scheduling']}/v1/me/calendar", headers=participant)
    assert feed.status_code == 200, feed.text
    assert feed.json()["url"].startswith(f"{urls['scheduling']}/"), "the link names the real port"

    state = (tmp_path / "state.json").read_text()
    infrastructure_pids = [int(pid) for pid in re.findall(r'"\w+_pid": (\d+)', state)]
    assert len([pid for pid in infrastructure_pids if pid]) == 3, "object store, tansu, SecantusDB"

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    for url in urls.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/healthz", timeout=1)
    assert not any(is_running(pid) for pid in infrastructure_pids)
