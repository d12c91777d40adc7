"""Page speed of the portal: the server time of each page over 200 requests (p50, p95).

Starts its own stack (embedded Kafka and MongoDB, the identity provider, the five services,
the portal), signs a mentee in through the identity provider, registers and matches her, then
asks for every page ``--requests`` times. The portal reports each page's time and its slowest
API call in its ``Server-Timing`` header; the bar is p95(page) <= 3 x p95(slowest API call).
The last line is JSON with the figures.

    python benchmarks/bench_portal.py [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from mentorship_devstack.identity import start_identity_provider
from mentorship_devstack.pytest_plugin import ServiceLauncher, fresh_kafka_prefix
from mentorship_devstack.servers import free_port
from mentorship_devstack.services import SERVICES
from mentorship_devstack.stack import provide
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_devstack.workloads import program_settings

ADMIN = bearer(DEV_ADMIN_TOKEN)
TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def until(probe: Any, timeout_s: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.3)
    raise TimeoutError("the stack did not get there in time")


def sign_in(portal: httpx.Client, subject: str) -> None:
    """The authorization code flow, as a browser would follow it."""
    authorize = portal.get("/signin").headers["location"]
    answer = httpx.post(authorize, data={"sub": subject}, follow_redirects=False)
    callback = answer.headers["location"]
    done = portal.get(callback.removeprefix(str(portal.base_url).rstrip("/")))
    assert done.status_code == 303, done.text


def prepare(urls: dict[str, str], portal: httpx.Client, mentee_token: str) -> dict[str, str]:
    """A program, a mentor (API), a mentee (portal), matched, a session held; page paths."""
    today = datetime.now(UTC).date()
    settings = program_settings(
        starts_on=(today - timedelta(days=7)).isoformat(),
        ends_on=(today + timedelta(days=150)).isoformat(),
        cadence="weekly",
        matching_mode="both",  # mentees may choose: the "choose mentors" page has candidates
    )
    program_id = httpx.post(
        f"{urls['registration']}/v1/programs", json=settings, headers=ADMIN
    ).json()["program_id"]
    base = {"seniority": "associate", "discipline": "design", "locations": ["remote"]}
    common = {"time_zone": "Europe/Berlin", "languages": ["en"]}
    mentor = {
        "employee_id": "bench-mentor",
        "name": "Mentor",
        "email": "mentor@example.com",
        "answers": {**base, **common, "role": "mentor", "capacity": 1, "seniority": "director"},
    }
    httpx.post(
        f"{urls['registration']}/v1/programs/{program_id}/registrations",
        json=mentor,
        headers=ADMIN,
    ).raise_for_status()
    page = portal.get(f"/programs/{program_id}/register").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = {
        "csrf_token": csrf.group(1),
        "name": "Bench Mentee",
        "email": "mentee@example.com",
        "answers.role": "mentee",
        "answers.seniority": "associate",
        "answers.discipline": "design",
        "answers.locations": "remote",
        "answers.time_zone": "Europe/Berlin",
        "answers.languages": "en",
    }
    registered = portal.post(f"/programs/{program_id}/register", data=form)
    assert registered.status_code == 303, registered.text
    with httpx.Client(base_url=urls["matching"], headers=ADMIN, timeout=10.0) as matching:
        until(lambda: matching.get(f"/v1/programs/{program_id}/pool").json().get("mentees"))
        run_id = matching.post(f"/v1/programs/{program_id}/matching-runs", json={}).json()["run_id"]
        until(lambda: matching.get(f"/v1/matching-runs/{run_id}").json()["status"] == "proposed")
        matching.post(f"/v1/matching-runs/{run_id}/approve").raise_for_status()
        pair_id = until(lambda: matching.get(f"/v1/programs/{program_id}/pairs").json()["pairs"])[
            0
        ]["pair_id"]
    sessions = until(
        lambda: (r := portal.get(f"/pairs/{pair_id}/sessions")).status_code == 200 and r.text
    )
    session_id = re.search(r'data-session-id="([^"]+)"', sessions)
    assert session_id is not None
    mentee = bearer(mentee_token)
    with httpx.Client(base_url=urls["scheduling"], headers=mentee, timeout=10.0) as scheduling:
        soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
        first = f"/v1/sessions/{session_id.group(1)}"
        scheduling.post(f"{first}/reschedule", json={"starts_at": soon}).raise_for_status()
        scheduling.post(f"{first}/held", json={}).raise_for_status()
    return {
        "home": "/",
        "register": f"/programs/{program_id}/register",
        "my match": f"/pairs/{pair_id}",
        "sessions": f"/pairs/{pair_id}/sessions",
        "feedback": f"/sessions/{session_id.group(1)}/feedback",
        "plan": f"/pairs/{pair_id}/plan",
        "choose mentors": f"/programs/{program_id}/mentors",
        "survey": f"/programs/{program_id}/surveys/mid_program",
        "my data": "/me/data",
    }


def measure(portal: httpx.Client, path: str, requests: int, log: Path) -> dict[str, float]:
    pages, apis = [], []
    for _ in range(requests):
        response = portal.get(path)
        if response.status_code != 200:
            sys.stderr.write(log.read_text()[-4000:])
            msg = f"{path} answered {response.status_code}"
            raise AssertionError(msg)
        timing = dict(TIMING.findall(response.headers["server-timing"]))
        pages.append(float(timing["app"]))
        apis.append(float(timing["api"]))
    return {
        "p50_ms": round(statistics.median(pages), 1),
        "p95_ms": round(percentile(pages, 0.95), 1),
        "slowest_api_p95_ms": round(percentile(apis, 0.95), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as scratch:
        state = Path(scratch)
        running = provide(state / "stack")
        identity = start_identity_provider(port=free_port(), state_dir=state)
        prefix = asyncio.run(fresh_kafka_prefix(running.infrastructure))
        launcher = ServiceLauncher(running.infrastructure, prefix, state / "logs")
        try:
            identity.wait_ready()
            quiet = {"LOG_LEVEL": "WARNING", **identity.service_environment()}
            services = {
                name: launcher(name, wait=False, **quiet)  # type: ignore[arg-type]
                for name in SERVICES
            }
            for process in services.values():
                process.wait_ready()
            urls = {name: p.base_url for name, p in services.items()}
            port = free_port()
            portal_process = launcher(
                "portal",
                port=port,
                LOG_LEVEL="WARNING",
                PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
                PORTAL_SESSION_SECRET="benchmark-session-secret-of-enough-length",
                PORTAL_COOKIE_SECURE="false",
                OIDC_ISSUER=identity.issuer,
                **{f"{name.upper()}_URL": url for name, url in urls.items()},  # type: ignore[arg-type]
            )
            with httpx.Client(base_url=portal_process.base_url, timeout=30.0) as portal:
                sign_in(portal, "bench-mentee")
                paths = prepare(urls, portal, identity.token("bench-mentee"))
                figures = {
                    name: measure(portal, path, args.requests, portal_process.log_path)
                    for name, path in paths.items()
                }
        finally:
            launcher.stop_all()
            identity.stop()
            running.stop()
    for name, figure in figures.items():
        bar = "ok" if figure["p95_ms"] <= 3 * max(figure["slowest_api_p95_ms"], 1.0) else "OVER"
        sys.stdout.write(
            f"{name:<10} p50 {figure['p50_ms']:>7} ms  p95 {figure['p95_ms']:>7} ms  "
            f"slowest API call p95 {figure['slowest_api_p95_ms']:>7} ms  {bar}\n"
        )
    sys.stdout.write(json.dumps({"requests_per_page": args.requests, "pages": figures}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
