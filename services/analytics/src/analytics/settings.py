"""Analytics settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mentorship_kit.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    """Settings of the analytics service."""

    service_name: ClassVar[str] = "analytics"
    http_port: int = 8005
    analytics_inactive_pair_days: int = Field(
        default=45, ge=1, le=365, description="A pair without a held session this long is flagged."
    )
    analytics_gauge_interval_s: float = Field(
        default=30.0, gt=0, le=3600, description="How often the business gauges are recounted."
    )
    consumer_batch_size: int = Field(
        default=20000,
        ge=1,
        description="Most records projected in one transaction. Larger than other services' "
        "(500): the events of a batch that fold into the same document cost one write, and "
        "the batch's reads and writes are a few bulk calls whatever its size. A batch is "
        "gathered while the one before commits, so it is this large only under a backlog, "
        "and never larger than half the stall timeout's worth of records.",
    )
    analytics_program_label_limit: int = Field(
        default=20,
        ge=0,
        le=200,
        description="Programs (the most recently started) that get their own gauge series.",
    )
