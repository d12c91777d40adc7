"""pytest fixtures for integration and end-to-end tests.

- ``infrastructure`` (session): a broker and a database, from ``KAFKA_BOOTSTRAP`` /
  ``MONGODB_URL``, from containers (``MENTORSHIP_TESTCONTAINERS=1``) or embedded servers.
- ``kafka_prefix``: a fresh topic prefix with every topic created under it, so each test
  sees only its own messages.
- ``make_settings``: settings for a service run in-process in this test.
- ``launch``: starts service processes (pointed at this test's prefix, with their own
  databases and short Kafka timeouts) and stops them after the test.
- ``serve_app``: runs a service's ASGI app in-process (lifespan included) and gives an
  HTTP client for it.

A test that fails while service processes run gets their last warnings and errors in its
report (one section per service), so a failure on a CI machine can be read without its logs.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi import FastAPI

from mentorship_contracts import IntegrationEvent, seal
from mentorship_devstack.servers import free_port
from mentorship_devstack.services import ServiceProcess, start_service
from mentorship_devstack.stack import Infrastructure, kafka_storage_from_environment, provide
from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_JWT_ALGORITHM,
    DEV_JWT_SECRET,
    DEV_NOTIFIER_TOKEN,
    DEV_PSEUDONYM_KEY,
    DEV_SCIM_TOKEN,
    auth_environment,
)
from mentorship_devstack.topics import create_topics
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.settings import ServiceSettings

TEST_SESSION_TIMEOUT_MS = os.environ.get("TEST_KAFKA_SESSION_TIMEOUT_MS", "3000")
NOTABLE_LINES = 25
"""How many of a service's last warning and error lines a failed test's report shows."""
_NOTABLE_LEVELS = ("WARNING", "ERROR", "CRITICAL")


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    """A real Kafka and MongoDB for the whole test session."""
    running = provide(
        tmp_path_factory.mktemp("devstack"), kafka_storage=kafka_storage_from_environment("memory")
    )
    try:
        yield running.infrastructure
    finally:
        running.stop()


async def fresh_kafka_prefix(infrastructure: Infrastructure) -> str:
    """A new topic prefix with every topic created under it."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    await create_topics(infrastructure.kafka_bootstrap, prefix=prefix)
    return prefix


@pytest.fixture
async def kafka_prefix(infrastructure: Infrastructure) -> str:
    """A topic prefix unique to this test, with every topic created under it."""
    return await fresh_kafka_prefix(infrastructure)


@pytest.fixture
def database_suffix() -> str:
    """Makes this test's database names unique."""
    return uuid.uuid4().hex[:10]


class SettingsFactory(Protocol):
    """Builds a service's settings pointed at this test's infrastructure."""

    def __call__[S: ServiceSettings](self, settings_class: type[S], **overrides: Any) -> S:
        """Settings of ``settings_class`` with ``overrides`` applied."""
        ...


@pytest.fixture
def make_settings(
    infrastructure: Infrastructure, kafka_prefix: str, database_suffix: str
) -> SettingsFactory:
    """``make_settings(RegistrationSettings)``: settings for an in-process service."""

    def make[S: ServiceSettings](settings_class: type[S], **overrides: Any) -> S:
        values: dict[str, Any] = {
            "kafka_bootstrap": infrastructure.kafka_bootstrap,
            "mongodb_url": infrastructure.mongodb_url,
            "mongodb_database": f"test_{settings_class.service_name}_{database_suffix}",
            "kafka_topic_prefix": kafka_prefix,
            "kafka_session_timeout_ms": int(TEST_SESSION_TIMEOUT_MS),
            "outbox_poll_interval_s": 0.1,
            "consumer_retry_backoff_s": 0.01,
            "log_format": "text",
            "auth_admin_token": DEV_ADMIN_TOKEN,
            "auth_jwt_key": DEV_JWT_SECRET,
            "auth_jwt_algorithms": DEV_JWT_ALGORITHM,
            "auth_pseudonym_key": DEV_PSEUDONYM_KEY,
            "scim_bearer_token": DEV_SCIM_TOKEN,
            "notifications_service_token": DEV_NOTIFIER_TOKEN,
            "registration_token": DEV_NOTIFIER_TOKEN,
        }
        return settings_class(**(values | overrides))

    return make


class ServiceLauncher:
    """Starts service processes for one test (or module) and stops them all at the end."""

    def __init__(self, infrastructure: Infrastructure, kafka_prefix: str, log_dir: Path) -> None:
        self._infrastructure = infrastructure
        self._prefix = kafka_prefix
        self._database_suffix = uuid.uuid4().hex[:10]
        self._log_dir = log_dir
        self._started: list[ServiceProcess] = []
        _live_launchers.append(self)

    def environment(self, service: str) -> dict[str, str]:
        """What a service process of this launcher is configured with."""
        return {
            **self._infrastructure.env(),
            "KAFKA_TOPIC_PREFIX": self._prefix,
            "MONGODB_DATABASE": f"test_{service}_{self._database_suffix}",
            "KAFKA_SESSION_TIMEOUT_MS": TEST_SESSION_TIMEOUT_MS,
            "OUTBOX_POLL_INTERVAL_S": "0.2",
            "OUTBOX_LEASE_S": "2",
            "CONSUMER_RETRY_BACKOFF_S": "0.05",
            "LOG_LEVEL": "INFO",
            **auth_environment(),
        }

    def __call__(
        self, name: str, *, wait: bool = True, port: int | None = None, **env: str
    ) -> ServiceProcess:
        """Start ``python -m <name>`` (``launch("registration", FAILPOINTS=...)``)."""
        overrides: Mapping[str, str] = {**self.environment(name), **env}
        process = start_service(
            name,
            port=port or free_port(),
            infrastructure=self._infrastructure,
            log_dir=self._log_dir,
            env=overrides,
        )
        self._started.append(process)
        if wait:
            process.wait_ready()
        return process

    def stop_all(self) -> None:
        """Stop every process this launcher started."""
        for process in self._started:
            process.stop()
        self._started.clear()
        if self in _live_launchers:
            _live_launchers.remove(self)

    @property
    def started(self) -> tuple[ServiceProcess, ...]:
        """The processes started and not yet stopped."""
        return tuple(self._started)


_live_launchers: list[ServiceLauncher] = []
"""Launchers whose processes run: their logs go into the report of a test that fails."""


def notable_lines(log_path: Path, limit: int = NOTABLE_LINES) -> list[str]:
    """The last ``limit`` warning and error lines of a service's log (each cut to 2,000 chars).

    Service logs are JSON lines with a ``level``; other lines (a server's plain output) count
    when they name a level.
    """
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return []
    found = [
        line[:2000]
        for line in text.splitlines()
        if any(f'"level": "{level}"' in line or f" {level} " in line for level in _NOTABLE_LEVELS)
    ]
    return found[-limit:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the running services' last warnings and errors to a failed test's report."""
    report = yield
    if not report.failed:
        return report
    for launcher in _live_launchers:
        for process in launcher.started:
            lines = notable_lines(process.log_path)
            if lines:
                title = f"{process.name}: last warnings and errors ({process.log_path})"
                report.sections.append((title, "\n".join(lines)))
    return report


@contextmanager
def running_services(
    infrastructure: Infrastructure, kafka_prefix: str, log_dir: Path, names: Iterable[str]
) -> Iterator[dict[str, ServiceProcess]]:
    """Start the ``names`` services side by side, wait until all are ready, stop them at exit."""
    launch = ServiceLauncher(infrastructure, kafka_prefix, log_dir)
    try:
        processes = {name: launch(name, wait=False) for name in names}
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        launch.stop_all()


Launcher = ServiceLauncher


@pytest.fixture
def launch(
    infrastructure: Infrastructure, kafka_prefix: str, tmp_path: Path
) -> Iterator[ServiceLauncher]:
    """Start service processes in this test; they are stopped after it."""
    launcher = ServiceLauncher(infrastructure, kafka_prefix, tmp_path / "logs")
    yield launcher
    launcher.stop_all()


AppServer = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def serve_app() -> AppServer:
    """Run a service's app in-process (lifespan included) and hand out an HTTP client.

    Use as ``async with serve_app(app) as client``.
    """

    @asynccontextmanager
    async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                yield client

    return serve


async def eventually[T](
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool] = bool,
    *,
    timeout_s: float = 20.0,
    interval_s: float = 0.05,
) -> T:
    """Poll ``probe`` until ``accept(result)``; fail the test with the last result if not."""
    deadline = time.monotonic() + timeout_s
    result = await probe()
    while not accept(result):
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout_s}s; last result: {result!r}")
        await asyncio.sleep(interval_s)
        result = await probe()
    return result


class Interleaving:
    """Runs a rival transaction in the middle of another one, to test how the two race.

    ``before(step)`` wraps a step of the first transaction: on its first call the rival
    starts, and the step goes on once the rival has committed or been refused (a write
    conflict, after which the transactor retries it). ``finished()`` waits for the rival.
    """

    def __init__(self, transactor: Transactor, rival: Callable[[Transaction], Awaitable[None]]):
        self._transactor = transactor
        self._rival = rival
        self._refused = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _attempt(self, tx: Transaction) -> None:
        try:
            await self._rival(tx)
        except Exception:
            self._refused.set()
            raise

    def before[**P, R](self, step: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        """``step``, with the rival run just before its first call."""

        async def interleaved(*args: P.args, **kwargs: P.kwargs) -> R:
            if self._task is None:
                self._task = asyncio.create_task(self._transactor.run(self._attempt))
                gave_way = asyncio.create_task(self._refused.wait())
                await asyncio.wait([self._task, gave_way], return_when=asyncio.FIRST_COMPLETED)
                gave_way.cancel()
            return await step(*args, **kwargs)

        return interleaved

    async def finished(self, timeout_s: float = 30.0) -> None:
        """Wait until the rival transaction committed (after its retries)."""
        assert self._task is not None, "the wrapped step never ran"
        await asyncio.wait_for(self._task, timeout=timeout_s)


async def stored_traces(
    database: Database, needles: Iterable[str], *, skip: Iterable[str] = ()
) -> list[str]:
    """Every stored document (outside the ``skip`` collections) that contains a needle.

    For erasure tests: ``assert await stored_traces(db, {participant_id}) == []``.
    """
    wanted, skipped = set(needles), set(skip)
    found = []
    for name in sorted(set(await database.list_collection_names()) - skipped):
        async for document in database[name].find():
            text = repr(document)
            found += [f"{needle!r} in {name}: {text}" for needle in wanted if needle in text]
    return found


def deliver_directly(
    handlers: EventHandlers,
) -> Callable[[IntegrationEvent, Transaction], Awaitable[None]]:
    """Hand an event straight to the handler registered for it, in the caller's transaction."""

    async def deliver(event: IntegrationEvent, tx: Transaction) -> None:
        handler = handlers.handler_for(event.event_type, event.schema_version)
        assert handler is not None, f"no handler for {event.event_type}"
        await handler(seal(event, source="test"), tx)

    return deliver


@asynccontextmanager
async def benchmark_service(name: str) -> AsyncIterator[tuple[ServiceProcess, Infrastructure, str]]:
    """``name`` as a real process on infrastructure of its own, for benchmarks.

    The embedded servers are started in a scratch folder (or those ``KAFKA_BOOTSTRAP`` and
    ``MONGODB_URL`` name are used) with a fresh topic prefix; yields the process, the
    infrastructure and the prefix, and stops everything at exit.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as scratch:
        running = provide(Path(scratch) / "stack", kafka_storage="memory")
        launcher = None
        try:
            prefix = await fresh_kafka_prefix(running.infrastructure)
            launcher = ServiceLauncher(running.infrastructure, prefix, Path(scratch) / "logs")
            service = launcher(name, LOG_LEVEL="WARNING", KAFKA_SESSION_TIMEOUT_MS="6000")
            yield service, running.infrastructure, prefix
        finally:
            if launcher is not None:
                launcher.stop_all()
            running.stop()
