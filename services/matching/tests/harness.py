"""The matching service's parts wired as `matching.app` wires them, for tests that drive
the worker, the use cases and the event handlers directly (no HTTP, no Kafka)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from matching.adapters.metrics import MatchingMetrics
from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges
from matching.adapters.runs import RunRepository
from matching.entrypoints.subscriptions import register_event_handlers
from matching.entrypoints.worker import RunWorker
from matching.settings import MatchingServiceSettings
from matching.usecases.pairs import PairService
from matching.usecases.pool import PoolService
from matching.usecases.processing import RunProcessing
from matching.usecases.runs import RunService
from mentorship_contracts import IntegrationEvent
from mentorship_devstack.pytest_plugin import deliver_directly
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime


@dataclass
class Matching:
    """The parts of one in-process matching service."""

    runtime: ServiceRuntime
    transactor: Transactor
    pool: MatchingPool
    runs: RunRepository
    pairs: PairRepository
    service: RunService
    pair_service: PairService
    pool_service: PoolService
    processing: RunProcessing
    worker: RunWorker
    handle: Callable[[IntegrationEvent, Transaction], Awaitable[None]]

    async def deliver(self, *events: IntegrationEvent) -> None:
        """Hand each event to its handler, one transaction each."""
        for event in events:
            await self.transactor.run(partial(self.handle, event))


@asynccontextmanager
async def matching_parts(
    settings: MatchingServiceSettings, *, lease_s: float = 30
) -> AsyncIterator[Matching]:
    """The parts, with their indexes created; the database client is closed at exit."""
    runtime = ServiceRuntime(settings)
    pool = MatchingPool(runtime.database)
    runs = RunRepository(runtime.database)
    pairs = PairRepository(runtime.database)
    await ensure_indexes(
        runtime.database,
        [
            runtime.outbox.indexes(),
            *pool.indexes(),
            *runs.indexes(),
            *pairs.indexes(),
            ManagerEdges.indexes(),
        ],
    )
    managers = ManagerEdges(runtime.database)
    service = RunService(runtime.transactor, pool, runs, pairs, managers)
    metrics = MatchingMetrics(runtime.metrics)
    pair_service = PairService(
        runtime.transactor,
        pairs=pairs,
        runs=runs,
        pool=pool,
        service=service,
        metrics=metrics,
        rematch_on_early_end=False,
        rematch_time_limit_s=10,
    )
    pool_service = PoolService(pool, managers, pair_service, pairs, runtime.transactor)
    register_event_handlers(
        runtime.handlers, pool_service, pair_service, ProgramManagers(runtime.database)
    )
    processing = RunProcessing(
        runtime.transactor, service, runs=runs, pairs=pairs, pool=pool, metrics=metrics
    )
    try:
        yield Matching(
            runtime=runtime,
            transactor=runtime.transactor,
            pool=pool,
            runs=runs,
            pairs=pairs,
            service=service,
            pair_service=pair_service,
            pool_service=pool_service,
            processing=processing,
            worker=RunWorker(processing, service.work_arrived, lease_s=lease_s, poll_s=1),
            handle=deliver_directly(runtime.handlers),
        )
    finally:
        await runtime.mongo.close()
