"""Notifications settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from mentorship_kit.settings import ServiceSettings

_ADDRESS = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+")


def _addresses(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service."""

    service_name: ClassVar[str] = "notifications"
    http_port: int = 8007

    public_base_url: str = Field(
        default="http://127.0.0.1:8007",
        description="This service's address as recipients reach it (unsubscribe links).",
    )
    portal_base_url: str = Field(
        default="http://127.0.0.1:8006",
        description="The web app's address, for links in messages.",
    )
    link_key: SecretStr | None = Field(
        default=None,
        description="Signs one-click unsubscribe links; falls back to AUTH_PSEUDONYM_KEY.",
    )

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server (the mail relay).")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description="none, starttls (upgrade a plain connection, port 587) or tls (port 465).",
    )
    smtp_username: str = Field(default="", description="SMTP login; empty: no authentication.")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    smtp_ca_file: str = Field(
        default="", description="PEM of the CA that signed the SMTP server's certificate."
    )
    smtp_timeout_s: float = Field(default=30.0, gt=0, description="SMTP command timeout.")
    smtp_connections: int = Field(
        default=4, ge=1, le=64, description="SMTP connections kept open and reused."
    )
    smtp_rate_per_s: float = Field(
        default=50.0, gt=0, description="Most messages per second sent (all connections)."
    )
    smtp_messages_per_connection: int = Field(
        default=100, ge=1, description="Messages sent on one connection before it is renewed."
    )
    mail_from: str = Field(
        default="Mentoring <mentoring@localhost>",
        description="Sender of every message (a program's branding may override it).",
    )
    mail_domain: str = Field(
        default="mentorship.localhost",
        description="Right-hand side of Message-IDs (your sending domain).",
    )

    admin_emails: str = Field(
        default="",
        description="Comma-separated e-mail addresses of the organisation's admins, who are "
        "told of every erasure request; empty: erasure requests are not mailed (a warning is "
        "logged).",
    )

    registration_url: str = Field(
        default="http://127.0.0.1:8001", description="The registration service (contacts)."
    )
    feedback_url: str = Field(
        default="http://127.0.0.1:8004", description="The feedback service (agenda templates)."
    )
    analytics_url: str = Field(
        default="http://127.0.0.1:8005", description="The analytics service (health reports)."
    )
    service_token: SecretStr | None = Field(
        default=None,
        description="Bearer credential this service calls registration and analytics with "
        "(an admin token or a JWT with the admin role); falls back to AUTH_ADMIN_TOKEN.",
    )
    registration_token: SecretStr | None = Field(
        default=None,
        description="The credential registration gave this service (its "
        "NOTIFICATIONS_SERVICE_TOKEN), sent when reading contacts: participants', invitees' "
        "and managers'; falls back to SERVICE_TOKEN.",
    )
    contact_cache_s: float = Field(
        default=30.0,
        ge=0,
        description="How long a contact read from registration is reused in memory (never "
        "stored; 0: read for every sending round).",
    )
    service_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of those calls.")

    slack_webhook_url: SecretStr | None = Field(
        default=None,
        description="Default Slack incoming webhook for programs that configure none.",
    )
    slack_bot_token: SecretStr | None = Field(
        default=None,
        description="Slack bot token: chat.postMessage, and direct messages to participants "
        "found by e-mail (users.lookupByEmail).",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api", description="Slack Web API base (tests point it away)."
    )
    teams_webhook_url: SecretStr | None = Field(
        default=None, description="Default Teams incoming webhook for programs that set none."
    )

    delivery_poll_s: float = Field(
        default=1.0, gt=0, description="How often due deliveries are looked for."
    )
    delivery_batch_size: int = Field(
        default=100, ge=1, le=5000, description="Deliveries claimed per round."
    )
    delivery_lease_s: float = Field(
        default=120.0,
        gt=0,
        description="How long a claimed delivery stays with its sender before another replica "
        "may take it over (a crash mid-send repeats at most that message).",
    )
    delivery_max_attempts: int = Field(
        default=8, ge=1, description="Attempts before a temporarily failing delivery is failed."
    )
    delivery_backoff_s: float = Field(
        default=30.0, ge=0, description="First retry delay after a temporary failure; doubles."
    )
    delivery_backoff_max_s: float = Field(default=3600.0, ge=0, description="Longest retry delay.")
    default_language: Literal["en", "fr"] = Field(
        default="en", description="Language of people who chose none and speak none we have."
    )
    digest_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour at which daily digests are sent."
    )
    health_digest_weekday: int = Field(
        default=0, ge=0, le=6, description="Weekday of the managers' health digest (Monday 0)."
    )
    survey_closing_lead_days: int = Field(
        default=14, ge=0, description="The closing survey opens this many days before the end."
    )
    schedule_poll_s: float = Field(
        default=60.0, gt=0, description="How often digests, surveys and health digests are due."
    )

    @field_validator("admin_emails")
    @classmethod
    def _admin_emails_are_addresses(cls, value: str) -> str:
        wrong = [item for item in _addresses(value) if not _ADDRESS.fullmatch(item)]
        if wrong:
            msg = f"ADMIN_EMAILS: not an e-mail address: {', '.join(wrong)}"
            raise ValueError(msg)
        return value

    @property
    def admin_addresses(self) -> tuple[str, ...]:
        """The admins' addresses, each once, in the order given."""
        return tuple(dict.fromkeys(_addresses(self.admin_emails)))

    @model_validator(mode="after")
    def _smtp_login_complete(self) -> NotificationsSettings:
        if bool(self.smtp_username) != bool(self.smtp_password.get_secret_value()):
            msg = "SMTP_USERNAME and SMTP_PASSWORD go together"
            raise ValueError(msg)
        return self
