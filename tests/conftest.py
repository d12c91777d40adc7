"""Fixtures of the cross-service tests: per test module, its own topics and running services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mentorship_devstack.pytest_plugin import fresh_kafka_prefix, running_services
from mentorship_devstack.services import SERVICES, ServiceProcess
from mentorship_devstack.stack import Infrastructure


@pytest.fixture(scope="module")
async def prefix(infrastructure: Infrastructure) -> str:
    """A topic and consumer-group prefix of this module's own."""
    return await fresh_kafka_prefix(infrastructure)


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest,
    infrastructure: Infrastructure,
    prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, ServiceProcess]]:
    """The services the module lists in ``STACK_SERVICES``, started once.

    By default every service but notifications, which needs an SMTP server and the other
    services' addresses wired in (tests/test_notifications.py starts it so).
    """
    default = tuple(name for name in SERVICES if name != "notifications")
    names: tuple[str, ...] = getattr(request.module, "STACK_SERVICES", default)
    logs = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with running_services(infrastructure, prefix, logs, names) as processes:
        yield processes
