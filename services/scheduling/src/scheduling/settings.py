"""Scheduling settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from mentorship_kit.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    """Settings of the scheduling service."""

    service_name: ClassVar[str] = "scheduling"
    http_port: int = 8003
