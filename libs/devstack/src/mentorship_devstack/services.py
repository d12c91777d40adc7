"""Run the platform's services as real processes (for `make run` and end-to-end tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from mentorship_devstack.infrastructure import Infrastructure
from mentorship_devstack.servers import is_running

SERVICES: tuple[str, ...] = (
    "registration",
    "matching",
    "scheduling",
    "feedback",
    "analytics",
    "notifications",
)
DEFAULT_PORTS: dict[str, int] = {
    name: 8001 + index for index, name in enumerate(SERVICES) if name != "notifications"
} | {"notifications": 8007}
PORTAL_PORT = 8006
"""The web app (`services/portal`): started by `devstack run` after the five APIs."""
IDENTITY_PORT = 9400
"""The local OpenID Connect provider (`mentorship_devstack.identity`)."""
READY_TIMEOUT_S = 90.0
"""Start-up includes importing the service (20 s and more on a loaded 2-core machine) and
joining its consumer group (readiness waits for it)."""


class ServiceStartError(RuntimeError):
    """A service did not become ready; the message names its log file."""


@dataclass(slots=True)
class ServiceProcess:
    """A running service process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        """Where its HTTP API answers."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Block until ``/readyz`` answers 200; raise if the process dies or times out."""
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    msg = f"{self.name} exited with {self.process.returncode}; see {self.log_path}"
                    raise ServiceStartError(msg)
                try:
                    if client.get(f"{self.base_url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        msg = f"{self.name} not ready after {timeout_s:.0f}s; see {self.log_path}"
        raise ServiceStartError(msg)

    def stop(self, timeout_s: float = 15.0) -> int:
        """SIGTERM (graceful shutdown), then SIGKILL if needed; returns the exit code."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()

    def kill(self) -> int:
        """SIGKILL: no clean-up at all, as in a crash."""
        if is_running(self.process.pid):
            self.process.kill()
        return self.process.wait()


def public_settings(name: str, port: int) -> dict[str, str]:
    """The settings by which a service tells others where it is served (its own port).

    Scheduling hands out calendar feed links: they must name the port it actually runs on,
    also when `devstack run` moved it off its default port.
    """
    if name == "scheduling":
        return {"FEED_BASE_URL": f"http://127.0.0.1:{port}"}
    return {}


def start_service(
    name: str,
    *,
    port: int,
    infrastructure: Infrastructure,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
) -> ServiceProcess:
    """Start ``python -m <name>`` pointed at ``infrastructure`` (returns before ready)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    environment = {
        **os.environ,
        **infrastructure.env(),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **public_settings(name, port),
        **(env or {}),
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [sys.executable, "-m", name],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return ServiceProcess(name, port, process, log_path)
