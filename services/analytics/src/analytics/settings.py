"""Analytics settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from mentorship_kit.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    """Settings of the analytics service."""

    service_name: ClassVar[str] = "analytics"
    http_port: int = 8005
