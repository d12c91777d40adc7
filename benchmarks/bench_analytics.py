"""Benchmark: analytics' projection throughput and its reports' latency, at enterprise scale.

Starts the embedded infrastructure (or uses KAFKA_BOOTSTRAP / MONGODB_URL) and the analytics
service as a real process, then:

1. **Projection.** Publishes, as fast as a producer can, the whole history of a large program
   (``--pairs`` 5,000 pairs: 10,000 participants, 60,000 sessions) and of a small one
   (``--small-pairs`` 50: 100 participants): registrations (a few withdraw, a few are
   erased), a matching run, pairs (a few end), twelve weekly sessions per pair (held,
   missed, cancelled or still to come), feedback from both members, fit answers, goals and
   surveys. ``--order time`` publishes them in the order they happened (a batch then touches
   many pairs, each a little), ``--order pair`` one pair's history after the other. Event
   times are the publish times, so the projection lag is how far the read models trail.
   It prints the events projected per second and the documents written per event (the
   read models', their aggregates' and the consumer's idempotence writes, from the
   service's metrics).
2. **The same database's raw bulk rate, in the same run.** Writes as many documents per
   collection as the projection wrote (the very documents it stored, into a scratch database
   with the same indexes), with bulk upserts (each stored document's id in rounds, so the
   first write inserts and the next ones replace, as the projection's did), then with bulk
   inserts, in batches of the size the projection wrote per transaction; the projection's
   throughput is compared with both, for the same number of document writes.
3. **Reports.** Asks for every report of both programs in turn, ``--requests`` times each,
   and prints each report's p95 for the large and the small program and their ratio.

It checks a few figures of the reports against the generated history, and prints as its last
line::

    analytics events=<n> seconds=<s> events_per_s=<r> writes_per_event=<w>
      projection_vs_raw_upserts=<x> projection_vs_raw_inserts=<x> final_lag_s=<s>
      service_cpu_s=<s> projection_db_cpu_s=<s> raw_upserts_db_cpu_s=<s>
      cpu_projection_vs_raw_upserts=<x> report_p95_ms_max=<ms> report_p95_ratio_max=<x>
      <report>=<ms>/<ms> ...

(on one line; ``<report>=<large p95>/<small p95>`` in ms). ``service_cpu_s`` is the CPU time
the analytics process spent projecting (from /proc, so Linux only; "n/a" elsewhere): on a
shared machine it moves far less with the load than the wall-clock figures do. So do the
database server's CPU seconds (a local embedded server only), given as
``projection_db_cpu_s`` and ``raw_upserts_db_cpu_s`` and as the projection's share of the raw
upserts' rate by them, ``cpu_projection_vs_raw_upserts`` (documents per database CPU second).

Usage: python benchmarks/bench_analytics.py [--pairs 5000] [--small-pairs 50]
       [--order time|pair] [--requests 40] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient, IndexModel, InsertOne, ReplaceOne

from mentorship_contracts import IntegrationEvent, encode, seal
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantWithdrew,
    ProgramCreated,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionMissed,
    SessionScheduled,
    SurveyResponseSubmitted,
    UnmatchedParticipant,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import (
    FitConcern,
    PairEndReason,
    ParticipantRole,
    SessionCancelReason,
    SurveyKind,
    UnmatchedReason,
)
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.pytest_plugin import benchmark_service

NOW = datetime.now(UTC).replace(microsecond=0)
TOPICS = (
    "public_speaking",
    "delegation",
    "first_team_lead",
    "promotion",
    "negotiation",
    "feedback",
    "strategy",
    "hiring",
)
SENIORITY = ("associate", "intermediate", "senior", "director")
REPORTS = (
    "registration",
    "pairing",
    "sessions",
    "scores",
    "skills",
    "health",
    "skills-growth",
    "outcomes",
    "mentors",
)
"""Every report a program has (``/v1/programs/<id>/reports/<name>``)."""
PUBLISH_CHUNK = 2000
PROJECTED = "mentorship_analytics_events_projected_total"
WRITTEN = "mentorship_analytics_documents_written_total"
IDEMPOTENCE = "mentorship_consumer_idempotence_writes_total"
BATCHES = "mentorship_consumer_batch_duration_seconds_count"
LAG = "mentorship_analytics_projection_lag_seconds"
STALL_S = 180.0
OFFSETS = "consumer_offsets"
"""Where the consumer's idempotence writes go (per-partition offsets)."""


@dataclass
class Program:
    """One program's generated history, and what its reports must show."""

    program_id: str
    events: list[tuple[datetime, IntegrationEvent]] = field(default_factory=list)
    held: int = 0
    mentors: int = 0
    registered: set[str] = field(default_factory=set)
    left: set[str] = field(default_factory=set)
    """Withdrawn or erased."""

    def add(self, at: datetime, event: IntegrationEvent) -> None:
        self.events.append((at, event))


def generate(program_id: str, pairs: int, rng: random.Random) -> Program:
    """A program started twelve weeks ago, with ``pairs`` pairs and 2 x ``pairs`` people."""
    program = Program(program_id)
    starts = NOW - timedelta(weeks=13)
    program.add(
        starts,
        example(
            ProgramCreated,
            program_id=program_id,
            name=f"Benchmark {program_id}",
            starts_on=starts.date(),
            ends_on=(starts + timedelta(weeks=40)).date(),
        ),
    )
    mentors = [f"{program_id}-m{n}" for n in range(pairs)]
    mentees = [f"{program_id}-e{n}" for n in range(pairs)]
    for index, person in enumerate(mentors + mentees):
        mentor = index < pairs
        registered = starts + timedelta(minutes=rng.randint(0, 14 * 24 * 60))
        program.add(
            registered,
            example(
                ParticipantRegistered,
                participant_id=person,
                program_id=program_id,
                person_id=f"person-{person}",
                role=ParticipantRole.MENTOR if mentor else ParticipantRole.MENTEE,
                capacity=1 if mentor else 0,
                choice_answers={
                    "seniority": (rng.choice(SENIORITY),),
                    "skills": tuple(rng.sample(TOPICS, 2)),
                },
                registered_at=registered,
            ),
        )
    program.registered = set(mentors + mentees)
    program.mentors = len(mentors)
    # Every hundredth pair shares the previous pair's mentor, who goes over capacity.
    mentor_of = [mentors[n - 1] if n % 100 == 99 else mentors[n] for n in range(pairs)]
    unmatched = sorted(set(mentors) - set(mentor_of))
    proposed = starts + timedelta(weeks=1)
    run_id = f"{program_id}-run"
    program.add(
        proposed,
        example(
            MatchingRunProposed,
            run_id=run_id,
            program_id=program_id,
            pairs=(),
            mentees_considered=pairs,
            mentees_matched=pairs,
            unmatched=tuple(
                UnmatchedParticipant(
                    participant_id=person,
                    role=ParticipantRole.MENTOR,
                    reason=UnmatchedReason.NOT_SELECTED,
                )
                for person in unmatched
            ),
            proposed_at=proposed,
        ),
    )
    approved = proposed + timedelta(hours=2)
    program.add(
        approved,
        example(
            MatchingRunApproved,
            run_id=run_id,
            program_id=program_id,
            pair_count=pairs,
            approved_at=approved,
        ),
    )
    for n in range(pairs):
        _pair(program, n, mentor_of[n], mentees[n], approved=approved, rng=rng)
    for person in rng.sample(mentors + mentees, max(1, pairs // 50)):
        at = starts + timedelta(weeks=6, minutes=rng.randint(0, 9999))
        program.add(
            at, ParticipantWithdrew(participant_id=person, program_id=program_id, withdrew_at=at)
        )
        program.left.add(person)
    for person in rng.sample(mentees, max(1, pairs // 100)):
        program.left.add(person)
        at = starts + timedelta(weeks=8, minutes=rng.randint(0, 9999))
        program.add(
            at,
            ParticipantErased(
                participant_id=person,
                program_id=program_id,
                person_id=f"person-{person}",
                erased_at=at,
            ),
        )
    return program


def _pair(
    program: Program, n: int, mentor: str, mentee: str, *, approved: datetime, rng: random.Random
) -> None:
    program_id = program.program_id
    pair_id = f"{program_id}-p{n}"
    created = approved + timedelta(minutes=n % 600)
    program.add(
        created,
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
        ),
    )
    meets = rng.random() > 0.02  # a few pairs never meet: inactive
    for sequence in range(1, 13):
        session_id = f"{pair_id}.s{sequence:03d}"
        ids = {"session_id": session_id, "pair_id": pair_id, "program_id": program_id}
        starts = created + timedelta(weeks=sequence, hours=rng.randint(0, 8))
        program.add(
            created,
            SessionScheduled(
                **ids,
                series_id=pair_id,
                sequence=sequence,
                participant_ids=(mentor, mentee),
                starts_at=starts,
                duration_minutes=60,
            ),
        )
        if starts > NOW - timedelta(hours=2):
            continue
        outcome = rng.random()
        done = starts + timedelta(hours=1)
        if not meets or outcome < 0.05:
            program.add(done, SessionMissed(**ids, starts_at=starts, recorded_at=done))
        elif outcome < 0.10:
            at = starts - timedelta(days=1)
            program.add(
                at,
                SessionCancelled(
                    **ids,
                    starts_at=starts,
                    reason=SessionCancelReason.PARTICIPANT_REQUEST,
                    cancelled_at=at,
                ),
            )
        else:
            program.held += 1
            program.add(
                done,
                SessionCompleted(
                    **ids,
                    participant_ids=(mentor, mentee),
                    starts_at=starts,
                    held_at=starts,
                    duration_minutes=55,
                ),
            )
            _feedback(
                program, session_id, pair_id, ((mentor, True), (mentee, False)), done=done, rng=rng
            )
    _afterwards(program, pair_id, (mentor, mentee), created, rng)


def _feedback(
    program: Program,
    session_id: str,
    pair_id: str,
    members: tuple[tuple[str, bool], ...],
    *,
    done: datetime,
    rng: random.Random,
) -> None:
    for author, is_mentor in members:
        if rng.random() < 0.6:
            at = done + timedelta(hours=rng.randint(1, 30))
            low = rng.random() < 0.03
            program.add(
                at,
                SessionFeedbackSubmitted(
                    feedback_id=f"{session_id}-{author}",
                    session_id=session_id,
                    pair_id=pair_id,
                    program_id=program.program_id,
                    participant_id=author,
                    author_role=ParticipantRole.MENTOR if is_mentor else ParticipantRole.MENTEE,
                    rating=rng.randint(1, 2) if low else rng.randint(3, 5),
                    topics=tuple(rng.sample(TOPICS, 2)),
                    submitted_at=at,
                ),
            )


def _afterwards(
    program: Program,
    pair_id: str,
    members: tuple[str, str],
    created: datetime,
    rng: random.Random,
) -> None:
    program_id = program.program_id
    mentor, mentee = members
    for member, role in ((mentor, ParticipantRole.MENTOR), (mentee, ParticipantRole.MENTEE)):
        if rng.random() < 0.4:
            good = rng.random() > 0.05
            at = created + timedelta(weeks=1, days=rng.randint(1, 6))
            program.add(
                at,
                PairingFitReported(
                    pair_id=pair_id,
                    program_id=program_id,
                    participant_id=member,
                    author_role=role,
                    good_fit=good,
                    concern=None if good else FitConcern.AVAILABILITY,
                    reported_at=at,
                ),
            )
        if rng.random() < 0.3:
            at = created + timedelta(weeks=6, hours=rng.randint(0, 99))
            program.add(
                at,
                SurveyResponseSubmitted(
                    response_id=f"{pair_id}-{member}-survey",
                    program_id=program_id,
                    participant_id=member,
                    respondent_role=role,
                    survey_kind=SurveyKind.MID_PROGRAM,
                    growth_rating=rng.randint(2, 5),
                    relationship_rating=rng.randint(2, 5),
                    recommend_score=rng.randint(4, 10),
                    would_join_again=rng.random() < 0.8,
                    submitted_at=at,
                ),
            )
    progress = rng.choice((20, 50, 100))
    at = created + timedelta(weeks=rng.randint(2, 10))
    program.add(
        at,
        GoalProgressUpdated(
            goal_id=f"{pair_id}-goal",
            program_id=program_id,
            participant_id=mentee,
            pair_id=pair_id,
            topic=rng.choice(TOPICS),
            progress_percent=progress,
            completed=progress == 100,
            updated_at=at,
        ),
    )
    if rng.random() < 0.02:
        at = created + timedelta(weeks=rng.randint(3, 10))
        program.add(
            at,
            PairEnded(
                pair_id=pair_id,
                program_id=program_id,
                reason=PairEndReason.NOT_A_GOOD_FIT,
                ended_at=at,
            ),
        )


def stream(programs: list[Program], order: str, rng: random.Random) -> list[IntegrationEvent]:
    """Every program's events, in the order they happened or one pair after the other."""
    if order == "time":
        timed = [item for program in programs for item in program.events]
        timed.sort(key=lambda item: item[0])
        return [event for _, event in timed]
    queues = [iter(program.events) for program in programs]
    events: list[IntegrationEvent] = []
    while queues:  # interleave the programs, keeping each program's generated order
        queue = rng.choice(queues)
        item = next(queue, None)
        if item is None:
            queues.remove(queue)
        else:
            events.append(item[1])
    return events


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


def database_cpu_seconds(mongodb_url: str) -> float | None:
    """CPU time the local database server (embedded, on this URL's port) has used so far."""
    port = str(urlsplit(mongodb_url).port).encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"secantus" in argv and port in argv:
            return cpu_seconds(int(cmdline.parent.name))
    return None


def cpu_share(writes: float, cpu_s: float | None, raw: float, raw_cpu_s: float | None) -> str:
    """``writes`` per CPU second as a share of ``raw`` writes per CPU second ("n/a": unknown)."""
    if not cpu_s or not raw_cpu_s:
        return "n/a"
    return f"{writes / cpu_s / (raw / raw_cpu_s):.2f}"


def seconds(cpu_s: float | None) -> str:
    """A CPU time for the last line ("n/a": unknown)."""
    return "n/a" if cpu_s is None else f"{cpu_s:.1f}"


def metric(text: str, name: str) -> float:
    """A metric's value in a Prometheus exposition, summed over its labels (0 when absent)."""
    found = re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", text, re.MULTILINE)
    return sum(float(value) for value in found)


def per_label(text: str, name: str, label: str) -> dict[str, float]:
    """A labelled metric's value per value of ``label`` in a Prometheus exposition."""
    found = re.findall(
        rf'^{re.escape(name)}{{[^}}]*{re.escape(label)}="([^"]*)"[^}}]*}} (\S+)$',
        text,
        re.MULTILINE,
    )
    totals: dict[str, float] = {}
    for value, n in found:
        totals[value] = totals.get(value, 0.0) + float(n)
    return totals


@dataclass(frozen=True)
class RawRates:
    """The raw baseline: how many writes, and their rates and database CPU time."""

    writes: int
    upserts_per_s: float
    inserts_per_s: float
    upserts_db_cpu_s: float | None


async def raw_rates(mongodb_url: str, written: Mapping[str, float], batch: int) -> RawRates:
    """Documents per second this database takes in bulk upserts and in bulk inserts.

    As many writes per collection as the projection made (``written``), of the very
    documents it stored, into collections with the same indexes in a scratch database, in
    batches of the projection's average size per transaction (one bulk write per collection
    and batch, as the projection does). Upserts go to the stored documents' ids, in rounds:
    the first write of each inserts it, the next ones replace it, as the projection's did.
    Inserts give every write a new id. No reads, no transactions: the raw rate.
    """
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    try:
        names = [n for n in await client.list_database_names() if n.startswith("test_analytics")]
        source = client[names[0]]
        plan: list[tuple[int, str, dict[str, Any]]] = []
        indexes: dict[str, list[IndexModel]] = {}
        for name, count in sorted(written.items()):
            wanted = round(count)
            documents = await source[name].find().limit(wanted).to_list()
            if not documents:
                continue
            plan += [
                (n // len(documents), name, documents[n % len(documents)]) for n in range(wanted)
            ]
            indexes[name] = [
                IndexModel(list(index["key"].items()), name=index["name"])
                for index in await (await source[name].list_indexes()).to_list()
                if index["name"] != "_id_"
            ]
        plan.sort(key=lambda item: item[0])  # round after round: each id once per round
        rates, cpu = [], None
        for upsert in (True, False):
            scratch = client["bench_raw_upserts" if upsert else "bench_raw_inserts"]
            await client.drop_database(scratch.name)
            for name, models in indexes.items():
                if models:
                    await scratch[name].create_indexes(models)
            started, cpu_before = time.perf_counter(), database_cpu_seconds(mongodb_url)
            for start in range(0, len(plan), batch):
                by_collection: dict[str, list[Any]] = {}
                for n, (_, name, document) in enumerate(plan[start : start + batch], start):
                    by_collection.setdefault(name, []).append(
                        ReplaceOne({"_id": document["_id"]}, document, upsert=True)
                        if upsert
                        else InsertOne({**document, "_id": f"raw-{n}"})
                    )
                for name, writes in by_collection.items():
                    await scratch[name].bulk_write(writes, ordered=False)
            rates.append(len(plan) / (time.perf_counter() - started))
            cpu_after = database_cpu_seconds(mongodb_url)
            if upsert and cpu_before is not None and cpu_after is not None:
                cpu = cpu_after - cpu_before
            await client.drop_database(scratch.name)
        return RawRates(len(plan), rates[0], rates[1], cpu)
    finally:
        await client.close()


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


async def report_latencies(
    client: httpx.AsyncClient, programs: tuple[str, str], requests: int
) -> dict[str, tuple[float, float]]:
    """Per report, the p95 in ms of the large and of the small program (asked in turn)."""
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(requests):
        for name in REPORTS:
            for program in programs:
                started = time.perf_counter()
                response = await client.get(
                    f"/v1/programs/{program}/reports/{name}", headers=ADMIN_HEADERS
                )
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                samples.setdefault((name, program), []).append(elapsed)
    large, small = programs
    return {name: (p95(samples[(name, large)]), p95(samples[(name, small)])) for name in REPORTS}


async def check(client: httpx.AsyncClient, program: Program) -> list[str]:
    """What differs between the reports and the generated history."""
    problems = []
    path = f"/v1/programs/{program.program_id}/reports"
    sessions = (await client.get(f"{path}/sessions", headers=ADMIN_HEADERS)).json()
    if sessions["held"] != program.held:
        problems.append(f"{program.program_id}: held {sessions['held']}, not {program.held}")
    registration = (await client.get(f"{path}/registration", headers=ADMIN_HEADERS)).json()
    expected = len(program.registered - program.left)
    if registration["participants"] != expected:
        problems.append(
            f"{program.program_id}: participants {registration['participants']}, not {expected}"
        )
    # Mentors are never erased here: each is listed, and their sessions add up to all held.
    mentors = (await client.get(f"{path}/mentors.csv", headers=ADMIN_HEADERS)).text
    listed = re.findall(r"^mentors\[\d+\]\.mentor_participant_id,", mentors, re.MULTILINE)
    held_by = re.findall(r"^mentors\[\d+\]\.sessions_held,(\d+)", mentors, re.MULTILINE)
    held = sum(int(n) for n in held_by)
    if len(listed) != program.mentors or held != program.held:
        problems.append(
            f"{program.program_id}: mentors.csv lists {len(listed)} mentors holding {held} "
            f"sessions, not {program.mentors} holding {program.held}"
        )
    return problems


async def main(arguments: argparse.Namespace) -> int:
    """Run the benchmark; returns the exit status."""
    rng = random.Random(arguments.seed)
    large = generate("bench-large", arguments.pairs, rng)
    small = generate("bench-small", arguments.small_pairs, rng)
    events = stream([large, small], arguments.order, rng)
    kinds = Counter(type(event).__name__ for event in events)
    print(f"{len(events)} events: {dict(kinds.most_common())}", flush=True)
    async with (
        benchmark_service("analytics") as (service, infrastructure, prefix),
        httpx.AsyncClient(base_url=service.base_url, timeout=120) as client,
    ):
        started, cpu_started = time.perf_counter(), cpu_seconds(service.process.pid)
        db_cpu_started = database_cpu_seconds(infrastructure.mongodb_url)
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
        db_cpu_ended = database_cpu_seconds(infrastructure.mongodb_url)
        db_cpu = None
        if db_cpu_started is not None and db_cpu_ended is not None:
            db_cpu = db_cpu_ended - db_cpu_started
        cpu = "n/a"
        if cpu_started is not None and cpu_ended is not None:
            cpu = f"{cpu_ended - cpu_started:.1f}"
        await publishing
        written = per_label(text, WRITTEN, "collection") | {OFFSETS: metric(text, IDEMPOTENCE)}
        writes = sum(written.values())
        batches = max(metric(text, BATCHES), 1.0)
        print(
            f"projected {len(events)} events in {elapsed:.1f}s: {writes:.0f} documents written "
            f"in {batches:.0f} transactions; per event: "
            + ", ".join(
                f"{name} {n / len(events):.3f}"
                for name, n in sorted(written.items(), key=lambda item: -item[1])
            ),
            flush=True,
        )
        raw = await raw_rates(infrastructure.mongodb_url, written, max(1, round(writes / batches)))
        upserts, inserts = raw.upserts_per_s, raw.inserts_per_s
        rate = writes / elapsed
        print(
            f"raw bulk writes of the same database ({raw.writes} documents): {upserts:.0f} "
            f"upserts/s, {inserts:.0f} inserts/s; the projection wrote {rate:.0f} documents/s "
            f"(database CPU: projection {seconds(db_cpu)}s, raw upserts "
            f"{seconds(raw.upserts_db_cpu_s)}s)",
            flush=True,
        )
        problems = [*await check(client, large), *await check(client, small)]
        for problem in problems:
            print(f"MISMATCH: {problem}")
        latencies = await report_latencies(
            client, (large.program_id, small.program_id), arguments.requests
        )
        for name, (big, little) in latencies.items():
            print(f"report {name}: p95 {big:.1f} ms (large) / {little:.1f} ms (small)")
    ratios = {name: big / little for name, (big, little) in latencies.items()}
    per_report = " ".join(f"{n}={b:.0f}/{s:.0f}" for n, (b, s) in latencies.items())
    print(
        f"analytics events={len(events)} seconds={elapsed:.1f} "
        f"events_per_s={len(events) / elapsed:.0f} "
        f"writes_per_event={writes / len(events):.2f} "
        f"projection_vs_raw_upserts={rate / upserts:.2f} "
        f"projection_vs_raw_inserts={rate / inserts:.2f} "
        f"final_lag_s={metric(text, LAG):.2f} service_cpu_s={cpu} "
        f"projection_db_cpu_s={seconds(db_cpu)} "
        f"raw_upserts_db_cpu_s={seconds(raw.upserts_db_cpu_s)} "
        f"cpu_projection_vs_raw_upserts="
        f"{cpu_share(writes, db_cpu, raw.writes, raw.upserts_db_cpu_s)} "
        f"report_p95_ms_max={max(b for b, _ in latencies.values()):.0f} "
        f"report_p95_ratio_max={max(ratios.values()):.2f} {per_report}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--small-pairs", type=int, default=50)
    parser.add_argument("--order", choices=("time", "pair"), default="time")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    sys.exit(asyncio.run(main(parser.parse_args())))
