"""The infrastructure a local run or a test session uses.

Three sources, in order of precedence:

1. ``KAFKA_BOOTSTRAP`` and ``MONGODB_URL`` set: use those servers as they are.
2. ``MENTORSHIP_TESTCONTAINERS=1`` (needs a Docker engine): Kafka and MongoDB containers.
3. Otherwise: the embedded servers (tansu and SecantusDB) started as local processes.

The embedded broker keeps its data durably (``DEVSTACK_KAFKA_STORAGE=durable``, the default
of `devstack up` and `devstack run`: topics, records and committed offsets survive a broker
restart) or in memory (``memory``: faster, what the test session uses unless told otherwise).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from mentorship_devstack import servers
from mentorship_devstack.infrastructure import Infrastructure, RunningInfrastructure

__all__ = [
    "EmbeddedStack",
    "ExistingServers",
    "Infrastructure",
    "KafkaStorage",
    "RunningInfrastructure",
    "StartedEmbeddedStack",
    "from_environment",
    "kafka_storage_from_environment",
    "provide",
]

KafkaStorage = Literal["memory", "durable"]
STORAGE_VARIABLE = "DEVSTACK_KAFKA_STORAGE"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """Report nothing."""


def from_environment() -> Infrastructure | None:
    """Existing servers named by ``KAFKA_BOOTSTRAP`` and ``MONGODB_URL``, if both are set."""
    bootstrap, url = os.environ.get("KAFKA_BOOTSTRAP"), os.environ.get("MONGODB_URL")
    if bootstrap and url:
        return Infrastructure(bootstrap, url)
    return None


def kafka_storage_from_environment(default: KafkaStorage) -> KafkaStorage:
    """``DEVSTACK_KAFKA_STORAGE`` (``memory`` or ``durable``), else ``default``."""
    value = os.environ.get(STORAGE_VARIABLE, "").strip().lower() or default
    if value not in ("memory", "durable"):
        msg = f"{STORAGE_VARIABLE} must be 'memory' or 'durable', not {value!r}"
        raise ValueError(msg)
    return "durable" if value == "durable" else "memory"


@dataclass(frozen=True, slots=True)
class _State:
    kafka_pid: int
    kafka_port: int
    mongodb_pid: int
    mongodb_port: int
    kafka_bootstrap: str
    mongodb_url: str
    kafka_storage: KafkaStorage = "memory"
    object_store_pid: int = 0
    object_store_port: int = 0


class EmbeddedStack:
    """tansu (with its object store when durable) and SecantusDB, state in ``state_dir``."""

    def __init__(
        self,
        state_dir: Path,
        *,
        kafka_storage: KafkaStorage = "durable",
        progress: Progress = _quiet,
    ) -> None:
        self.state_dir = state_dir
        self.kafka_storage: KafkaStorage = kafka_storage
        self._progress = progress
        self._state_file = state_dir / "state.json"
        self._logs = state_dir / "logs"

    @property
    def kafka_data_dir(self) -> Path:
        """Where the durable broker's objects are kept."""
        return self.state_dir / "kafka"

    @property
    def mongodb_data_dir(self) -> Path:
        """Where SecantusDB keeps its files."""
        return self.state_dir / "mongodb"

    def start(self, *, fresh: bool = True) -> Infrastructure:
        """Start the servers (wiping old data when ``fresh``); stop them with `stop`."""
        if self.running() is not None:
            msg = f"a stack is already running from {self.state_dir}; run `devstack down`"
            raise servers.ServerStartError(msg)
        if fresh:
            for data_dir in (self.mongodb_data_dir, self.kafka_data_dir):
                if data_dir.exists():
                    shutil.rmtree(data_dir)
        started: list[int] = []
        try:
            object_store_pid, object_store_port = 0, 0
            if self.kafka_storage == "durable":
                self._progress(f"starting the broker's object store ({self.kafka_data_dir})")
                store = servers.start_object_store(self.kafka_data_dir, self._logs)
                started.append(store.pid)
                object_store_pid, object_store_port = store.pid, store.port
            self._progress(f"starting Kafka (tansu, {self.kafka_storage} storage)")
            kafka = self._start_kafka(None, object_store_port)
            started.append(kafka.pid)
            self._progress(f"starting MongoDB (SecantusDB, {self.mongodb_data_dir})")
            mongodb = servers.start_mongodb(self.mongodb_data_dir, self._logs)
            started.append(mongodb.pid)
        except BaseException:
            for pid in reversed(started):
                servers.stop(pid)
            raise
        state = _State(
            kafka_pid=kafka.pid,
            kafka_port=kafka.port,
            mongodb_pid=mongodb.pid,
            mongodb_port=mongodb.port,
            kafka_bootstrap=f"127.0.0.1:{kafka.port}",
            mongodb_url=servers.mongodb_url(mongodb.port),
            kafka_storage=self.kafka_storage,
            object_store_pid=object_store_pid,
            object_store_port=object_store_port,
        )
        self._write_state(state)
        return Infrastructure(state.kafka_bootstrap, state.mongodb_url)

    def _start_kafka(self, port: int | None, object_store_port: int) -> servers.ServerProcess:
        if self.kafka_storage == "durable":
            storage, env = servers.durable_storage(object_store_port)
            return servers.start_kafka(self._logs, port, storage=storage, env=env)
        return servers.start_kafka(self._logs, port)

    def restart_kafka(self, *, crash: bool = False) -> None:
        """Stop the broker (SIGKILL when ``crash``) and start it again on the same port.

        With durable storage it comes back with its topics, records and committed offsets;
        in memory it comes back empty.
        """
        state = self._read_state()
        if state is None:
            msg = f"no stack runs from {self.state_dir}"
            raise servers.ServerStartError(msg)
        if crash:
            servers.kill(state.kafka_pid)
        else:
            servers.stop(state.kafka_pid)
        kafka = self._start_kafka(state.kafka_port, state.object_store_port)
        self._write_state(_State(**{**asdict(state), "kafka_pid": kafka.pid}))

    def stop_kafka(self) -> None:
        """Stop only the broker (`start_kafka` brings it back), e.g. to test an outage."""
        state = self._read_state()
        if state is not None:
            servers.stop(state.kafka_pid)

    def start_kafka(self) -> None:
        """Start the broker again after `stop_kafka`, on its port and storage."""
        state = self._read_state()
        if state is None:
            msg = f"no stack runs from {self.state_dir}"
            raise servers.ServerStartError(msg)
        kafka = self._start_kafka(state.kafka_port, state.object_store_port)
        self._write_state(_State(**{**asdict(state), "kafka_pid": kafka.pid}))

    def running(self) -> Infrastructure | None:
        """The infrastructure recorded in the state file, if its processes still run."""
        state = self._read_state()
        if state is None:
            return None
        pids = [state.kafka_pid, state.mongodb_pid]
        if state.object_store_pid:
            pids.append(state.object_store_pid)
        if all(servers.is_running(pid) for pid in pids):
            return Infrastructure(state.kafka_bootstrap, state.mongodb_url)
        return None

    def stop(self) -> bool:
        """Stop the recorded processes; False when there was nothing to stop."""
        state = self._read_state()
        if state is None:
            return False
        servers.stop(state.kafka_pid)
        if state.object_store_pid:
            servers.stop(state.object_store_pid)
        servers.stop(state.mongodb_pid)
        self._state_file.unlink(missing_ok=True)
        return True

    def _write_state(self, state: _State) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._state_file.write_text(json.dumps(asdict(state), indent=2))

    def _read_state(self) -> _State | None:
        if not self._state_file.is_file():
            return None
        return _State(**json.loads(self._state_file.read_text()))


class StartedEmbeddedStack:
    """An `EmbeddedStack` started by this process."""

    def __init__(
        self,
        state_dir: Path,
        *,
        kafka_storage: KafkaStorage = "durable",
        progress: Progress = _quiet,
        fresh: bool = True,
    ) -> None:
        self.stack = EmbeddedStack(state_dir, kafka_storage=kafka_storage, progress=progress)
        self.infrastructure = self.stack.start(fresh=fresh)

    def stop(self) -> None:
        """Stop every server."""
        self.stack.stop()


class ExistingServers:
    """Servers someone else runs: nothing to stop."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        self.infrastructure = infrastructure

    def stop(self) -> None:
        """Leave them running."""


def provide(
    state_dir: Path,
    *,
    kafka_storage: KafkaStorage | None = None,
    progress: Progress = _quiet,
    fresh: bool = True,
) -> RunningInfrastructure:
    """Infrastructure from the environment, containers or embedded servers (see module).

    ``kafka_storage`` defaults to ``DEVSTACK_KAFKA_STORAGE``, else durable.
    """
    existing = from_environment()
    if existing is not None:
        return ExistingServers(existing)
    if os.environ.get("MENTORSHIP_TESTCONTAINERS") == "1":
        from mentorship_devstack.containers import ContainerStack

        progress("starting Kafka and MongoDB containers")
        return ContainerStack()
    storage = kafka_storage or kafka_storage_from_environment("durable")
    return StartedEmbeddedStack(state_dir, kafka_storage=storage, progress=progress, fresh=fresh)
