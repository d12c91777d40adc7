"""Benchmark: register N participants through the HTTP API, then N through one CSV import.

Runs the registration service as a real process against the embedded infrastructure (or
KAFKA_BOOTSTRAP / MONGODB_URL), with its outbox relay publishing to Kafka as in production.
As the baseline of the import, in the same run and on the same database, it times one plain
``insert_many`` of the participant documents the import stored (copies, into a fresh
collection), bare and with the participants collection's indexes: ``csv_vs_raw`` and
``csv_vs_indexed`` are the import's rows per second over those inserts' documents per second
(issue #20.3 asks at least 0.5; the import also writes the outbox and the directory).
The last line is the result:

    registration n=<N> concurrency=<C> http_rps=<r/s> http_p50_ms=<ms> http_p99_ms=<ms>
                 csv_rows_per_s=<rows/s> csv_s=<s> raw_insert_s=<s> indexed_insert_s=<s>
                 csv_vs_raw=<x> csv_vs_indexed=<x>

Usage: python benchmarks/registration.py [--participants 10000] [--concurrency 32] [--csv-only]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import httpx
from bench_scheduling import raw_insert, service_database  # type: ignore[import-not-found]
from pymongo import AsyncMongoClient, IndexModel

from mentorship_devstack.api import ADMIN_HEADERS, create_program
from mentorship_devstack.pytest_plugin import benchmark_service
from mentorship_devstack.workloads import PersonSpec, csv_export, people

RETRIES_METRIC = "mentorship_transaction_retries_total"


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _register_over_http(
    client: httpx.AsyncClient, program_id: str, persons: list[PersonSpec], concurrency: int
) -> tuple[float, list[float]]:
    queue: asyncio.Queue[PersonSpec] = asyncio.Queue()
    for person in persons:
        queue.put_nowait(person)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            person = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(
                f"/v1/programs/{program_id}/registrations",
                json=person.registration(),
                headers=ADMIN_HEADERS,
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                msg = f"registration failed: {response.status_code} {response.text[:300]}"
                raise RuntimeError(msg)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def _import_csv(
    client: httpx.AsyncClient, program_id: str, text: str
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = await client.post(
        f"/v1/programs/{program_id}/registrations/import",
        content=text.encode(),
        headers=ADMIN_HEADERS | {"content-type": "text/csv"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    return elapsed, report


async def _raw_baseline(mongo_url: str, program_id: str) -> tuple[int, float, float]:
    """How many participant documents the import stored; one insert of copies, bare and
    with the collection's indexes (seconds)."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        database = mongo[await service_database(mongo, "test_registration_")]
        stored = database["participants"]
        documents = [
            document | {"_id": f"raw-{n}"}
            for n, document in enumerate(await stored.find({"program_id": program_id}).to_list())
        ]
        found = await stored.index_information()
        indexes = [
            IndexModel(spec["key"], name=name) for name, spec in found.items() if name != "_id_"
        ]
        raw = await raw_insert(mongo, documents, name="participants")
        indexed = await raw_insert(mongo, documents, indexes, name="participants")
    finally:
        await mongo.close()
    return len(documents), raw, indexed


async def main(participants: int, concurrency: int, *, csv_only: bool) -> None:
    """Run both phases and print the figures."""
    async with benchmark_service("registration") as (service, infrastructure, _):
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=service.base_url, timeout=60, limits=limits
        ) as client:
            http_s, latencies = 0.0, [0.0]
            if not csv_only:
                http_program = await create_program(client)
                http_s, latencies = await _register_over_http(
                    client, http_program, people(participants, seed=1), concurrency
                )
                mean_ms = statistics.mean(latencies) * 1000
                print(
                    f"http: {participants} registrations in {http_s:.1f}s "
                    f"({participants / http_s:.0f}/s, mean {mean_ms:.0f} ms)",
                    flush=True,
                )
            csv_program = await create_program(client)
            csv_s, report = await _import_csv(
                client, csv_program, csv_export(people(participants, seed=2))
            )
            if report["registered"] != participants:
                first = report["errors"][:3]
                msg = f"the import registered {report['registered']} of {participants}: {first}"
                raise RuntimeError(msg)
            print(f"csv: {participants} rows in one upload in {csv_s:.1f}s", flush=True)
            stored, raw_s, indexed_s = await _raw_baseline(infrastructure.mongodb_url, csv_program)
            print(
                f"baseline: insert_many of the {stored} participant documents in {raw_s:.2f}s "
                f"({indexed_s:.2f}s with the collection's indexes)",
                flush=True,
            )
            metrics = (await client.get("/metrics")).text
            retries = next(
                (
                    line
                    for line in metrics.splitlines()
                    if line.startswith("mentorship_transaction_retries_total")
                ),
                "",
            )
            print(f"service: {retries}", flush=True)
    p50, p99 = _percentile(latencies, 0.50) * 1000, _percentile(latencies, 0.99) * 1000
    http = (
        ""
        if csv_only
        else f"http_rps={participants / http_s:.1f} http_p50_ms={p50:.1f} http_p99_ms={p99:.1f} "
    )
    print(
        f"registration n={participants} concurrency={concurrency} {http}"
        f"csv_rows_per_s={participants / csv_s:.1f} csv_s={csv_s:.2f} "
        f"raw_insert_s={raw_s:.2f} indexed_insert_s={indexed_s:.2f} "
        f"csv_vs_raw={participants / csv_s / (stored / raw_s):.3f} "
        f"csv_vs_indexed={participants / csv_s / (stored / indexed_s):.3f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--csv-only", action="store_true", help="skip the HTTP phase (the import and its baseline)"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.participants, arguments.concurrency, csv_only=arguments.csv_only))
    sys.exit(0)
