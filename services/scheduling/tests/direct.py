"""Scheduling's parts on a test's database, with events handed to its subscriptions directly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mentorship_contracts import IntegrationEvent
from mentorship_devstack.pytest_plugin import SettingsFactory, deliver_directly
from mentorship_kit.mongo import Database, ensure_indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.runtime import ServiceRuntime
from scheduling.app import Scheduling
from scheduling.entrypoints.subscriptions import subscribe
from scheduling.settings import SchedulingSettings


@dataclass
class Replica:
    """One replica's repositories and use cases, without its consumer, HTTP or workers."""

    database: Database
    transactor: Transactor
    scheduling: Scheduling
    handle: Callable[[IntegrationEvent, Transaction], Awaitable[None]]

    async def deliver(self, *events: IntegrationEvent) -> None:
        """Handle ``events`` in one transaction, as the consumer handles a batch."""

        async def batch(tx: Transaction) -> None:
            for event in events:
                await self.handle(event, tx)

        await self.transactor.run(batch)


@asynccontextmanager
async def replica(
    make_settings: SettingsFactory, history: Sequence[IntegrationEvent] = (), **overrides: Any
) -> AsyncIterator[Replica]:
    """A replica whose database already holds ``history`` (one transaction per event)."""
    settings = make_settings(SchedulingSettings, **overrides)
    runtime = ServiceRuntime(settings)
    scheduling = Scheduling(settings, runtime.database, runtime.transactor)
    await ensure_indexes(runtime.database, [runtime.outbox.indexes(), *scheduling.indexes])
    subscribe(
        runtime.handlers,
        programs=scheduling.program_events,
        participants=scheduling.participants,
        pairs=scheduling.pairs,
        managers=scheduling.managers,
    )
    found = Replica(
        runtime.database, runtime.transactor, scheduling, deliver_directly(runtime.handlers)
    )
    try:
        for event in history:
            await found.deliver(event)
        yield found
    finally:
        await runtime.mongo.close()
