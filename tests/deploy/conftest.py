"""Fixtures of the deployment tests: rendered overlays, tools, and what the code declares."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest

from mentorship_contracts.topics import CONSUMER_GROUPS, Topic
from mentorship_devstack.services import SERVICES

from .checks.kafka_security import RedriveClients
from .declared import (
    Wiring,
    environment_variables,
    kit_environment_variables,
    portal_environment_variables,
    produced_topics,
    redrive_clients,
    secret_variables,
    wiring,
)
from .manifests import PORTAL, Overlays, kustomize_command, require
from .schemas import CustomResourceDefinitions, crds_folder, missing_crds

REQUIRE_CRDS = "MENTORSHIP_REQUIRE_CRDS"


@pytest.fixture(scope="session")
def kustomize() -> list[str]:
    """The kustomize build command (skips, or fails where MENTORSHIP_REQUIRE_KUSTOMIZE=1)."""
    command = kustomize_command()
    require("kustomize 5 (kubectl kustomize)", command, "MENTORSHIP_REQUIRE_KUSTOMIZE")
    assert command is not None
    return command


@pytest.fixture(scope="session")
def overlays(kustomize: list[str]) -> Overlays:
    """``overlays["prod"]``: the objects an overlay renders."""
    return Overlays(kustomize)


@pytest.fixture(scope="session")
def crds() -> CustomResourceDefinitions:
    """The operators' CRDs from ../shared/k8s-crds (skips without them, or fails where
    MENTORSHIP_REQUIRE_CRDS=1)."""
    folder = crds_folder()
    if reason := missing_crds(folder):
        if os.environ.get(REQUIRE_CRDS) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_CRDS}=1 requires them")
        pytest.skip(reason)
    return CustomResourceDefinitions(folder)


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool's path (skips, or fails where MENTORSHIP_REQUIRE_PROMTOOL=1)."""
    path = shutil.which("promtool")
    require("promtool (Debian package prometheus)", path, "MENTORSHIP_REQUIRE_PROMTOOL")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def settings() -> dict[str, set[str]]:
    """Each service's environment variables, and the web app's."""
    services = {service: environment_variables(service) for service in SERVICES}
    return services | {PORTAL: portal_environment_variables()}


@pytest.fixture(scope="session")
def kit_settings() -> set[str]:
    """The environment variables of the kit's tools (the re-drive Job's)."""
    return kit_environment_variables()


@pytest.fixture(scope="session")
def secret_settings() -> set[str]:
    """The settings that hold credentials."""
    return secret_variables()


@pytest.fixture(scope="session")
def produced() -> dict[str, tuple[Topic, ...]]:
    """The topics each service publishes to, read from the events its code builds."""
    return {service: produced_topics(service) for service in SERVICES}


@pytest.fixture(scope="session")
async def wirings() -> AsyncIterator[dict[str, Wiring]]:
    """Each service's consumed topics and metrics, read from its app's wiring."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield {service: await wiring(service, monkeypatch) for service in SERVICES}


@pytest.fixture(scope="session")
async def redrives() -> AsyncIterator[dict[str, RedriveClients]]:
    """Per consumer group, what the re-drive tool reads for it and as which group (unprefixed)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield {group: await redrive_clients(group, monkeypatch) for group in CONSUMER_GROUPS}
