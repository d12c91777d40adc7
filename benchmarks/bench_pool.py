"""Benchmark: how soon after a registration import matching's pool is complete.

Starts the embedded infrastructure (or uses KAFKA_BOOTSTRAP / MONGODB_URL) and the matching
service as a real process. It publishes a program, then ``--participants`` (10,000 by default)
`ParticipantRegistered` events as fast as a producer can, as registration's relay does after
a CSV import (a company of departments of ten, each person's reporting line up to the top,
one mentor for three mentees), and times, through matching's own API (``GET
/v1/programs/{id}/pool?limit=0``, the counts a program manager sees, without a page: on the
embedded database a page reads and sorts the whole program, over a second at 10,000, and
polling that every half second took half the database's time from the import):

- ``publish_s``: publishing the import (the import "finishing");
- ``complete_after_s``: from then until the pool counts everyone (goal: at most 10 s);
- ``events_per_s``: participants over the time from the first publish to a complete pool.

As a baseline, in the same run and on the same database, it times a plain ``insert_many`` of
the pool's own documents (as matching stored them) into a fresh collection with the pool
collection's indexes, and the same without them. It prints, as its last line:

    pool participants=<n> publish_s=<s> complete_after_s=<s> total_s=<s> events_per_s=<r>
    raw_insert_s=<s> raw_docs_per_s=<r> indexed_insert_s=<s> indexed_docs_per_s=<r>
    vs_indexed=<ratio> vs_raw=<ratio> db_queries=<n> db_inserts=<n> db_updates=<n>
    db_commands=<n>

The ``db_*`` counts are the database server's operation counters (``serverStatus``) from the
first publish to a complete pool: everything matching (and the polling) asked of it.

Usage: python benchmarks/bench_pool.py [--participants 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import httpx
from bench_analytics import publish  # type: ignore[import-not-found]
from bench_scheduling import raw_insert, service_database  # type: ignore[import-not-found]
from pymongo import AsyncMongoClient, IndexModel

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import ParticipantRegistered, ProgramCreated
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.pytest_plugin import benchmark_service

POLL_S = 0.5
"""How often the pool API is asked for its counts."""
STALL_S = 120.0
TEAM = 10
"""People per manager in the generated company."""


def person(n: int) -> str:
    return f"person-{n:06d}"


def reporting_line(n: int) -> tuple[str, ...]:
    """Person ``n``'s managers, the direct one first: a tree of teams of `TEAM`."""
    line: list[str] = []
    while n > 0:
        n = (n - 1) // TEAM
        line.append(person(n))
    return tuple(line)


def import_events(program_id: str, participants: int) -> list[IntegrationEvent]:
    """The registrations a CSV import of ``participants`` people publishes."""
    events: list[IntegrationEvent] = []
    for n in range(participants):
        mentor = n % 4 == 0
        events.append(
            example(
                ParticipantRegistered,
                participant_id=f"{program_id}-{n:06d}",
                program_id=program_id,
                person_id=person(n),
                role=ParticipantRole.MENTOR if mentor else ParticipantRole.MENTEE,
                capacity=3 if mentor else 0,
                reporting_line=reporting_line(n),
            )
        )
    return events


async def pool_size(service: httpx.AsyncClient, program_id: str) -> int:
    """How many participants matching's pool counts (its API's answer)."""
    response = await service.get(
        f"/v1/programs/{program_id}/pool", params={"limit": 0}, headers=ADMIN_HEADERS
    )
    if response.status_code != httpx.codes.OK:
        return 0
    body = response.json()
    return int(body["mentors"]) + int(body["mentees"]) + int(body["both"])


async def wait_until_counted(service: httpx.AsyncClient, program_id: str, wanted: int) -> None:
    """Poll the pool's counts until they reach ``wanted``; give up when they stop moving."""
    last, progressed = -1, time.perf_counter()
    while (found := await pool_size(service, program_id)) < wanted:
        if found != last:
            last, progressed = found, time.perf_counter()
        elif time.perf_counter() - progressed > STALL_S:
            msg = f"STALLED at {found} of {wanted} participants in the pool"
            raise RuntimeError(msg)
        await asyncio.sleep(POLL_S)


async def pool_indexes(database: Any) -> list[IndexModel]:
    """The secondary indexes of matching's pool collection."""
    found = await database["pool"].index_information()
    return [IndexModel(spec["key"], name=name) for name, spec in found.items() if name != "_id_"]


async def main(participants: int) -> int:
    """Run the benchmark; returns the exit status."""
    async with (
        benchmark_service("matching") as (process, infrastructure, prefix),
        httpx.AsyncClient(base_url=process.base_url, timeout=60) as service,
    ):
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            infrastructure.mongodb_url, tz_aware=True
        )
        try:
            program_id = f"bench-pool-{int(time.time())}"
            bootstrap = infrastructure.kafka_bootstrap
            await publish(bootstrap, prefix, [example(ProgramCreated, program_id=program_id)])
            events = import_events(program_id, participants)
            counted = await operations(mongo)
            started = time.perf_counter()
            await publish(bootstrap, prefix, events)
            published = time.perf_counter()
            print(f"{participants} registrations published in {published - started:.2f}s")
            await wait_until_counted(service, program_id, participants)
            complete = time.perf_counter()
            counts = {
                name: after - counted.get(name, 0)
                for name, after in (await operations(mongo)).items()
            }
            print(f"pool complete {complete - published:.2f}s after the import finished")

            database = mongo[await service_database(mongo, "test_matching_")]
            documents = [
                document | {"_id": f"raw-{n}"}
                async for n, document in _numbered(
                    database["pool"].find({"state.program_id": program_id})
                )
            ]
            assert len(documents) == participants, len(documents)
            url = infrastructure.mongodb_url
            raw = (await raw_insert(mongo, url, documents, name="pool")).seconds
            indexes = await pool_indexes(database)
            indexed = (await raw_insert(mongo, url, documents, indexes, name="pool")).seconds
            print(
                f"raw insert_many of {len(documents)} pool documents in {raw:.2f}s "
                f"({indexed:.2f}s with the pool collection's indexes)"
            )
        finally:
            await mongo.close()
    total = complete - started
    print(
        f"pool participants={participants} publish_s={published - started:.2f} "
        f"complete_after_s={complete - published:.2f} total_s={total:.2f} "
        f"events_per_s={participants / total:.0f} raw_insert_s={raw:.2f} "
        f"raw_docs_per_s={participants / raw:.0f} indexed_insert_s={indexed:.2f} "
        f"indexed_docs_per_s={participants / indexed:.0f} "
        f"vs_indexed={indexed / total:.2f} vs_raw={raw / total:.2f} "
        + " ".join(f"{figure}={counts.get(name, 0)}" for name, figure in OPERATIONS.items())
    )
    return 0


OPERATIONS = {
    "query": "db_queries",
    "insert": "db_inserts",
    "update": "db_updates",
    "command": "db_commands",
}
"""The server's operation counters, and the figure each is printed as."""


async def operations(mongo: AsyncMongoClient[dict[str, Any]]) -> dict[str, int]:
    """The server's operation counters so far (by kind)."""
    status = await mongo.admin.command("serverStatus")
    return {name: int(status.get("opcounters", {}).get(name, 0)) for name in OPERATIONS}


async def _numbered(cursor: Any) -> Any:
    n = 0
    async for document in cursor:
        yield n, document
        n += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=10_000)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.participants)))
