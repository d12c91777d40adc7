"""The requests each service answered during the conformance tests, counted and printed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import ServiceLauncher
from mentorship_devstack.servers import free_port
from mentorship_devstack.services import READY_TIMEOUT_S, SERVICES, ServiceProcess
from mentorship_devstack.stack import Infrastructure

REQUESTS_METRIC = "mentorship_http_requests_total"
COUNTS_KEY = pytest.StashKey[dict[str, int]]()


@pytest.fixture(scope="module")
def stack(
    infrastructure: Infrastructure, prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    """Every service with an API, notifications included: wired to a local SMTP server and to
    the services it asks (as `devstack run` wires it)."""
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    launch = ServiceLauncher(infrastructure, prefix, tmp_path_factory.mktemp("conformance"))
    with Mailbox(http_port=None) as mailbox:
        notifications = {
            "SMTP_HOST": mailbox.host,
            "SMTP_PORT": str(mailbox.smtp_port),
            "PUBLIC_BASE_URL": urls["notifications"],
            "REGISTRATION_URL": urls["registration"],
            "FEEDBACK_URL": urls["feedback"],
            "ANALYTICS_URL": urls["analytics"],
        }
        try:
            processes = {
                name: launch(
                    name,
                    wait=False,
                    port=ports[name],
                    **(notifications if name == "notifications" else {}),
                )
                for name in SERVICES
            }
            for process in processes.values():
                # six processes importing at once on a shared 2-core machine: more than the
                # default allowance for one
                process.wait_ready(timeout_s=3 * READY_TIMEOUT_S)
            yield processes
        finally:
            launch.stop_all()


def answered(base_url: str) -> int:
    """How many requests the service answered, its own /metrics scrapes left out."""
    exposition = httpx.get(f"{base_url}/metrics", timeout=10.0).text
    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
            if sample.name == REQUESTS_METRIC and sample.labels["route"] != "/metrics"
        )
    )


@pytest.fixture(scope="module")
def counted(stack: dict[str, ServiceProcess], pytestconfig: pytest.Config) -> Iterator[None]:
    """Counts the requests each service answered during the module's tests."""
    before = {name: answered(process.base_url) for name, process in stack.items()}
    yield
    counts = pytestconfig.stash.setdefault(COUNTS_KEY, {})
    for name, process in stack.items():
        counts[name] = counts.get(name, 0) + answered(process.base_url) - before[name]


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """One line per service: the requests it answered during the conformance tests."""
    counts = config.stash.get(COUNTS_KEY, None)
    if not counts:
        return
    terminalreporter.section("schemathesis: requests each service answered")
    for service, count in counts.items():
        terminalreporter.write_line(f"{service}: {count}")
    terminalreporter.write_line(f"total: {sum(counts.values())}")
