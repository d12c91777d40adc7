"""Wiring: the one place that builds the matching service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from matching.adapters.metrics import MatchingMetrics
from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges
from matching.adapters.runs import RunRepository
from matching.entrypoints.http.pairs import pairs_router
from matching.entrypoints.http.participants import participants_router
from matching.entrypoints.http.pool import pool_router
from matching.entrypoints.http.runs import runs_router
from matching.entrypoints.subscriptions import register_event_handlers
from matching.entrypoints.worker import RunWorker
from matching.settings import MatchingServiceSettings
from matching.usecases.pairs import PairService
from matching.usecases.participants import ParticipantViews
from matching.usecases.pool import PoolService
from matching.usecases.processing import RunProcessing
from matching.usecases.runs import RunService
from mentorship_kit.auth import Authenticator, program_manager
from mentorship_kit.http import create_http_app
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.runtime import ServiceRuntime


def build_app(settings: MatchingServiceSettings | None = None) -> FastAPI:
    """The matching service's ASGI app."""
    settings = settings or MatchingServiceSettings()
    runtime = ServiceRuntime(settings)
    metrics = MatchingMetrics(runtime.metrics)
    pool = MatchingPool(runtime.database)
    runs = RunRepository(runtime.database)
    pairs = PairRepository(runtime.database)
    runtime.add_indexes(*pool.indexes(), *runs.indexes(), *pairs.indexes(), ManagerEdges.indexes())

    managers = ManagerEdges(runtime.database)
    run_service = RunService(runtime.transactor, pool, runs, pairs, managers)
    pair_service = PairService(
        runtime.transactor,
        pairs=pairs,
        runs=runs,
        pool=pool,
        service=run_service,
        metrics=metrics,
        rematch_on_early_end=settings.matching_rematch_on_early_end,
        rematch_time_limit_s=settings.matching_time_limit_s,
    )
    pool_service = PoolService(pool, managers, pair_service, pairs, runtime.transactor)
    program_managers = ProgramManagers(runtime.database)
    runtime.add_indexes(program_managers.indexes())
    register_event_handlers(runtime.handlers, pool_service, pair_service, program_managers)
    processing = RunProcessing(
        runtime.transactor, run_service, runs=runs, pairs=pairs, pool=pool, metrics=metrics
    )
    worker = RunWorker(
        processing,
        run_service.work_arrived,
        lease_s=settings.matching_worker_lease_s,
        poll_s=settings.matching_worker_poll_s,
    )
    runtime.add_background_loop("matching-worker", worker.run)
    caller, _ = Authenticator(settings).dependencies()
    views = ParticipantViews(pool, pairs, runs, managers, run_service)
    return create_http_app(
        runtime,
        title="Mentorship matching",
        description=(
            "Optimal, explainable matching of mentors and mentees: runs are solved as an "
            "integer program, proposed with every pair's explanation and every unmatched "
            "person's reason, and approved by a program manager (or automatically). Every "
            "operation needs an admin token, a JWT with the admin role, or one of a manager of "
            "the program concerned (403 for any other program), but for what participants "
            "read with their own JWT: their pairs (`/v1/me/pairs`), the mentors they may pick "
            "(`/v1/programs/{id}/candidates`) and their data (`/v1/me/export`)."
        ),
        routers=[
            runs_router(
                run_service,
                caller,
                program_managers,
                default_time_limit_s=settings.matching_time_limit_s,
                max_time_limit_s=settings.matching_max_time_limit_s,
            ),
            pairs_router(pair_service, caller, program_managers),
            pool_router(pool_service, program_manager(caller, program_managers.of)),
            participants_router(views, caller),
        ],
    )
