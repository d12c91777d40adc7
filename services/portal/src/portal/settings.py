"""Portal settings, read from environment variables (each field's name in upper case)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    """Where the portal listens, which identity provider signs people in, which APIs it calls.

    The portal owns no data: no database, no broker. Its only secret is the key that signs
    the session cookie.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_default=True)

    http_host: str = Field(default="127.0.0.1", description="Interface the portal binds.")
    http_port: int = Field(default=8006, ge=0, le=65535, description="Port of the portal.")
    portal_base_url: str = Field(
        default="http://127.0.0.1:8006",
        description="The portal's address as people reach it (the OIDC redirect URI is built "
        "from it).",
    )
    portal_session_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Signs the session cookie; at least 32 characters. Required.",
    )
    portal_cookie_secure: bool = Field(
        default=True,
        description="Mark the session cookie Secure (browsers send it over HTTPS "
        "and to localhost only).",
    )
    portal_session_max_age_s: int = Field(
        default=8 * 3600, ge=300, description="How long a sign-in lasts."
    )
    portal_metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="When set, /metrics answers only requests bearing `Authorization: Bearer "
        "<token>` (Prometheus' scrape credentials): the portal is public behind its Ingress, and "
        "its metrics are not for everyone. Empty: /metrics is open (local runs).",
    )
    oidc_issuer: str = Field(
        default="http://127.0.0.1:9400",
        description="The identity provider's issuer URL (its discovery document is "
        "<issuer>/.well-known/openid-configuration).",
    )
    oidc_client_id: str = Field(default="mentorship-portal", description="The portal's client id.")
    oidc_client_secret: SecretStr = Field(
        default=SecretStr(""), description="The client secret (empty: a public client, PKCE only)."
    )
    oidc_scopes: str = Field(default="openid profile email", description="Scopes asked for.")
    oidc_audience: str = Field(
        default="",
        description="Sent as the `audience` parameter when the provider needs it to issue an "
        "access token for the services' API (e.g. Auth0); empty: not sent.",
    )
    auth_admin_role: str = Field(
        default="mentorship-admin",
        description="The role of organisation admins, as the services read it: the console "
        "offers them the erasure requests (registration decides who may see them).",
    )
    registration_url: str = Field(default="http://127.0.0.1:8001")
    matching_url: str = Field(default="http://127.0.0.1:8002")
    scheduling_url: str = Field(default="http://127.0.0.1:8003")
    feedback_url: str = Field(default="http://127.0.0.1:8004")
    analytics_url: str = Field(default="http://127.0.0.1:8005")
    notifications_url: str = Field(default="http://127.0.0.1:8007")
    api_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of each API call.")
    api_export_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Timeout of a CSV export's API call (a report of a whole program).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @property
    def redirect_uri(self) -> str:
        """Where the identity provider sends people back after signing in."""
        return f"{self.portal_base_url.rstrip('/')}/auth/callback"
