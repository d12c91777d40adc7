"""Benchmark: the directory of an organisation of N people, as identity providers feed it.

Runs the registration service as a real process against the embedded infrastructure (or
KAFKA_BOOTSTRAP / MONGODB_URL). Provisions N users over SCIM (each naming a manager by SCIM
id, as identity providers do), looks each up by ``userName eq`` (what a provider sends before
a create), imports the same N people from an HRIS CSV, previews a program's access rule over
them and invites the eligible ones. The last line is the result:

    directory n=<N> scim_creates_per_s=<r/s> scim_lookup_p50_ms=<ms> csv_rows_per_s=<rows/s>
              preview_ms=<ms> invited=<count> invite_s=<s>

Usage: python benchmarks/bench_directory.py [--people 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import httpx

from mentorship_devstack.api import ADMIN_HEADERS, create_program
from mentorship_devstack.pytest_plugin import benchmark_service
from mentorship_devstack.tokens import DEV_SCIM_TOKEN

SCIM = {"Authorization": f"Bearer {DEV_SCIM_TOKEN}", "Content-Type": "application/scim+json"}
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
DEPARTMENTS = ("Engineering", "Design", "Sales", "Finance", "People")
SPAN = 6
"""Reports per manager: person i reports to person (i - 1) // SPAN."""


def _user(index: int, manager_id: str | None) -> dict[str, Any]:
    enterprise: dict[str, Any] = {
        "employeeNumber": f"p-{index:06d}",
        "department": DEPARTMENTS[index % len(DEPARTMENTS)],
    }
    if manager_id is not None:
        enterprise["manager"] = {"value": manager_id}
    return {
        "schemas": [CORE, ENTERPRISE],
        "userName": f"p{index}@example.com",
        "displayName": f"Person {index}",
        "emails": [{"value": f"p{index}@example.com", "primary": True}],
        ENTERPRISE: enterprise,
    }


async def _provision(client: httpx.AsyncClient, count: int, concurrency: int) -> float:
    """Create every user, managers before their reports (level by level, in parallel)."""
    ids: dict[int, str] = {}
    started = time.perf_counter()
    level = [0]
    semaphore = asyncio.Semaphore(concurrency)
    while level:

        async def create(index: int) -> None:
            manager = ids[(index - 1) // SPAN] if index else None
            async with semaphore:
                response = await client.post(
                    "/scim/v2/Users", json=_user(index, manager), headers=SCIM
                )
            if response.status_code != 201:
                msg = f"SCIM create failed: {response.status_code} {response.text[:300]}"
                raise RuntimeError(msg)
            ids[index] = response.json()["id"]

        await asyncio.gather(*(create(index) for index in level))
        level = [
            child
            for index in level
            for child in range(index * SPAN + 1, index * SPAN + SPAN + 1)
            if child < count
        ]
    return time.perf_counter() - started


async def _lookups(client: httpx.AsyncClient, count: int) -> list[float]:
    latencies = []
    for index in range(0, count, max(1, count // 200)):
        started = time.perf_counter()
        response = await client.get(
            "/scim/v2/Users", params={"filter": f'userName eq "p{index}@example.com"'}, headers=SCIM
        )
        latencies.append(time.perf_counter() - started)
        if response.json()["totalResults"] != 1:
            msg = f"p{index} not found: {response.text[:300]}"
            raise RuntimeError(msg)
    return latencies


def _csv(count: int) -> str:
    rows = ["employee_id,name,email,department,manager_employee_id"]
    rows += [
        f"h-{index:06d},Person {index},h{index}@example.com,{DEPARTMENTS[index % 5]},"
        + (f"h-{(index - 1) // SPAN:06d}" if index else "")
        for index in range(count)
    ]
    return "\n".join(rows) + "\n"


async def main(count: int, concurrency: int) -> None:
    """Run every phase and print the figures."""
    async with (
        benchmark_service("registration") as (service, _, _),
        httpx.AsyncClient(base_url=service.base_url, timeout=600) as client,
    ):
        scim_s = await _provision(client, count, concurrency)
        print(f"scim: {count} users in {scim_s:.1f}s", flush=True)
        latencies = await _lookups(client, count)
        started = time.perf_counter()
        imported = await client.post(
            "/v1/directory/import",
            content=_csv(count),
            headers=ADMIN_HEADERS | {"content-type": "text/csv"},
        )
        csv_s = time.perf_counter() - started
        if imported.json().get("created") != count:
            msg = f"the import created {imported.text[:300]}"
            raise RuntimeError(msg)
        print(f"csv: {count} people in {csv_s:.1f}s", flush=True)
        program_id = await create_program(client)
        rule = {"anyone": False, "rules": [{"reports_to": "h-000000"}]}
        await client.put(f"/v1/programs/{program_id}/access", json=rule, headers=ADMIN_HEADERS)
        started = time.perf_counter()
        preview = await client.post(
            f"/v1/programs/{program_id}/access/preview", headers=ADMIN_HEADERS
        )
        preview_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        invited = await client.post(
            f"/v1/programs/{program_id}/invitations", json={}, headers=ADMIN_HEADERS
        )
        invite_s = time.perf_counter() - started
        print(f"access: {preview.json()}; invitations: {invited.json()['invited']}", flush=True)
    p50 = statistics.median(latencies) * 1000
    print(
        f"directory n={count} scim_creates_per_s={count / scim_s:.1f} "
        f"scim_lookup_p50_ms={p50:.1f} csv_rows_per_s={count / csv_s:.1f} "
        f"preview_ms={preview_ms:.0f} invited={invited.json()['invited']} invite_s={invite_s:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.people, arguments.concurrency))
    sys.exit(0)
