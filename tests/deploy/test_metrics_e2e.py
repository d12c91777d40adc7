"""The metrics the alerts and dashboards read, scraped from the five services running for real."""

from __future__ import annotations

import httpx
import pytest

from mentorship_devstack.pytest_plugin import ServiceLauncher
from mentorship_devstack.services import SERVICES

from .checks import monitoring
from .declared import Wiring
from .manifests import PROD, Overlays
from .promql import exposition_families, queryable

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_alerts_and_dashboards_read_metrics_the_running_services_expose(
    overlays: Overlays, wirings: dict[str, Wiring], launch: ServiceLauncher
) -> None:
    processes = [launch(service, wait=False) for service in SERVICES]
    scraped: dict[str, set[tuple[str, str]]] = {}
    for process in processes:
        process.wait_ready()
        async with httpx.AsyncClient(base_url=process.base_url, timeout=5.0) as client:
            response = await client.get("/metrics")
        response.raise_for_status()
        scraped[process.name] = set(exposition_families(response.text))

    exposed = queryable(family for families in scraped.values() for family in families)
    assert monitoring.metric_problems(overlays[PROD], exposed) == []
    # What the fast tests read from the apps' wiring is what the services really expose.
    for service, families in scraped.items():
        wired = queryable(wirings[service].families)
        assert queryable(families) == wired, service
