"""A/B of analytics' report latencies: one projected database, served by two versions at once.

Projects the history of ``bench_analytics.py`` (``--pairs`` and ``--small-pairs``, in time
order) with this checkout's analytics service, then starts a second analytics process on the
same database and topics with ``PYTHONPATH`` set to ``--base-src`` (another checkout's
``services/analytics/src``: its code shadows this one's), and asks every report of both
programs from both processes (``bench_analytics.report_latencies``) in ``--rounds`` rounds,
the order of the two flipped each round, so load on a shared machine falls on both alike.
Prints, per round and version, each report's p95 for the large and the small program and
their ratio. The base must read the layout of the aggregates this version wrote (a newer
layout is not migrated back).

Usage: python benchmarks/reports_ab.py --base-src ../main/services/analytics/src
       [--pairs 5000] [--small-pairs 50] [--requests 40] [--rounds 6] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import bench_analytics as bench  # type: ignore[import-not-found]
import httpx

from mentorship_devstack.pytest_plugin import ServiceLauncher, fresh_kafka_prefix
from mentorship_devstack.stack import provide


def line(round_: int, label: str, got: dict[str, tuple[float, float]]) -> str:
    """One round's figures of one version."""
    ratios = {name: big / small for name, (big, small) in got.items()}
    return (
        f"round {round_} {label}: max_p95={max(b for b, _ in got.values()):.0f}ms "
        f"max_ratio={max(ratios.values()):.2f} "
        + " ".join(f"{n}={b:.1f}/{s:.1f}({ratios[n]:.1f}x)" for n, (b, s) in got.items())
    )


async def projected(client: httpx.AsyncClient, events: int) -> None:
    """Wait until the service has projected ``events`` events."""
    while True:
        done = bench.metric((await client.get("/metrics")).text, bench.PROJECTED)
        if done >= events:
            return
        await asyncio.sleep(1)


async def main(arguments: argparse.Namespace) -> int:
    """Run the A/B; returns the exit status."""
    rng = random.Random(arguments.seed)
    large = bench.generate("bench-large", arguments.pairs, rng)
    small = bench.generate("bench-small", arguments.small_pairs, rng)
    events = bench.stream([large, small], "time", rng)
    programs = (large.program_id, small.program_id)
    with tempfile.TemporaryDirectory(prefix="reports-ab-") as scratch:
        running = provide(Path(scratch) / "stack", kafka_storage="memory")
        launcher = None
        try:
            infrastructure = running.infrastructure
            prefix = await fresh_kafka_prefix(infrastructure)
            launcher = ServiceLauncher(infrastructure, prefix, Path(scratch) / "logs")
            new = launcher("analytics", LOG_LEVEL="WARNING", KAFKA_SESSION_TIMEOUT_MS="6000")
            started = time.perf_counter()
            async with httpx.AsyncClient(base_url=new.base_url, timeout=120) as client:
                await bench.publish(infrastructure.kafka_bootstrap, prefix, events)
                await projected(client, len(events))
            print(f"projected {len(events)} events in {time.perf_counter() - started:.0f}s")
            base = launcher(
                "analytics",
                LOG_LEVEL="WARNING",
                KAFKA_SESSION_TIMEOUT_MS="6000",
                PYTHONPATH=arguments.base_src,
            )
            async with (
                httpx.AsyncClient(base_url=new.base_url, timeout=120) as new_client,
                httpx.AsyncClient(base_url=base.base_url, timeout=120) as base_client,
            ):
                for client in (new_client, base_client):  # warm up
                    await bench.report_latencies(client, programs, 3)
                for round_ in range(arguments.rounds):
                    order = [("base", base_client), ("new", new_client)]
                    if round_ % 2:
                        order.reverse()
                    for label, client in order:
                        got = await bench.report_latencies(client, programs, arguments.requests)
                        print(line(round_, label, got), flush=True)
        finally:
            if launcher is not None:
                launcher.stop_all()
            running.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-src", required=True)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--small-pairs", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    sys.exit(asyncio.run(main(parser.parse_args())))
