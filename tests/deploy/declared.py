"""What the code declares, for the manifests to agree with: settings, consumed and produced
topics, metrics."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast, get_args

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from mentorship_contracts.catalog import CATALOG
from mentorship_contracts.topics import EVENT_TOPICS, Topic
from mentorship_devstack.tokens import dev_auth_defaults
from mentorship_kit import redrive as redrive_tool
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

from .checks.kafka_security import RedriveClients


def settings_class(service: str) -> type[ServiceSettings]:
    """The settings class of a service (``<service>.settings``)."""
    module = importlib.import_module(f"{service}.settings")
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings)
        if value is not ServiceSettings
    )


def environment_variables(service: str) -> set[str]:
    """A service's environment variables: its settings fields, upper-cased."""
    return {name.upper() for name in settings_class(service).model_fields}


def portal_settings_class() -> type[BaseSettings]:
    """The web app's settings class (``portal.settings``): not a service's, it has no broker nor
    database."""
    module = importlib.import_module("portal.settings")
    return cast("type[BaseSettings]", module.PortalSettings)


def portal_environment_variables() -> set[str]:
    """The web app's environment variables: its settings fields, upper-cased."""
    return {name.upper() for name in portal_settings_class().model_fields}


def kit_environment_variables() -> set[str]:
    """The environment variables of the kit's own tools (``python -m mentorship_kit.redrive``):
    `ServiceSettings`, upper-cased."""
    return {name.upper() for name in ServiceSettings.model_fields}


def secret_variables() -> set[str]:
    """Settings that hold credentials: SecretStr fields (the services' and the web app's), and
    the MongoDB URL (its password)."""
    secret = {
        name.upper()
        for settings in (ServiceSettings, portal_settings_class())
        for name, field in settings.model_fields.items()
        if SecretStr in (field.annotation, *get_args(field.annotation))
    }
    return secret | {"MONGODB_URL"}


@dataclass(frozen=True, slots=True)
class Wiring:
    """What a service's app declares once built (nothing is started, nothing connects)."""

    consumed: tuple[Topic, ...]
    """The topics its consumer group subscribes to."""
    families: frozenset[tuple[str, str]]
    """Its Prometheus metric families, (name, type)."""


async def wiring(service: str, monkeypatch: pytest.MonkeyPatch) -> Wiring:
    """Build the service's app and read its runtime: consumed topics and metric families."""
    runtimes: list[ServiceRuntime] = []
    original = ServiceRuntime.__init__

    def capture(runtime: ServiceRuntime, *args: Any, **kwargs: Any) -> None:
        original(runtime, *args, **kwargs)
        runtimes.append(runtime)

    monkeypatch.setattr(ServiceRuntime, "__init__", capture)
    try:
        with dev_auth_defaults():
            importlib.import_module(f"{service}.app").build_app()
    finally:
        monkeypatch.undo()
    (runtime,) = runtimes
    try:
        families = frozenset((m.name, m.type) for m in runtime.metrics.registry.collect())
        return Wiring(runtime.handlers.topics(), families)
    finally:
        await runtime.mongo.close()


# ------------------------------------------------------------------------------ produced events

EVENT_CLASSES = frozenset(route.event.__name__ for route in CATALOG)
"""The integration events of the contracts (mentorship_contracts.catalog), by class name."""
_CONSTRUCTORS = frozenset({"model_validate", "model_validate_json", "model_construct"})


def constructed_events(source: str) -> set[str]:
    """The event classes a module builds: ``Event(...)``, ``events.Event(...)`` or
    ``Event.model_validate(...)``, where ``Event`` (or its alias) comes from the contracts.

    A service stages in its outbox only events it builds, and builds events only to emit them
    (consumers receive theirs decoded), so these are what its relay publishes.
    """
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("mentorship_contracts")
        for alias in node.names
    }
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr in _CONSTRUCTORS:
            function = function.value
        if isinstance(function, ast.Name) and function.id in imported:
            found.add(imported[function.id])
        elif isinstance(function, ast.Attribute):
            found.add(function.attr)
    return found & EVENT_CLASSES


def source_directory(service: str) -> Path:
    """Where a service's package lives (services/<service>/src/<service>)."""
    spec = importlib.util.find_spec(service)
    assert spec is not None, service
    assert spec.submodule_search_locations, service
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def produced_events(service: str) -> frozenset[str]:
    """The event classes a service's code builds, hence publishes."""
    return frozenset(
        name
        for path in sorted(source_directory(service).rglob("*.py"))
        for name in constructed_events(path.read_text())
    )


def produced_topics(service: str) -> tuple[Topic, ...]:
    """The topics a service's outbox relay publishes to, in topics.py's order."""
    events = produced_events(service)
    topics = {route.topic for route in CATALOG if route.event.__name__ in events}
    return tuple(topic for topic in EVENT_TOPICS if topic in topics)


# ------------------------------------------------------------------------------ the re-drive tool


async def redrive_clients(
    group: str, monkeypatch: pytest.MonkeyPatch, prefix: str = ""
) -> RedriveClients:
    """What ``python -m mentorship_kit.redrive <group>`` subscribes to and as which consumer
    group, read by running it (a dry run) against stand-in Kafka clients: nothing connects."""
    opened: list[RedriveClients] = []

    class Consumer:
        def __init__(self, *topics: str, group_id: str, **_: object) -> None:
            opened.append(RedriveClients(topics, group_id))

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def getmany(self, timeout_ms: int = 0) -> dict[object, list[object]]:
            return {}

        async def commit(self) -> None: ...

    class Producer:
        def __init__(self, **_: object) -> None: ...

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

    monkeypatch.setattr(redrive_tool, "AIOKafkaConsumer", Consumer)
    monkeypatch.setattr(redrive_tool, "AIOKafkaProducer", Producer)
    settings = ServiceSettings(kafka_topic_prefix=prefix, kafka_security_protocol="PLAINTEXT")
    try:
        await redrive_tool.redrive(settings, group, dry_run=True, idle_s=0)
    finally:
        monkeypatch.undo()
    (clients,) = opened
    return clients
