"""What the code declares, for the manifests to agree with: settings, consumed topics, metrics."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from pydantic import SecretStr

from mentorship_contracts.topics import Topic
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings


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


def secret_variables() -> set[str]:
    """Settings that hold credentials: SecretStr fields, and the MongoDB URL (its password)."""
    secret = {
        name.upper()
        for name, field in ServiceSettings.model_fields.items()
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
        importlib.import_module(f"{service}.app").build_app()
    finally:
        monkeypatch.undo()
    (runtime,) = runtimes
    try:
        families = frozenset((m.name, m.type) for m in runtime.metrics.registry.collect())
        return Wiring(runtime.handlers.topics(), families)
    finally:
        await runtime.mongo.close()
