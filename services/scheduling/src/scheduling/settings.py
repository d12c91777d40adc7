"""Scheduling settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from mentorship_kit.settings import ServiceSettings

MAX_LEAD_MINUTES = 14 * 24 * 60
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names them, binds nothing


class SchedulingSettings(ServiceSettings):
    """Settings of the scheduling service."""

    service_name: ClassVar[str] = "scheduling"
    http_port: int = 8003
    feed_base_url: str | None = Field(
        default=None,
        description="The absolute URL (http or https, host, port unless the scheme's "
        "default, and any path prefix a proxy adds) under which participants reach this "
        "service's HTTP API; feed links are <FEED_BASE_URL>/v1/calendars/<token>.ics. Unset: "
        "http://<HTTP_HOST>:<HTTP_PORT> (127.0.0.1 for a wildcard host).",
    )
    reminder_leads_minutes: str = Field(
        default="1440,60",
        description="Comma-separated minutes before a session at which reminders fall due.",
    )
    reminder_poll_s: float = Field(
        default=15.0, gt=0, le=600, description="How often due reminders are looked for."
    )
    reminder_batch_size: int = Field(
        default=200,
        ge=1,
        le=5000,
        description="Series (each with any number of due sessions) looked at per reminder round.",
    )
    planning_poll_s: float = Field(
        default=2.0,
        gt=0,
        le=600,
        description="How often the planning worker looks for new pairs when nothing woke it.",
    )
    planning_batch_size: int = Field(
        default=200, ge=1, le=5000, description="New pairs planned per database transaction."
    )
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

    @field_validator("feed_base_url")
    @classmethod
    def _feed_base_is_an_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        try:
            parts.port  # noqa: B018 - parsing the port is the check
        except ValueError as error:
            msg = f"has an invalid port: {error}"
            raise ValueError(msg) from error
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            msg = "must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8003"
            raise ValueError(msg)
        if parts.query or parts.fragment or parts.username or parts.password:
            msg = "must be scheme, host, optional port and optional path only"
            raise ValueError(msg)
        return value.strip().rstrip("/")

    @property
    def reminder_leads(self) -> tuple[int, ...]:
        """The reminder lead times, in minutes."""
        return tuple(int(item) for item in self.reminder_leads_minutes.split(",") if item)

    @property
    def feed_base(self) -> str:
        """Where feed links point: `feed_base_url`, or this process's own HTTP address."""
        if self.feed_base_url is not None:
            return self.feed_base_url
        host = "127.0.0.1" if self.http_host in WILDCARD_HOSTS else self.http_host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.http_port}"
