"""Background loops: invitations waiting for registration to open, and reminders due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from registration.usecases.invitations import InvitationService

logger = logging.getLogger(__name__)


def invitation_loop(service: InvitationService, poll_s: float) -> Callable[[], Awaitable[None]]:
    """A loop that runs a round of invitations and reminders every ``poll_s`` seconds."""

    async def run() -> None:
        while True:
            report = await service.run_round()
            if report.sent or report.reminded or report.closed:
                logger.info(
                    "invitation round",
                    extra={
                        "sent": report.sent,
                        "reminded": report.reminded,
                        "closed": report.closed,
                    },
                )
            await asyncio.sleep(poll_s)

    return run
