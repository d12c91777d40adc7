"""The run worker: a background loop that claims queued runs and hands them to `processing`.

Runs are claimed with a lease that a heartbeat renews while the worker works, so a run
whose worker died is taken over by another replica once the lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import timedelta
from uuid import uuid4

from matching.usecases.errors import LostClaimError
from matching.usecases.processing import RunProcessing
from mentorship_contracts.types import utc_now

logger = logging.getLogger(__name__)


class RunWorker:
    """One replica's worker: one run at a time (solving is CPU-bound)."""

    def __init__(
        self,
        processing: RunProcessing,
        work_arrived: asyncio.Event,
        *,
        lease_s: float,
        poll_s: float,
    ) -> None:
        self._processing = processing
        self._work_arrived = work_arrived
        self._lease = timedelta(seconds=lease_s)
        self._poll_s = poll_s
        self.worker_id = f"{os.uname().nodename}-{os.getpid()}-{uuid4().hex[:6]}"

    async def run(self) -> None:
        """Work on runs for as long as the service runs."""
        while True:
            if not await self.work_once():
                self._work_arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work_arrived.wait(), self._poll_s)

    async def work_once(self) -> bool:
        """Claim one run and take it as far as it goes; False when there was none."""
        run = await self._processing.claim(self.worker_id, utc_now() + self._lease)
        if run is None:
            return False
        heartbeat = asyncio.create_task(self._heartbeat(run.run_id))
        try:
            await self._processing.process(run, self.worker_id)
        except LostClaimError:
            logger.warning("another worker took the run over", extra={"run_id": run.run_id})
        finally:
            heartbeat.cancel()
            with contextlib.suppress(Exception):  # let another worker (or this one) go on
                await asyncio.shield(self._processing.release(run.run_id, self.worker_id))
        return True

    async def _heartbeat(self, run_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            if not await self._processing.renew(run_id, self.worker_id, utc_now() + self._lease):
                return
