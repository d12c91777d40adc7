"""Benchmark: push 100,000 events through the analytics consumer and its read models.

Starts the embedded infrastructure (or uses KAFKA_BOOTSTRAP / MONGODB_URL) and the analytics
service as a real process, then publishes a realistic stream as fast as the producer can:
for every pair, its two registrations, the pair, twelve scheduled sessions, what happened to
them, both members' feedback, goal progress and a fit answer, across ten programs. Event
times are the publish times, so the projection lag is how far the read models trail the
stream. It checks one report against the generated counts, and prints as its last line:

    analytics events=<n> seconds=<s> events_per_s=<r> final_lag_s=<s> service_cpu_s=<s>

``service_cpu_s`` is the CPU time the analytics process spent meanwhile (from /proc, so
Linux only; "n/a" elsewhere): on a shared machine it moves far less with the load than the
wall-clock figures do.

Usage: python benchmarks/bench_analytics.py [--events 100000] [--programs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from mentorship_contracts import IntegrationEvent, encode, seal
from mentorship_contracts.events import (
    GoalProgressUpdated,
    PairCreated,
    PairingFitReported,
    ParticipantRegistered,
    ProgramCreated,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionScheduled,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole, SessionCancelReason
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.pytest_plugin import benchmark_service

START = datetime(2027, 1, 11, 10, tzinfo=UTC)
TOPICS = ("public_speaking", "delegation", "first_team_lead", "promotion")
PUBLISH_CHUNK = 2000
PROJECTED = "mentorship_analytics_events_projected_total"
LAG = "mentorship_analytics_projection_lag_seconds"
STALL_S = 120.0


def program_events(program: int) -> list[IntegrationEvent]:
    """The program itself."""
    return [
        example(
            ProgramCreated,
            program_id=f"bench-{program}",
            starts_on=date(2027, 1, 4),
            ends_on=date(2027, 12, 20),
        )
    ]


def pair_events(program_id: str, pair: int, rng: random.Random) -> list[IntegrationEvent]:
    """One pair's life: registrations, pairing, sessions, feedback, goals, fit."""
    mentor, mentee, pair_id = (
        f"{program_id}-m{pair}",
        f"{program_id}-e{pair}",
        f"{program_id}-p{pair}",
    )
    events: list[IntegrationEvent] = [
        example(
            ParticipantRegistered,
            participant_id=person,
            program_id=program_id,
            person_id=f"person-{person}",
            role=role,
            capacity=2 if role is ParticipantRole.MENTOR else 0,
        )
        for person, role in ((mentor, ParticipantRole.MENTOR), (mentee, ParticipantRole.MENTEE))
    ]
    created = START + timedelta(hours=pair % 100)
    events.append(
        example(
            PairCreated,
            pair_id=pair_id,
            program_id=program_id,
            mentor_participant_id=mentor,
            mentee_participant_id=mentee,
            mentor_person_id=f"person-{mentor}",
            mentee_person_id=f"person-{mentee}",
            score=round(rng.uniform(3, 9), 3),
            created_at=created,
        )
    )
    for sequence in range(1, 13):
        session_id = f"{pair_id}.s{sequence:03d}"
        ids = {"session_id": session_id, "pair_id": pair_id, "program_id": program_id}
        starts = created + timedelta(weeks=sequence)
        events.append(
            SessionScheduled(
                **ids,
                series_id=pair_id,
                sequence=sequence,
                participant_ids=(mentor, mentee),
                starts_at=starts,
                duration_minutes=60,
            )
        )
        if sequence <= 6:
            events.append(
                SessionCompleted(
                    **ids,
                    participant_ids=(mentor, mentee),
                    starts_at=starts,
                    held_at=starts,
                    duration_minutes=55,
                )
            )
            for author, role in (
                (mentor, ParticipantRole.MENTOR),
                (mentee, ParticipantRole.MENTEE),
            ):
                if sequence <= 4:
                    events.append(
                        SessionFeedbackSubmitted(
                            feedback_id=f"{session_id}-{author}",
                            session_id=session_id,
                            pair_id=pair_id,
                            program_id=program_id,
                            participant_id=author,
                            author_role=role,
                            rating=rng.randint(2, 5),
                            topics=tuple(rng.sample(TOPICS, 2)),
                            submitted_at=starts + timedelta(hours=2),
                        )
                    )
        elif sequence in {7, 8}:
            events.append(
                SessionCancelled(
                    **ids,
                    starts_at=starts,
                    reason=SessionCancelReason.PARTICIPANT_REQUEST,
                    cancelled_at=starts - timedelta(days=1),
                )
            )
    events.append(
        GoalProgressUpdated(
            goal_id=f"{pair_id}-g1",
            program_id=program_id,
            participant_id=mentee,
            pair_id=pair_id,
            topic=rng.choice(TOPICS),
            progress_percent=100 if pair % 3 == 0 else 50,
            completed=pair % 3 == 0,
            updated_at=created + timedelta(weeks=5),
        )
    )
    events.append(
        PairingFitReported(
            pair_id=pair_id,
            program_id=program_id,
            participant_id=mentee,
            author_role=ParticipantRole.MENTEE,
            good_fit=pair % 10 != 0,
            reported_at=created + timedelta(weeks=1, days=1),
        )
    )
    return events


def stream(total: int, programs: int, seed: int) -> Iterator[IntegrationEvent]:
    """About ``total`` events: the programs, then pairs round-robin over them."""
    rng = random.Random(seed)
    count = 0
    for program in range(programs):
        yield from program_events(program)
        count += 1
    pair = 0
    while count < total:
        for event in pair_events(f"bench-{pair % programs}", pair, rng):
            if count >= total:
                return
            yield event
            count += 1
        pair += 1


async def publish(bootstrap: str, prefix: str, events: list[IntegrationEvent]) -> None:
    """Publish as a service's relay would, stamping each event at its publish time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(events), PUBLISH_CHUNK):
            sends = []
            for event in events[start : start + PUBLISH_CHUNK]:
                encoded = encode(seal(event, source="bench"))
                sends.append(
                    await producer.send(
                        f"{prefix}{encoded.topic.name}",
                        encoded.value,
                        key=encoded.key.encode(),
                        headers=[(k, v.encode()) for k, v in encoded.headers.items()],
                    )
                )
            await asyncio.gather(*sends)
    finally:
        await producer.stop()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) the process ``pid`` has used so far, if /proc tells."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric(text: str, name: str) -> float:
    """A metric's value in a Prometheus exposition (0 when absent)."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def main(total: int, programs: int) -> int:
    """Run the benchmark; returns the exit status."""
    events = list(stream(total, programs, seed=7))
    expected_held = Counter(e.program_id for e in events if isinstance(e, SessionCompleted))
    async with (
        benchmark_service("analytics") as (service, infrastructure, prefix),
        httpx.AsyncClient(base_url=service.base_url, timeout=60) as client,
    ):
        started, cpu_started = time.perf_counter(), cpu_seconds(service.process.pid)
        publishing = asyncio.create_task(publish(infrastructure.kafka_bootstrap, prefix, events))
        text, projected, progressed = "", 0.0, time.perf_counter()
        while projected < len(events):
            await asyncio.sleep(0.5)
            text = (await client.get("/metrics")).text
            if publishing.done() and publishing.exception():
                raise publishing.exception()  # type: ignore[misc]
            now_projected = metric(text, PROJECTED)
            if now_projected > projected:
                projected, progressed = now_projected, time.perf_counter()
            elif time.perf_counter() - progressed > STALL_S:
                print(f"STALLED: {projected:.0f} of {len(events)} events projected")
                return 1
        elapsed = time.perf_counter() - started
        cpu_ended = cpu_seconds(service.process.pid)
        cpu = "n/a"
        if cpu_started is not None and cpu_ended is not None:
            cpu = f"{cpu_ended - cpu_started:.1f}"
        await publishing
        lag = metric(text, LAG)
        print(f"published and projected {len(events)} events in {elapsed:.1f}s", flush=True)
        report = (
            await client.get("/v1/programs/bench-0/reports/sessions", headers=ADMIN_HEADERS)
        ).json()
        if report["held"] != expected_held["bench-0"]:
            print(f"MISMATCH: held {report['held']}, expected {expected_held['bench-0']}")
            return 1
        print(f"report check: bench-0 held={report['held']} as generated", flush=True)
    print(
        f"analytics events={len(events)} seconds={elapsed:.1f} "
        f"events_per_s={len(events) / elapsed:.0f} final_lag_s={lag:.2f} service_cpu_s={cpu}"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=10)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.events, arguments.programs)))
