"""Named fault-injection points for crash and recovery tests.

A failpoint does nothing unless the ``FAILPOINTS`` setting arms it, e.g.
``FAILPOINTS=outbox.before_publish=kill`` makes the process SIGKILL itself the first time
the outbox relay is about to publish. Actions: ``kill`` (SIGKILL, no clean-up at all),
``raise`` (a `FailpointError`) and ``hang`` (the whole process blocks, as in a call that never
returns: only the shutdown deadline ends it).

Points: ``outbox.before_publish``, ``outbox.after_publish`` (the relay),
``consumer.before_commit`` (a consumed batch is processed, its offsets not yet committed).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Literal

Action = Literal["kill", "raise", "hang"]
_ACTIONS: frozenset[str] = frozenset({"kill", "raise", "hang"})
HANG_S = 3600.0

logger = logging.getLogger(__name__)


class FailpointError(RuntimeError):
    """Raised by a failpoint armed with ``raise``."""


class Failpoints:
    """The armed failpoints of a process."""

    def __init__(self, spec: str = "") -> None:
        self._armed: dict[str, Action] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, _, action = item.partition("=")
            if action not in _ACTIONS:
                msg = f"failpoint {name!r}: action must be one of {sorted(_ACTIONS)}"
                raise ValueError(msg)
            self._armed[name] = action  # type: ignore[assignment]

    def hit(self, name: str) -> None:
        """Trigger the failpoint ``name`` if it is armed."""
        action = self._armed.get(name)
        if action is None:
            return
        logger.warning("failpoint triggered", extra={"failpoint": name, "action": action})
        if action == "kill":
            for handler in logging.getLogger().handlers:
                handler.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        if action == "hang":
            time.sleep(HANG_S)
        raise FailpointError(name)
