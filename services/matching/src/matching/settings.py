"""Matching settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from mentorship_kit.settings import ServiceSettings


class MatchingServiceSettings(ServiceSettings):
    """Settings of the matching service."""

    service_name: ClassVar[str] = "matching"
    http_port: int = 8002
