"""Where the broker and the database answer, whoever started them.

Its own module, below `stack` and `containers`, so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Infrastructure:
    """Where the broker and the database answer."""

    kafka_bootstrap: str
    mongodb_url: str

    def env(self) -> dict[str, str]:
        """The environment variables that point a service at this infrastructure."""
        return {"KAFKA_BOOTSTRAP": self.kafka_bootstrap, "MONGODB_URL": self.mongodb_url}


class RunningInfrastructure(Protocol):
    """Infrastructure this process started and must stop."""

    infrastructure: Infrastructure

    def stop(self) -> None:
        """Stop what was started."""
