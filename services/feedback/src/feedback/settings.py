"""Feedback settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from mentorship_kit.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    """Settings of the feedback service."""

    service_name: ClassVar[str] = "feedback"
    http_port: int = 8004
