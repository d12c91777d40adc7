"""Benchmark: analytics' projection of HRIS outcomes (and their erasures), in process.

Projects a generated stream through `analytics.usecases.projection.Projection` into a fresh
database of the embedded MongoDB (or of ``--mongodb-url``), in transactions of 5,000 events
(analytics' consumer batch), as the service does, without Kafka: ``--people`` people with
``--outcomes`` `OutcomeRecorded` each (hired, a performance band, promotions), in the order
they happened, and an `OutcomesErased` for a share ``--erasures`` of them (an hour after their
outcomes at most). ``--control`` publishes as many `DirectoryPersonChanged` instead (no
outcome at all). Only the projection is timed; prints, as its last line::

    outcome_projection label=<l> events=<n> seconds=<s> events_per_s=<r> client_cpu_s=<s>
      db_cpu_s=<s> writes=<n> outcomes_kept=<n>

``db_cpu_s`` is the CPU time of the local SecantusDB serving the URL (from /proc, Linux only;
nan elsewhere); with ``client_cpu_s`` it moves far less with a shared machine's load than the
wall clock. To compare two versions of analytics, run the same command with each on the
Python path against one ``--mongodb-url`` (``devstack up``), alternating.

Usage: python benchmarks/bench_outcome_projection.py [--people 8000] [--outcomes 4]
       [--erasures 0.1] [--control] [--mongodb-url URL] [--label name] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from analytics.adapters.read_models import ReadModels
from analytics.usecases.projection import Projection
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import DirectoryPersonChanged, OutcomeRecorded
from mentorship_contracts.types import DirectorySource, OutcomeKind, Seniority
from mentorship_devstack.stack import provide
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import create_client, ensure_indexes
from mentorship_kit.outbox import Outbox, Transaction, Transactor

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
BATCH = 5000
"""Events per transaction: analytics' consumer batch (`CONSUMER_BATCH_SIZE`)."""
KINDS = (OutcomeKind.HIRED, OutcomeKind.PERFORMANCE_BAND, OutcomeKind.PROMOTION)


def _person_events(
    n: int, outcomes: int, *, control: bool, at: datetime
) -> list[tuple[datetime, IntegrationEvent]]:
    person = f"person-{n:06d}"
    if control:
        return [
            (
                at + timedelta(seconds=version),
                DirectoryPersonChanged(
                    person_id=person,
                    department="sales",
                    seniority=Seniority.SENIOR,
                    active=True,
                    source=DirectorySource.HRIS_IMPORT,
                    version=version,
                    changed_at=at,
                ),
            )
            for version in range(1, outcomes + 1)
        ]
    found: list[tuple[datetime, IntegrationEvent]] = []
    for k in range(outcomes):
        kind = KINDS[min(k, len(KINDS) - 1)]
        event = OutcomeRecorded(
            outcome_id=f"out-{n}-{k}",
            person_id=person,
            kind=kind,
            occurred_on=date(2018 + k, 1, 1),
            performance_band=3 if kind is OutcomeKind.PERFORMANCE_BAND else None,
            recorded_at=at,
        )
        found.append((at + timedelta(seconds=k), event))
    return found


def stream(arguments: argparse.Namespace, rng: random.Random) -> list[Envelope[Any]]:
    """The events, in the order they happened, each in its envelope."""
    events: list[tuple[datetime, IntegrationEvent]] = []
    for n in range(arguments.people):
        at = START + timedelta(seconds=rng.randrange(86_400))
        events += _person_events(n, arguments.outcomes, control=arguments.control, at=at)
        if not arguments.control and rng.random() < arguments.erasures:
            from mentorship_contracts.events import OutcomesErased

            erased = at + timedelta(seconds=arguments.outcomes + rng.randrange(3600))
            events.append((erased, OutcomesErased(person_id=f"person-{n:06d}", erased_at=erased)))
    events.sort(key=lambda pair: pair[0])
    return [
        wrap(
            event,
            source="bench",
            aggregate_id=str(getattr(event, "person_id", "")),
            occurred_at=at,
            event_id=uuid.UUID(int=rng.getrandbits(128)),
        )
        for at, event in events
    ]


def database_cpu_seconds(mongodb_url: str) -> float:
    """CPU time the local SecantusDB serving this URL's port has used (nan: not found)."""
    port = str(urlsplit(mongodb_url).port).encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
            if b"secantus" in argv and port in argv:
                fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return math.nan


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(arguments: argparse.Namespace, mongodb_url: str) -> None:
    """Project the stream into a scratch database and print the figures."""
    envelopes = stream(arguments, random.Random(arguments.seed))
    client = create_client(mongodb_url, app_name="bench")
    database = client[f"bench_outcomes_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(database, list(ReadModels.indexes()))
    transactor = Transactor(
        client,
        Outbox(database, retention=timedelta(hours=1)),
        source="bench",
        metrics=Metrics("bench", "0"),
    )
    projection = Projection(ReadModels(database))
    written = 0
    cpu, db_cpu, started = _cpu_seconds(), database_cpu_seconds(mongodb_url), time.perf_counter()
    for start in range(0, len(envelopes), BATCH):
        batch = envelopes[start : start + BATCH]

        async def project(tx: Transaction, batch: list[Envelope[Any]] = batch) -> int:
            return sum((await projection.project(batch, tx)).written.values())

        written += await transactor.run(project)
    seconds = time.perf_counter() - started
    cpu, db_cpu = _cpu_seconds() - cpu, database_cpu_seconds(mongodb_url) - db_cpu
    kept = await database["rm_outcomes"].count_documents({})
    await client.drop_database(database.name)
    await client.close()
    print(
        f"outcome_projection label={arguments.label or '-'} events={len(envelopes)} "
        f"seconds={seconds:.2f} events_per_s={len(envelopes) / seconds:.0f} "
        f"client_cpu_s={cpu:.2f} db_cpu_s={db_cpu:.2f} writes={written} outcomes_kept={kept}",
        flush=True,
    )


def main() -> None:
    """Parse the arguments, start the embedded servers unless given a URL, run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=8000)
    parser.add_argument("--outcomes", type=int, default=4)
    parser.add_argument("--erasures", type=float, default=0.0)
    parser.add_argument("--control", action="store_true")
    parser.add_argument("--mongodb-url", default="")
    parser.add_argument("--label", default="")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    if arguments.mongodb_url:
        asyncio.run(run(arguments, arguments.mongodb_url))
        return
    with tempfile.TemporaryDirectory(prefix="bench-outcomes-") as scratch:
        running = provide(Path(scratch) / "stack", kafka_storage="memory")
        try:
            asyncio.run(run(arguments, running.infrastructure.mongodb_url))
        finally:
            running.stop()


if __name__ == "__main__":
    main()
