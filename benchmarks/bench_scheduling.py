"""Benchmark: plan the session series of a program's newly approved pairs.

Starts the embedded infrastructure (or uses KAFKA_BOOTSTRAP / MONGODB_URL) and the scheduling
service as a real process. For each size it publishes a program (six months, biweekly by
default), the registrations of every mentor and mentee (time zones spread over four
continents) and waits until scheduling has them; then it publishes one `PairCreated` per pair,
as an approval does, and times:

- ``planned_s``: until every pair's series and sessions are stored (what
  ``GET /v1/pairs/{id}/sessions`` serves);
- ``published_s``: until every `SessionScheduled` those series caused has left the outbox.

It also samples what ``GET /v1/pairs/{id}/sessions`` answers for the last pair while the
series are being planned. As a baseline, in the same run and on the same database server, it
times a plain ``insert_many`` of the very session documents the service stored (no
transaction, no index but ``_id``), and again into a collection with the sessions
collection's own indexes (the floor for storing those sessions at all). ``planned_vs_raw``
is planning's rate as a share of the raw insert rate (``raw_insert_s / planned_s``),
``planned_vs_indexed`` the same against the indexed insert. The machine is shared, so it
also reports the database server's CPU time while planning (``planned_db_cpu_s``) and during
the raw insert (``raw_db_cpu_s``), and planning's rate per database CPU second as a share of
the raw insert's (``cpu_planned_vs_raw``, "n/a" when /proc does not tell), and the
service process's own CPU time while planning (``planned_service_cpu_s``). Progress is
polled every `POLL_S` seconds with a count the database answers without a scan, so the
polling itself costs the server next to nothing. It prints, as its last line, one group of
figures per size:

    scheduling pairs=<n> sessions=<m> planned_s=<s> pairs_per_s=<r> published_s=<s>
    raw_insert_s=<s> raw_docs_per_s=<r> indexed_insert_s=<s> planned_vs_raw=<share>
    planned_vs_indexed=<share> planned_db_cpu_s=<s> raw_db_cpu_s=<s>
    cpu_planned_vs_raw=<share> planned_service_cpu_s=<s> answers=<codes> | pairs=...

Usage: python benchmarks/bench_scheduling.py [--pairs 354 5000] [--cadence biweekly]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bench_analytics import (  # type: ignore[import-not-found]
    cpu_seconds,
    cpu_share,
    database_cpu_seconds,
    publish,
    seconds,
)
from pymongo import AsyncMongoClient, IndexModel

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import PairCreated, ParticipantRegistered, ProgramCreated
from mentorship_contracts.examples import example
from mentorship_contracts.types import Cadence, ParticipantRole
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.pytest_plugin import benchmark_service

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/London")
PROGRAM_DAYS = 182
POLL_S = 2.0
STALL_S = 300.0
SERVICE_DATABASE_PREFIX = "test_scheduling_"
BASELINE_DATABASE = "bench_scheduling_baseline"


@dataclass(frozen=True, slots=True)
class Figures:
    """What one size measured."""

    pairs: int
    sessions: int
    planned_s: float
    published_s: float
    raw_insert_s: float
    indexed_insert_s: float
    planned_db_cpu_s: float | None
    raw_db_cpu_s: float | None
    planned_service_cpu_s: float | None
    answers: tuple[int, ...]

    def line(self) -> str:
        """The size's figures, as ``name=value`` words."""
        return (
            f"pairs={self.pairs} sessions={self.sessions} planned_s={self.planned_s:.2f} "
            f"pairs_per_s={self.pairs / self.planned_s:.0f} published_s={self.published_s:.2f} "
            f"raw_insert_s={self.raw_insert_s:.2f} "
            f"raw_docs_per_s={self.sessions / self.raw_insert_s:.0f} "
            f"indexed_insert_s={self.indexed_insert_s:.2f} "
            f"planned_vs_raw={self.raw_insert_s / self.planned_s:.2f} "
            f"planned_vs_indexed={self.indexed_insert_s / self.planned_s:.2f} "
            f"planned_db_cpu_s={seconds(self.planned_db_cpu_s)} "
            f"raw_db_cpu_s={seconds(self.raw_db_cpu_s)} "
            "cpu_planned_vs_raw="
            f"{cpu_share(self.sessions, self.planned_db_cpu_s, self.sessions, self.raw_db_cpu_s)} "
            f"planned_service_cpu_s={seconds(self.planned_service_cpu_s)} "
            f"answers={','.join(map(str, self.answers))}"
        )


def program_events(program_id: str, cadence: Cadence, now: datetime) -> list[IntegrationEvent]:
    """A program that starts today."""
    return [
        example(
            ProgramCreated,
            program_id=program_id,
            cadence=cadence,
            starts_on=now.date(),
            ends_on=now.date() + timedelta(days=PROGRAM_DAYS),
            session_minutes=60,
        )
    ]


def registrations(program_id: str, pairs: int) -> list[IntegrationEvent]:
    """One mentor and one mentee per pair, in five time zones."""
    base = example(ParticipantRegistered)
    events: list[IntegrationEvent] = []
    for pair in range(pairs):
        for role, letter in ((ParticipantRole.MENTOR, "m"), (ParticipantRole.MENTEE, "e")):
            participant = f"{program_id}-{letter}{pair}"
            zone = ZONES[(pair + (role is ParticipantRole.MENTEE)) % len(ZONES)]
            events.append(
                example(
                    ParticipantRegistered,
                    participant_id=participant,
                    program_id=program_id,
                    person_id=f"person-{participant}",
                    role=role,
                    capacity=1 if role is ParticipantRole.MENTOR else 0,
                    profile=base.profile.model_copy(update={"time_zone": zone}),
                )
            )
    return events


def pair_events(program_id: str, pairs: int, now: datetime) -> list[IntegrationEvent]:
    """The approval: one PairCreated per pair."""
    return [
        example(
            PairCreated,
            pair_id=f"{program_id}-p{pair}",
            program_id=program_id,
            mentor_participant_id=f"{program_id}-m{pair}",
            mentee_participant_id=f"{program_id}-e{pair}",
            mentor_person_id=f"person-{program_id}-m{pair}",
            mentee_person_id=f"person-{program_id}-e{pair}",
            created_at=now,
        )
        for pair in range(pairs)
    ]


async def service_database(
    client: AsyncMongoClient[dict[str, Any]], prefix: str = SERVICE_DATABASE_PREFIX
) -> str:
    """The service process's database (the only one of its name on this server)."""
    for _ in range(int(60 / POLL_S)):
        names = await client.list_database_names()
        ours = [name for name in names if name.startswith(prefix)]
        if len(ours) == 1:
            return ours[0]
        await asyncio.sleep(POLL_S)
    msg = f"the service's database ({prefix}...) did not appear"
    raise RuntimeError(msg)


async def wait_for(
    count: Callable[[], Awaitable[int]],
    done: Callable[[int], bool],
    what: str,
    on_poll: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Poll ``count`` until ``done(count)``; give up when it stops moving for `STALL_S`."""
    last, progressed = -1, time.perf_counter()
    while not done(found := await count()):
        if found != last:
            last, progressed = found, time.perf_counter()
        elif time.perf_counter() - progressed > STALL_S:
            msg = f"STALLED at {found} {what}"
            raise RuntimeError(msg)
        if on_poll is not None:
            await on_poll()
        await asyncio.sleep(POLL_S)


@dataclass(frozen=True, slots=True)
class Timed:
    """How long something took, and the database server's CPU time meanwhile (if known)."""

    seconds: float
    db_cpu_s: float | None


async def timed(work: Awaitable[object], mongodb_url: str) -> Timed:
    """Run ``work``; its wall-clock time and the database server's CPU time during it."""
    cpu_before = database_cpu_seconds(mongodb_url)
    started = time.perf_counter()
    await work
    elapsed = time.perf_counter() - started
    cpu_after = database_cpu_seconds(mongodb_url)
    return Timed(elapsed, difference(cpu_before, cpu_after))


def difference(before: float | None, after: float | None) -> float | None:
    """``after - before``, unless either is unknown."""
    return None if before is None or after is None else after - before


async def raw_insert(
    client: AsyncMongoClient[dict[str, Any]],
    mongodb_url: str,
    documents: list[dict[str, Any]],
    indexes: Sequence[IndexModel] = (),
    *,
    name: str = "sessions",
) -> Timed:
    """How long one plain ``insert_many`` of ``documents`` takes on a fresh collection."""
    collection = client[BASELINE_DATABASE][f"{name}_{len(documents)}"]
    await collection.drop()
    if indexes:
        await collection.create_indexes(list(indexes))
    took = await timed(collection.insert_many(documents, ordered=False), mongodb_url)
    await collection.drop()
    return took


async def session_indexes(database: Any) -> list[IndexModel]:
    """The secondary indexes of the service's sessions collection, as it declared them."""
    found = await database["sessions"].index_information()
    return [IndexModel(spec["key"], name=name) for name, spec in found.items() if name != "_id_"]


@dataclass(frozen=True, slots=True)
class Bench:
    """The service under test and the infrastructure it runs on."""

    service: httpx.AsyncClient
    mongo: AsyncMongoClient[dict[str, Any]]
    mongodb_url: str
    service_pid: int
    bootstrap: str
    prefix: str
    cadence: Cadence

    async def run(self, pairs: int) -> Figures:
        """Plan ``pairs`` new pairs of a fresh program and measure it."""
        program_id = f"bench-{pairs}-{int(time.time())}"
        now = datetime.now(UTC)
        await publish(self.bootstrap, self.prefix, program_events(program_id, self.cadence, now))
        await publish(self.bootstrap, self.prefix, registrations(program_id, pairs))
        database = self.mongo[await service_database(self.mongo)]
        mine = {"program_id": program_id}
        await wait_for(
            lambda: database["participants"].count_documents(mine),
            lambda found: found >= 2 * pairs,
            "registrations known",
        )
        print(f"{pairs} pairs: program and {2 * pairs} registrations known", flush=True)

        last_pair = f"{program_id}-p{pairs - 1}"
        answers: list[int] = []

        async def sample() -> None:
            response = await self.service.get(
                f"/v1/pairs/{last_pair}/sessions", headers=ADMIN_HEADERS
            )
            if not answers or answers[-1] != response.status_code:
                answers.append(response.status_code)

        # The series collection holds this program's series and earlier sizes' only:
        # its estimated count is read from the collection's metadata, with no scan.
        before = await database["series"].estimated_document_count()
        cpu_before = database_cpu_seconds(self.mongodb_url)
        service_before = cpu_seconds(self.service_pid)
        started = time.perf_counter()
        await publish(self.bootstrap, self.prefix, pair_events(program_id, pairs, now))
        await wait_for(
            database["series"].estimated_document_count,
            lambda found: found - before >= pairs,
            "series planned",
            sample,
        )
        planned = time.perf_counter() - started
        cpu_after = database_cpu_seconds(self.mongodb_url)
        planned_cpu = difference(cpu_before, cpu_after)
        service_cpu = difference(service_before, cpu_seconds(self.service_pid))
        await sample()
        await wait_for(
            lambda: database["outbox"].count_documents({"status": "pending"}),
            lambda found: found == 0,
            "outbox batches pending",
        )
        published = time.perf_counter() - started
        sessions = await database["sessions"].count_documents(mine)
        print(
            f"{pairs} pairs: {sessions} sessions planned in {planned:.2f}s, "
            f"announced in {published:.2f}s",
            flush=True,
        )
        # The baseline stores the very documents the service stored (same ids, fields and
        # index keys), in a fresh collection of the same server.
        documents = [document async for document in database["sessions"].find(mine)]
        raw = await raw_insert(self.mongo, self.mongodb_url, documents)
        indexed = await raw_insert(
            self.mongo, self.mongodb_url, documents, await session_indexes(database)
        )
        print(
            f"{pairs} pairs: raw insert_many of {sessions} documents in {raw.seconds:.2f}s "
            f"({indexed.seconds:.2f}s with the sessions collection's indexes); database CPU "
            f"{seconds(planned_cpu)}s planning, {seconds(raw.db_cpu_s)}s raw",
            flush=True,
        )
        return Figures(
            pairs,
            sessions,
            planned,
            published,
            raw.seconds,
            indexed.seconds,
            planned_cpu,
            raw.db_cpu_s,
            service_cpu,
            tuple(answers),
        )


async def main(sizes: list[int], cadence: Cadence) -> int:
    """Run the benchmark; returns the exit status."""
    async with (
        benchmark_service("scheduling") as (process, infrastructure, prefix),
        httpx.AsyncClient(base_url=process.base_url, timeout=60) as service,
    ):
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            infrastructure.mongodb_url, tz_aware=True
        )
        bench = Bench(
            service,
            mongo,
            infrastructure.mongodb_url,
            process.process.pid,
            infrastructure.kafka_bootstrap,
            prefix,
            cadence,
        )
        try:
            figures = [await bench.run(pairs) for pairs in sizes]
        finally:
            await mongo.close()
    print("scheduling " + " | ".join(item.line() for item in figures))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, nargs="+", default=[354, 5000])
    parser.add_argument("--cadence", type=Cadence, default=Cadence.BIWEEKLY)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.pairs, arguments.cadence)))
