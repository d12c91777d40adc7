"""Named fault-injection points for crash and recovery tests.

A failpoint does nothing unless the ``FAILPOINTS`` setting arms it, e.g.
``FAILPOINTS=outbox.before_publish=kill`` makes the process SIGKILL itself the first time
the outbox relay is about to publish. Actions: ``kill`` (SIGKILL, no clean-up at all) and
``raise`` (a `FailpointError`).
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Literal

Action = Literal["kill", "raise"]
_ACTIONS: frozenset[str] = frozenset({"kill", "raise"})

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
        raise FailpointError(name)
