"""What a decision comes to: the new state and the events it causes."""

from __future__ import annotations

from dataclasses import dataclass

from mentorship_contracts import IntegrationEvent


@dataclass(frozen=True, slots=True)
class Decision[S]:
    """The state to store and the events to publish with it (both or neither)."""

    state: S
    events: tuple[IntegrationEvent, ...] = ()
