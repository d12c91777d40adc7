"""What the current request or event is: its correlation id and, for events, its id.

Logs read the correlation id; events emitted while handling something inherit both (the
handled event becomes the new event's cause).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
"""The correlation id of the request or event being handled."""

causation_id: ContextVar[UUID | None] = ContextVar("causation_id", default=None)
"""The event_id of the event being handled, if an event is being handled."""


@contextmanager
def handling(correlation: str | None, cause: UUID | None = None) -> Iterator[None]:
    """Run a block on behalf of a request (``cause`` None) or an event."""
    correlation_token = correlation_id.set(correlation)
    cause_token = causation_id.set(cause)
    try:
        yield
    finally:
        causation_id.reset(cause_token)
        correlation_id.reset(correlation_token)
