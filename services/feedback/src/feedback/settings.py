"""Feedback settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from mentorship_kit.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    """Settings of the feedback service."""

    service_name: ClassVar[str] = "feedback"
    http_port: int = 8004
    outcome_import_max_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1, description="The largest HRIS outcome CSV accepted."
    )
    survey_closing_lead_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="The closing survey opens this many days before the program's end "
        "(as the notifications service announces it).",
    )
    survey_grace_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Both surveys stay open this many days after the program's end.",
    )
    rater_link_key: SecretStr | None = Field(
        default=None,
        description="Signs the links managers and peers answer through (360 input); falls back "
        "to AUTH_PSEUDONYM_KEY.",
    )
    rater_link_days: int = Field(
        default=21, ge=1, le=365, description="How long a 360 rater link stays valid."
    )
