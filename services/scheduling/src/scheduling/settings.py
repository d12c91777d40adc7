"""Scheduling settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from mentorship_kit.settings import ServiceSettings

MAX_LEAD_MINUTES = 14 * 24 * 60


class SchedulingSettings(ServiceSettings):
    """Settings of the scheduling service."""

    service_name: ClassVar[str] = "scheduling"
    http_port: int = 8003
    feed_base_url: str = Field(
        default="http://127.0.0.1:8003",
        description="The service's address as participants reach it (calendar feed URLs).",
    )
    reminder_leads_minutes: str = Field(
        default="1440,60",
        description="Comma-separated minutes before a session at which reminders fall due.",
    )
    reminder_poll_s: float = Field(
        default=15.0, gt=0, le=600, description="How often due reminders are looked for."
    )
    reminder_batch_size: int = Field(default=200, ge=1, le=5000)
    default_weekday: int = Field(
        default=1, ge=0, le=6, description="Default meeting day of a new series (Monday 0)."
    )
    first_session_lead_days: int = Field(
        default=2, ge=0, le=60, description="Days between a pair's creation and its first session."
    )
    flash_sessions: int = Field(
        default=1, ge=1, le=2, description="Sessions of a flash (one-off) pair, a week apart."
    )

    @field_validator("reminder_leads_minutes")
    @classmethod
    def _leads_are_minutes(cls, value: str) -> str:
        leads = [item.strip() for item in value.split(",") if item.strip()]
        if not all(item.isdigit() and 0 < int(item) <= MAX_LEAD_MINUTES for item in leads):
            msg = f"each lead must be a whole number of minutes from 1 to {MAX_LEAD_MINUTES}"
            raise ValueError(msg)
        return ",".join(leads)

    @property
    def reminder_leads(self) -> tuple[int, ...]:
        """The reminder lead times, in minutes."""
        return tuple(int(item) for item in self.reminder_leads_minutes.split(",") if item)
