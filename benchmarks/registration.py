"""Benchmark: register N participants through the HTTP API, then N through one CSV import.

Runs the registration service as a real process against the embedded infrastructure (or
KAFKA_BOOTSTRAP / MONGODB_URL), with its outbox relay publishing to Kafka as in production.
After the import it inserts the very documents the import stored (the program's
``participants``, read back) into a fresh collection of the same database with one plain
``insert_many``: the raw bulk insert rate of that database for those documents, measured in the
same run, once without indexes and once with the ``participants`` collection's own indexes.
The last line is the result (``csv_vs_raw`` is the import's rows/s over the plain raw rate):

    registration n=<N> concurrency=<C> http_rps=<r/s> http_p50_ms=<ms> http_p99_ms=<ms>
                 csv_rows_per_s=<rows/s> csv_s=<s> raw_docs_per_s=<docs/s>
                 raw_indexed_docs_per_s=<docs/s> csv_vs_raw=<ratio>

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
from pymongo import AsyncMongoClient, IndexModel

from mentorship_devstack.api import ADMIN_HEADERS, create_program
from mentorship_devstack.pytest_plugin import benchmark_service
from mentorship_devstack.workloads import PersonSpec, csv_export, people

RETRIES_METRIC = "mentorship_transaction_retries_total"
SERVICE_DATABASE_PREFIX = "test_registration_"
BASELINE_COLLECTION = "bench_raw_participants"


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


async def _service_database(client: AsyncMongoClient[dict[str, Any]]) -> str:
    """The registration process's database (the only one of its name on this server)."""
    ours = [
        name
        for name in await client.list_database_names()
        if name.startswith(SERVICE_DATABASE_PREFIX)
    ]
    if len(ours) != 1:
        msg = f"expected one registration database, found {ours}"
        raise RuntimeError(msg)
    return ours[0]


async def _raw_insert(
    mongo: AsyncMongoClient[dict[str, Any]], program_id: str, *, indexed: bool
) -> tuple[int, float]:
    """Documents and seconds of one plain ``insert_many`` of the import's registrations.

    The documents are the ones the import stored, read back, inserted into a fresh collection
    of the same database (with the ``participants`` collection's indexes when ``indexed``).
    """
    database = mongo[await _service_database(mongo)]
    documents = [
        document async for document in database["participants"].find({"program_id": program_id})
    ]
    baseline = database[BASELINE_COLLECTION]
    await baseline.drop()
    if indexed:
        found = await database["participants"].index_information()
        await baseline.create_indexes(
            [
                IndexModel(spec["key"], name=name, unique=spec.get("unique", False))
                for name, spec in found.items()
                if name != "_id_"
            ]
        )
    started = time.perf_counter()
    await baseline.insert_many(documents, ordered=False)
    elapsed = time.perf_counter() - started
    await baseline.drop()
    return len(documents), elapsed


async def main(participants: int, concurrency: int, *, csv_only: bool) -> None:
    """Run the phases and print the figures."""
    async with benchmark_service("registration") as (service, infrastructure, _):
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=service.base_url, timeout=60, limits=limits
        ) as client:
            http_s, latencies = float("nan"), [float("nan")]
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
            print(
                f"csv: {participants} rows in one upload in {csv_s:.2f}s "
                f"({participants / csv_s:.0f} rows/s)",
                flush=True,
            )
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb_url)
            try:
                raw_docs, raw_s = await _raw_insert(mongo, csv_program, indexed=False)
                _, indexed_s = await _raw_insert(mongo, csv_program, indexed=True)
            finally:
                await mongo.close()
            print(
                f"raw: one insert_many of the import's {raw_docs} registration documents in "
                f"{raw_s:.2f}s ({raw_docs / raw_s:.0f}/s), {indexed_s:.2f}s with the "
                f"participants collection's indexes ({raw_docs / indexed_s:.0f}/s)",
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
    csv_rate, raw_rate = participants / csv_s, raw_docs / raw_s
    print(
        f"registration n={participants} concurrency={concurrency} "
        f"http_rps={participants / http_s:.1f} http_p50_ms={p50:.1f} http_p99_ms={p99:.1f} "
        f"csv_rows_per_s={csv_rate:.1f} csv_s={csv_s:.2f} raw_docs_per_s={raw_rate:.1f} "
        f"raw_indexed_docs_per_s={raw_docs / indexed_s:.1f} csv_vs_raw={csv_rate / raw_rate:.3f}"
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
