"""Benchmark: the matching service's optimisation against a min-cost-flow reference and greedy.

Generates a realistic program of n mentees (n/4 mentors with capacities 1-5, about 30% of
pairs excluded by the hard rules; see `mentorship_devstack.workloads.matching_pool`) and,
in one run, times:

- ours: the service's matching end to end (encode the pool, score the pairs it needs,
  build and solve the integer program, prove it, explain every pair and unmatched
  person), exactly what a run's worker executes between loading the pool and storing the
  proposal, and this process's peak resident memory when it is done (the references
  below run after it);
- mcf: OR-Tools' min-cost max-flow on the same plain instance (the score matrix given, so
  only its graph building and solving are timed; costs are scores in 1e-4 units; it runs
  in a child process, see `mcf_reference.py`);
- greedy: the best remaining pair first, until no pair fits.

It checks that ours matches as many mentees as the reference with at least its score
(scores rounded for the reference), and, unless --plain-only, also runs the same program
with fairness constraints (cross-department share, per-department cap) and mentee picks.
The references need the dense n x m matrix: past 100 million pairs (n > 20,000) they
are skipped (``--reference always`` forces them, ``never`` skips them) and the run must
prove itself optimal. The last line is the plain result:

    matching n=<n> ours_s=<t> cpu_s=<t> peak_gib=<GiB> mcf_s=<t> ratio=<ours/mcf> gap=<our gap> ...

With --approve, it instead runs the matching service as a real process with its default
settings against the embedded infrastructure (or KAFKA_BOOTSTRAP / MONGODB_URL), feeds it
the pool over Kafka, runs the matching and times the approval that creates the pairs:

    matching-approval mentees=<n> pairs=<created> approve_s=<t> pairs_per_s=<r>

With --run, it runs the service likewise, writes the program and its pool straight into the
service's database (projecting them from events is the consumers' benchmark, not this one's)
and times one matching run end to end, from the request to the proposal stored, stage by stage
(queue: requested to claimed; load: reading the pool; solve: the solver, wall clock; prepare:
the proposal's parts; store: what remains, storing the proposal and seeing it stored included:
the run is asked after every 50 ms, after every 10 ms while it stores its proposal):

    matching-run mentees=<n> end_to_end_s=<t> solve_s=<t> queue_s=<t> load_s=<t>
                 prepare_s=<t> store_s=<t> ratio=<end to end / solve>
                 service_cpu_s=<s> db_cpu_s=<s>

(the CPU seconds the service process and the database server spent from the request to the
proposal seen: on a shared machine they tell whose work the wall clock waited for).

Usage: python benchmarks/bench_matching.py [--mentees 10000] [--seed 3] [--plain-only]
                                          [--reference auto|always|never]
       python benchmarks/bench_matching.py --approve --mentees 13400   # ~10,000 pairs
       python benchmarks/bench_matching.py --run --mentees 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from bench_analytics import (  # type: ignore[import-not-found]
    cpu_seconds,
    database_cpu_seconds,
)
from bench_analytics import seconds as cpu_figure
from numpy.typing import NDArray
from pymongo import AsyncMongoClient

from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges
from matching.domain.matching import MatchingRequest, Proposal, propose, setup_market
from matching.domain.reporting import statements_of
from matching.domain.scoring import score_matrix
from mentorship_contracts.events import ParticipantRegistered, ProgramCreated
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import MatchingRules, MatchingSettings
from mentorship_contracts.examples import example
from mentorship_contracts.types import SolverStatus
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import benchmark_service
from mentorship_devstack.workloads import DEPARTMENTS, matching_pool
from mentorship_kit.outbox import Transaction

REFERENCE_MAX_PAIRS = 100_000_000
"""Largest n x m the dense references run on (30,000 mentees: 225 million pairs)."""
TIME_LIMIT_S = 600.0
"""The runs' time limit: on a busy machine 60 s of wall time may not be 60 s of solving."""
CROSS_SHARE = 0.9
PICK_BONUS = 2.0


@dataclass(frozen=True, slots=True)
class Reference:
    """The min-cost-flow solution evaluated on the exact scores."""

    seconds: float
    pairs: int
    score: float


def min_cost_flow_reference(scores: NDArray[np.float64], capacity: NDArray[np.int64]) -> Reference:
    """Most pairs, then the highest score, solved by OR-Tools in a child process.

    The child times only its graph building and solving; see `mcf_reference.py` for why it
    cannot run in this process.
    """
    with tempfile.TemporaryDirectory() as scratch:
        instance = Path(scratch) / "instance.npz"
        np.savez(instance, scores=scores, capacity=capacity)
        child = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("mcf_reference.py")), str(instance)],
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(child.stdout)
    return Reference(float(result["seconds"]), int(result["pairs"]), float(result["score"]))


def greedy(scores: NDArray[np.float64], capacity: NDArray[np.int64]) -> tuple[int, float]:
    """Best pair first: (pairs, total score)."""
    rows, columns = np.nonzero(np.isfinite(scores))
    values = scores[rows, columns]
    order = np.argsort(-values, kind="stable")
    taken = np.zeros(scores.shape[0], dtype=np.bool_)
    room = capacity.astype(np.int64).copy()
    pairs, total = 0, 0.0
    for index in order.tolist():
        i, j = rows[index], columns[index]
        if not taken[i] and room[j] > 0:
            taken[i] = True
            room[j] -= 1
            pairs += 1
            total += float(values[index])
    return pairs, total


def _peak_gib() -> float:
    """This process's peak resident memory so far, in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed_proposal(request: MatchingRequest) -> tuple[Proposal, float, float]:
    """Our matching, end to end: (proposal, wall time, CPU time of every thread).

    The CPU time tells how much of the wall time was ours on a machine others share.
    """
    started, cpu = time.perf_counter(), time.process_time()
    proposal = propose(request)
    return proposal, time.perf_counter() - started, time.process_time() - cpu


def fairness_program(mentees: int) -> ProgramCreated:
    """The default program plus a cross-department share, a department cap and picks."""
    departments = len(DEPARTMENTS)
    rules = MatchingRules(
        min_cross_department_share=CROSS_SHARE,
        max_pairs_per_department=max(1, int(mentees * 0.75 / departments)),
        pick_bonus=PICK_BONUS,
    )
    return example(ProgramCreated, matching=MatchingSettings(rules=rules))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (last line: the plain result)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--plain-only", action="store_true")
    parser.add_argument("--approve", action="store_true", help="time an approval instead")
    parser.add_argument("--run", action="store_true", help="time a run end to end instead")
    parser.add_argument(
        "--reference",
        choices=["auto", "always", "never"],
        default="auto",
        help="the dense references (auto: only up to REFERENCE_MAX_PAIRS pairs)",
    )
    args = parser.parse_args(argv)
    n = args.mentees
    if args.approve:
        asyncio.run(approval(n, args.seed))
        return 0
    if args.run:
        asyncio.run(end_to_end(n, args.seed))
        return 0

    if not args.plain_only:
        pool: list[ParticipantState] = list(matching_pool(n, seed=args.seed, picks=True))
        fair, fair_s, fair_cpu_s = timed_proposal(
            MatchingRequest(fairness_program(n), pool, time_limit_s=TIME_LIMIT_S)
        )
        crossing = _cross_share(fair, pool)
        print(
            f"matching-fairness n={n} ours_s={fair_s:.2f} cpu_s={fair_cpu_s:.2f} "
            f"gap={fair.gap:.2e} "
            f"status={fair.status.value} pairs={len(fair.matches)} cross_share={crossing:.3f} "
            f"on_a_pick={sum(1 for m in fair.matches if m.pick_rank)}",
            flush=True,
        )

    program = example(ProgramCreated)
    pool = list(matching_pool(n, seed=args.seed))
    request = MatchingRequest(program, pool, time_limit_s=TIME_LIMIT_S)
    proposal, ours_s, ours_cpu_s = timed_proposal(request)
    peak_gib = _peak_gib()  # before the reference's dense matrix
    setup = setup_market(request)
    print(
        f"instance mentees={n} mentors={len(setup.capacity)} seats={int(setup.capacity.sum())} "
        f"pairs={len(proposal.matches)} objective={proposal.objective:.3f} "
        f"bound={proposal.bound:.3f} status={proposal.status.value} "
        f"stages={ {name: round(value, 2) for name, value in proposal.seconds.items()} }",
        flush=True,
    )
    if args.reference == "never" or (
        args.reference == "auto" and n * len(setup.capacity) > REFERENCE_MAX_PAIRS
    ):
        # The dense references need every pair (n x m scores, OR-Tools' graph of them):
        # past REFERENCE_MAX_PAIRS they would not fit this machine. The proof stands alone.
        print(
            f"matching n={n} ours_s={ours_s:.2f} cpu_s={ours_cpu_s:.2f} "
            f"peak_gib={peak_gib:.2f} mcf_s=skipped "
            f"ratio=- gap={proposal.gap:.2e} status={proposal.status.value}"
        )
        return 0 if proposal.status is SolverStatus.OPTIMAL else 1
    scores = score_matrix(setup.market, setup.preferences)
    excluded = float(1 - np.isfinite(scores).mean())
    reference = min_cost_flow_reference(scores, setup.capacity)
    greedy_pairs, greedy_score = greedy(scores, setup.capacity)
    print(
        f"reference excluded_pairs={excluded:.1%} mcf_pairs={reference.pairs} "
        f"mcf_score={reference.score:.3f} greedy_pairs={greedy_pairs} "
        f"greedy_score={greedy_score:.3f}",
        flush=True,
    )
    if len(proposal.matches) != reference.pairs:
        print(f"MISMATCH: {len(proposal.matches)} pairs, reference {reference.pairs}")
        return 1
    if proposal.objective < reference.score - 1e-6 * max(1.0, reference.score):
        print(f"MISMATCH: score {proposal.objective}, reference {reference.score}")
        return 1
    loss = 100 * (proposal.objective - greedy_score) / max(proposal.objective, 1e-9)
    print(
        f"matching n={n} ours_s={ours_s:.2f} cpu_s={ours_cpu_s:.2f} peak_gib={peak_gib:.2f} "
        f"mcf_s={reference.seconds:.2f} ratio={ours_s / reference.seconds:.2f} "
        f"gap={proposal.gap:.2e} greedy_loss={loss:.2f}%"
    )
    return 0


async def approval(mentees: int, seed: int) -> None:
    """Run the service, match a pool of ``mentees`` and time the approval of its pairs."""
    program_id = "prog-approval"
    program = example(ProgramCreated, program_id=program_id, auto_approve_matches=False)
    pool = matching_pool(mentees, seed=seed, program_id=program_id)
    async with benchmark_service("matching") as (service, infrastructure, prefix):
        started = time.perf_counter()
        await publish_events(infrastructure.kafka_bootstrap, [program, *pool], prefix=prefix)
        print(f"published {len(pool)} participants in {time.perf_counter() - started:.1f}s")
        async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as client:
            await _until(
                client,
                f"/v1/programs/{program_id}/pool",
                lambda body: body.get("mentors", 0) + body.get("mentees", 0) == len(pool),
            )
            print(f"pool filled after {time.perf_counter() - started:.1f}s", flush=True)
            created = await client.post(
                f"/v1/programs/{program_id}/matching-runs",
                json={"time_limit_s": 600},
                headers=ADMIN_HEADERS,
            )
            created.raise_for_status()
            run_url = f"/v1/matching-runs/{created.json()['run_id']}"
            run = await _until(
                client,
                run_url,
                lambda body: body["status"] != "queued" and body["status"] != "running",
            )
            pairs = run["summary"]["mentees_matched"]
            print(
                f"proposed {pairs} pairs ({run['status']}): requested {run['requested_at']}, "
                f"started {run['started_at']}, proposed {run['finished_at']}, "
                f"stages {run['summary']['seconds']}",
                flush=True,
            )
            approving = time.perf_counter()
            (await client.post(f"{run_url}/approve", headers=ADMIN_HEADERS)).raise_for_status()
            run = await _until(client, run_url, lambda body: body["status"] != "approving")
            approve_s = time.perf_counter() - approving
    approval_ = run["approval"] or {}
    if run["status"] != "approved":
        print(f"FAILED: the run is {run['status']}: {run['error']}")
        sys.exit(1)
    made = approval_["pairs_created"]
    print(
        f"matching-approval mentees={mentees} pairs={made} approve_s={approve_s:.1f} "
        f"pairs_per_s={made / approve_s:.0f}"
    )


async def end_to_end(mentees: int, seed: int) -> None:
    """Run the service, fill a pool of ``mentees`` and time one run from request to proposal."""
    program_id = "prog-run"
    program = example(ProgramCreated, program_id=program_id, auto_approve_matches=False)
    pool = matching_pool(mentees, seed=seed, program_id=program_id)
    async with benchmark_service("matching") as (service, infrastructure, _):
        await _seed(infrastructure.mongodb_url, program, pool)
        async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as client:
            pool_size = await _until(client, f"/v1/programs/{program_id}/pool", lambda _: True)
            print(
                f"pool seeded: {pool_size['mentees']} mentees, {pool_size['mentors']} mentors",
                flush=True,
            )
            cpu_before = _cpu(service.process.pid, infrastructure.mongodb_url)  # before the clock
            requested = time.perf_counter()
            created = await client.post(
                f"/v1/programs/{program_id}/matching-runs",
                json={"time_limit_s": 600},
                headers=ADMIN_HEADERS,
            )
            created.raise_for_status()
            run = await _until(
                client,
                f"/v1/matching-runs/{created.json()['run_id']}",
                lambda body: body["status"] not in {"queued", "running"},
                poll_s=_run_poll_s,
            )
            end_to_end_s = time.perf_counter() - requested
            cpu_after = _cpu(service.process.pid, infrastructure.mongodb_url)
    if run["status"] != "proposed":
        print(f"FAILED: the run is {run['status']}: {run['error']}")
        sys.exit(1)
    seconds = run["summary"]["seconds"]
    queue_s = (
        datetime.fromisoformat(run["started_at"]) - datetime.fromisoformat(run["requested_at"])
    ).total_seconds()
    stages = {
        "queue": queue_s,
        "load": seconds["load"],
        "solve": seconds["solve"],
        "prepare": seconds["prepare"],
    }
    stages["store"] = end_to_end_s - sum(stages.values())
    for name, value in stages.items():
        print(f"stage {name:8} {value:7.2f}s", flush=True)
    print(f"solver stages {seconds}", flush=True)
    print(
        f"matching-run mentees={mentees} pairs={run['summary']['mentees_matched']} "
        f"end_to_end_s={end_to_end_s:.2f} solve_s={stages['solve']:.2f} "
        f"queue_s={queue_s:.2f} load_s={stages['load']:.2f} prepare_s={stages['prepare']:.2f} "
        f"store_s={stages['store']:.2f} ratio={end_to_end_s / stages['solve']:.2f} "
        f"service_cpu_s={cpu_figure(_spent(cpu_before[0], cpu_after[0]))} "
        f"db_cpu_s={cpu_figure(_spent(cpu_before[1], cpu_after[1]))}"
    )


def _cpu(pid: int, mongodb_url: str) -> tuple[float | None, float | None]:
    """CPU seconds used so far by the service process and by the local database server."""
    return cpu_seconds(pid), database_cpu_seconds(mongodb_url)


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


async def _seed(
    mongodb_url: str, program: ProgramCreated, pool: list[ParticipantRegistered]
) -> None:
    """Store ``program`` and ``pool`` as matching's projection of their events stores them."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        names = [
            name for name in await mongo.list_database_names() if name.startswith("test_matching_")
        ]
        if len(names) != 1:
            msg = f"expected one matching database, found {names}"
            raise RuntimeError(msg)
        database = mongo[names[0]]
        as_of = datetime.now(UTC)
        await database["programs"].insert_one(
            {"_id": program.program_id, "state": program.model_dump(mode="json"), "as_of": as_of}
        )
        await database["pool"].insert_many(
            [
                {"_id": p.participant_id, "state": p.model_dump(mode="json"), "as_of": as_of}
                for p in pool
            ]
        )
        roles = Counter(p.role.value for p in pool)  # the pool's counters, as matching keeps them
        await database["pool_versions"].insert_one(
            {"_id": program.program_id, "version": 1, "counted": True, "counts": dict(roles)}
        )
        statements = [s for p in pool for s in statements_of(p, as_of)]
        async with mongo.start_session() as session:
            await ManagerEdges(database).append(statements, Transaction(session, "bench"))
            log = MatchingPool(database).log  # the pool's log, as a compacted one is
            await log.rebuild(program.program_id, Transaction(session, "bench"))
    finally:
        await mongo.close()


def _run_poll_s(run: dict[str, Any]) -> float:
    """How long to wait before asking again how ``run`` goes.

    Every request takes the service's CPU (1-2 ms each), so a run is asked after every 50 ms
    until it is storing its proposal (its last 0.1-0.3 s), then after every 10 ms: its end
    is seen within about 10 ms instead of 50.
    """
    return 0.01 if run.get("stage") == "storing" else 0.05


async def _until(
    client: httpx.AsyncClient,
    url: str,
    accept: Any,
    timeout_s: float = 3600,
    poll_s: float | Callable[[dict[str, Any]], float] = 0.5,
) -> dict[str, Any]:
    """The body of ``url`` once ``accept`` takes it, asked after every ``poll_s`` seconds.

    ``poll_s`` may be a function of the last body read.
    """
    body: dict[str, Any] = {}
    deadline = time.monotonic() + timeout_s
    while True:
        response = await client.get(url, headers=ADMIN_HEADERS)
        if response.status_code == 200:
            body = response.json()
            if accept(body):
                return body
        elif response.status_code < 500:
            response.raise_for_status()  # a refusal will not go away by asking again
        else:  # the service is busy or restarting: say so and ask again
            print(f"GET {url}: {response.status_code} {response.text[:200]}", flush=True)
        if time.monotonic() > deadline:
            msg = f"GET {url} did not reach the expected state within {timeout_s:.0f} s"
            raise TimeoutError(msg)
        await asyncio.sleep(poll_s(body) if callable(poll_s) else poll_s)


def _cross_share(proposal: Proposal, pool: list[ParticipantState]) -> float:
    department = {p.participant_id: p.department for p in pool}
    crossing = sum(1 for m in proposal.matches if department[m.mentor] != department[m.mentee])
    return crossing / max(1, len(proposal.matches))


if __name__ == "__main__":
    sys.exit(main())
