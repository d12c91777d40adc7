"""All five services as real processes: an event flows from each producer to its consumers."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from mentorship_contracts.events import PairCreated, SessionCompleted
from mentorship_contracts.examples import example
from mentorship_devstack.api import create_program, register
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import SERVICES, ServiceProcess
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REGISTRATION_VISIBLE_WITHIN_S = 2.0
ADMIN = bearer(DEV_ADMIN_TOKEN)


def _api(processes: dict[str, ServiceProcess]) -> Callable[[str], httpx.AsyncClient]:
    return lambda name: httpx.AsyncClient(base_url=processes[name].base_url, timeout=5.0)


async def test_a_registration_reaches_analytics_and_matching_within_two_seconds(
    stack: dict[str, ServiceProcess],
) -> None:
    api = _api(stack)
    mentor = next(p for p in people(20, seed=3) if p.answers["role"] == "mentor")
    async with api("registration") as registration, api("analytics") as analytics:
        program_id = await create_program(registration)
        started = time.monotonic()
        registered = await register(registration, program_id, mentor)

        async def report() -> dict[str, int]:
            body: dict[str, int] = (
                await analytics.get(
                    f"/v1/programs/{program_id}/reports/registration", headers=ADMIN
                )
            ).json()
            return body

        body = await eventually(report, lambda body: body["participants"] == 1, timeout_s=10)
        elapsed = time.monotonic() - started
    assert body["mentors"] == 1
    assert body["mentor_capacity"] == registered["capacity"] == mentor.answers["capacity"]
    assert elapsed < REGISTRATION_VISIBLE_WITHIN_S, f"took {elapsed:.2f}s"

    async with api("matching") as matching:
        pool = await eventually(
            lambda: matching.get(f"/v1/programs/{program_id}/pool", headers=ADMIN),
            lambda response: response.json()["mentors"] == 1,
        )
    assert pool.status_code == 200


async def test_pair_and_session_events_reach_scheduling_and_feedback(
    stack: dict[str, ServiceProcess], infrastructure: Infrastructure, prefix: str
) -> None:
    await publish_events(
        infrastructure.kafka_bootstrap,
        [example(PairCreated, pair_id="pair-e2e"), example(SessionCompleted, pair_id="pair-e2e")],
        prefix=prefix,
        source="matching",
    )
    api = _api(stack)
    async with api("scheduling") as scheduling, api("feedback") as feedback:
        pair = await eventually(
            lambda: scheduling.get("/v1/pairs/pair-e2e", headers=ADMIN),
            lambda r: r.status_code == 200,
        )
        opening = await eventually(
            lambda: feedback.get("/v1/sessions/sess-1/feedback-opening", headers=ADMIN),
            lambda r: r.status_code == 200,
        )
    assert pair.json()["active"] is True
    assert opening.json()["pair_id"] == "pair-e2e"


async def test_every_service_exposes_probes_metrics_and_openapi(
    stack: dict[str, ServiceProcess],
) -> None:
    api = _api(stack)
    # Notifications runs in tests/test_notifications.py, with its SMTP server wired in.
    assert set(stack) == set(SERVICES) - {"notifications"}
    for name in stack:
        async with api(name) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            ready = (await client.get("/readyz")).json()
            # Every service consumes now (registration follows pairs), so each has a consumer.
            checks = {"mongodb": True, "kafka": True, "consumer": True}
            assert ready == {"status": "ready", "checks": checks}
            metrics = (await client.get("/metrics")).text
            assert f'mentorship_build_info{{service="{name}"' in metrics
            assert "mentorship_outbox_pending_messages" in metrics
            openapi = (await client.get("/openapi.json")).json()
            assert "/healthz" in openapi["paths"]
