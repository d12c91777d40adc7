"""The infrastructure a local run or a test session uses.

Three sources, in order of precedence:

1. ``KAFKA_BOOTSTRAP`` and ``MONGODB_URL`` set: use those servers as they are.
2. ``MENTORSHIP_TESTCONTAINERS=1`` (needs a Docker engine): Kafka and MongoDB containers.
3. Otherwise: the embedded servers (tansu and SecantusDB) started as local processes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from mentorship_devstack import servers


@dataclass(frozen=True, slots=True)
class Infrastructure:
    """Where the broker and the database answer."""

    kafka_bootstrap: str
    mongodb_url: str

    def env(self) -> dict[str, str]:
        """The environment variables that point a service at this infrastructure."""
        return {"KAFKA_BOOTSTRAP": self.kafka_bootstrap, "MONGODB_URL": self.mongodb_url}


class RunningInfrastructure(Protocol):
    """Infrastructure this process started and must stop."""

    infrastructure: Infrastructure

    def stop(self) -> None:
        """Stop what was started."""


def from_environment() -> Infrastructure | None:
    """Existing servers named by ``KAFKA_BOOTSTRAP`` and ``MONGODB_URL``, if both are set."""
    bootstrap, url = os.environ.get("KAFKA_BOOTSTRAP"), os.environ.get("MONGODB_URL")
    if bootstrap and url:
        return Infrastructure(bootstrap, url)
    return None


@dataclass(frozen=True, slots=True)
class _State:
    kafka_pid: int
    kafka_port: int
    mongodb_pid: int
    mongodb_port: int
    kafka_bootstrap: str
    mongodb_url: str


class EmbeddedStack:
    """tansu and SecantusDB as local processes, with their state in ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._state_file = state_dir / "state.json"

    def start(self, *, fresh: bool = True) -> Infrastructure:
        """Start both servers (wiping old data when ``fresh``); stop them with `stop`."""
        if self.running() is not None:
            msg = f"a stack is already running from {self.state_dir}; run `devstack down`"
            raise servers.ServerStartError(msg)
        data_dir = self.state_dir / "mongodb"
        if fresh and data_dir.exists():
            shutil.rmtree(data_dir)
        logs = self.state_dir / "logs"
        kafka = servers.start_kafka(logs)
        try:
            mongodb = servers.start_mongodb(data_dir, logs)
        except BaseException:
            servers.stop(kafka.pid)
            raise
        state = _State(
            kafka_pid=kafka.pid,
            kafka_port=kafka.port,
            mongodb_pid=mongodb.pid,
            mongodb_port=mongodb.port,
            kafka_bootstrap=f"127.0.0.1:{kafka.port}",
            mongodb_url=servers.mongodb_url(mongodb.port),
        )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._state_file.write_text(json.dumps(asdict(state), indent=2))
        return Infrastructure(state.kafka_bootstrap, state.mongodb_url)

    def running(self) -> Infrastructure | None:
        """The infrastructure recorded in the state file, if its processes still run."""
        state = self._read_state()
        if state and servers.is_running(state.kafka_pid) and servers.is_running(state.mongodb_pid):
            return Infrastructure(state.kafka_bootstrap, state.mongodb_url)
        return None

    def stop(self) -> bool:
        """Stop the recorded processes; False when there was nothing to stop."""
        state = self._read_state()
        if state is None:
            return False
        servers.stop(state.kafka_pid)
        servers.stop(state.mongodb_pid)
        self._state_file.unlink(missing_ok=True)
        return True

    def _read_state(self) -> _State | None:
        if not self._state_file.is_file():
            return None
        return _State(**json.loads(self._state_file.read_text()))


class StartedEmbeddedStack:
    """An `EmbeddedStack` started by this process."""

    def __init__(self, state_dir: Path) -> None:
        self._stack = EmbeddedStack(state_dir)
        self.infrastructure = self._stack.start()

    def stop(self) -> None:
        """Stop both servers."""
        self._stack.stop()


class ExistingServers:
    """Servers someone else runs: nothing to stop."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        self.infrastructure = infrastructure

    def stop(self) -> None:
        """Leave them running."""


def provide(state_dir: Path) -> RunningInfrastructure:
    """Infrastructure from the environment, containers or embedded servers (see module)."""
    existing = from_environment()
    if existing is not None:
        return ExistingServers(existing)
    if os.environ.get("MENTORSHIP_TESTCONTAINERS") == "1":
        from mentorship_devstack.containers import ContainerStack

        return ContainerStack()
    return StartedEmbeddedStack(state_dir)
