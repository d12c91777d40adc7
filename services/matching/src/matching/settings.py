"""Matching settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mentorship_kit.settings import ServiceSettings


class MatchingServiceSettings(ServiceSettings):
    """Settings of the matching service."""

    service_name: ClassVar[str] = "matching"
    http_port: int = 8002
    matching_time_limit_s: float = Field(
        default=60.0, gt=0, le=3600, description="Solver time limit of a run unless it sets one."
    )
    matching_max_time_limit_s: float = Field(
        default=600.0, gt=0, le=3600, description="Longest time limit a run may ask for."
    )
    matching_worker_poll_s: float = Field(
        default=1.0, gt=0, le=60, description="How often an idle worker looks for queued runs."
    )
    matching_worker_lease_s: float = Field(
        default=30.0,
        ge=1,
        le=600,
        description="How long a run stays with a worker that stops renewing its claim.",
    )
    consumer_batch_size: int = Field(
        default=2000,
        ge=1,
        description="Most records handled in one transaction. Larger than most services' "
        "(500): a batch of registrations costs a few bulk calls and a commit whatever its "
        "size, so an import's pool fills in fewer, larger transactions.",
    )
    matching_rematch_on_early_end: bool = Field(
        default=True,
        description="Queue a re-match run when a pair ends early (not a fit, someone left).",
    )
