"""Settings every service shares, read from environment variables.

Each field's environment variable is its name in upper case (``MONGODB_URL`` for
``mongodb_url``). Defaults point at a local stack, so a service starts with no
configuration next to ``make up``. A service subclasses `ServiceSettings` for its own.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings of the mechanics in the kit (HTTP, MongoDB, Kafka, outbox, logging)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_default=True)

    service_name: ClassVar[str] = "service"
    """Names the service in logs, events, metrics and its consumer group (not configurable:
    each service's settings class sets it)."""

    http_host: str = Field(default="127.0.0.1", description="Interface the HTTP API binds.")
    http_port: int = Field(default=8000, ge=0, le=65535, description="Port of the HTTP API.")

    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27017/?retryWrites=false",
        description="MongoDB connection string (a replica set: the outbox uses transactions).",
    )
    mongodb_database: str = Field(
        default="", description="Database of this service; default mentorship_<service_name>."
    )
    mongodb_timeout_ms: int = Field(
        default=5000, ge=100, description="Server selection and connect timeout."
    )

    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", description="Comma-separated Kafka bootstrap servers."
    )
    kafka_topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefix for every topic and consumer group (clusters shared by several "
        "environments, isolated test runs).",
    )
    kafka_session_timeout_ms: int = Field(
        default=10_000, ge=1000, description="Consumer group session timeout."
    )
    kafka_request_timeout_ms: int = Field(default=30_000, ge=1000)
    kafka_max_message_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest record the producer sends."
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How the services talk to Kafka (TLS and/or SASL)."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-512", description="SASL mechanism (with SASL_PLAINTEXT or SASL_SSL)."
    )
    kafka_sasl_username: str = Field(default="", description="SASL user of this service.")
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), description="SASL password of this service."
    )
    kafka_ssl_ca_file: str = Field(
        default="",
        description="PEM file of the CA that signed the brokers' certificates (with SSL or "
        "SASL_SSL); empty: the system's trust store.",
    )
    kafka_ssl_cert_file: str = Field(
        default="", description="PEM client certificate, for brokers that authenticate by TLS."
    )
    kafka_ssl_key_file: str = Field(default="", description="PEM key of the client certificate.")
    consumer_batch_size: int = Field(
        default=500, ge=1, description="Most records a consumer processes in one transaction."
    )
    consumer_batch_wait_ms: int = Field(
        default=50, ge=0, description="How long a consumer waits to fill a batch."
    )
    consumer_max_attempts: int = Field(
        default=3, ge=1, description="Attempts before a failing event goes to dead letters."
    )
    consumer_retry_backoff_s: float = Field(
        default=0.2, ge=0, description="First retry delay; doubles per attempt."
    )
    consumer_stall_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="A consumer that neither commits a batch nor finds itself caught up for "
        "this long is not ready (/readyz answers 503) and restarts its Kafka client.",
    )
    consumer_marker_retention_days: int = Field(
        default=35,
        ge=31,
        le=3650,
        description="How long a consumer remembers that it processed an event (kept in weekly "
        "collections, each dropped once its week ended this long ago). More than the "
        "dead-letter topics' 30 days, so a re-driven record always finds its markers.",
    )

    gc_young_threshold: int = Field(
        default=50_000,
        ge=700,
        description="Container objects allocated (net of those freed) before the cycle "
        "collector's youngest pass (Python's default: 700). Batches build and drop tens of "
        "thousands of objects, which reference counting frees; a pass every 700 walked them "
        "while alive and moved survivors on to costlier passes (see `tune_collector`).",
    )

    outbox_poll_interval_s: float = Field(
        default=0.5, gt=0, description="How often the relay looks for unpublished events."
    )
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_lease_s: float = Field(
        default=10.0, gt=0, description="How long one replica's relay holds the publishing lease."
    )
    outbox_retention_hours: int = Field(
        default=72, ge=1, description="How long published outbox records are kept."
    )

    auth_admin_token: SecretStr | None = Field(
        default=None,
        description="A static bearer token that grants the admin role (a first step before "
        "OIDC; leave unset where JWTs are verified).",
    )
    auth_jwt_key: SecretStr | None = Field(
        default=None,
        description="Verifies JWT bearer tokens: the issuer's public key (PEM) for RS/ES/PS "
        "algorithms, or the shared secret for HS256.",
    )
    auth_jwks_url: str | None = Field(
        default=None,
        description="The issuer's JSON Web Key Set (OIDC `jwks_uri`): JWTs are verified with the "
        "key their `kid` names, fetched on first use and again when a new key id appears.",
    )
    auth_jwks_cache_s: int = Field(
        default=300, ge=10, le=86_400, description="How long fetched signing keys are trusted."
    )
    auth_pseudonym_key: SecretStr | None = Field(
        default=None,
        description="Secret shared by every service: person ids are keyed hashes of employee "
        "ids under it, so a participant's JWT identifies their pairs and sessions anywhere.",
    )
    auth_jwt_algorithms: str = Field(
        default="RS256", description="Comma-separated JWT algorithms accepted."
    )
    auth_jwt_issuer: str | None = Field(default=None, description="Required `iss` of JWTs.")
    auth_jwt_audience: str | None = Field(default=None, description="Required `aud` of JWTs.")
    auth_subject_claim: str = Field(
        default="sub", description="The JWT claim holding the caller's employee id."
    )
    auth_roles_claim: str = Field(
        default="roles", description="The JWT claim listing the caller's roles."
    )
    auth_admin_role: str = Field(
        default="mentorship-admin", description="The role that makes a caller an admin."
    )
    auth_manager_role: str = Field(
        default="mentorship-program-manager",
        description="The role of program managers: alone, it lets a caller create programs "
        "(which they then manage) and manage the programs whose managers list names them; "
        "`<role>:<program_id>` makes a caller a manager of that program whatever its list says.",
    )

    http_max_json_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        description="Largest JSON (or form) request body; a larger one is refused with 413 "
        "before it is read.",
    )
    http_max_body_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="Largest request body of any other type (e.g. a CSV import); a larger one "
        "is refused with 413 before it is read.",
    )
    shutdown_timeout_s: float = Field(
        default=25.0,
        gt=0,
        description="After SIGTERM the process exits within this time whatever it is doing "
        "(below Kubernetes' 30 s grace period); unfinished work is left to be resumed.",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    failpoints: str = Field(
        default="",
        description="Fault injection for tests, e.g. 'outbox.before_publish=kill'. Empty in "
        "production.",
    )

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.mongodb_database:
            object.__setattr__(self, "mongodb_database", f"mentorship_{self.service_name}")
        return self

    @model_validator(mode="after")
    def _one_jwt_key_source(self) -> ServiceSettings:
        if self.auth_jwt_key and self.auth_jwks_url:
            msg = "set AUTH_JWT_KEY or AUTH_JWKS_URL, not both"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _kafka_credentials_complete(self) -> ServiceSettings:
        if self.kafka_security_protocol.startswith("SASL") and not (
            self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()
        ):
            msg = (
                f"KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with "
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}"
            )
            raise ValueError(msg)
        if bool(self.kafka_ssl_cert_file) != bool(self.kafka_ssl_key_file):
            msg = "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together"
            raise ValueError(msg)
        return self

    @property
    def kafka_uses_tls(self) -> bool:
        """Whether the connection to Kafka is encrypted."""
        return self.kafka_security_protocol in {"SSL", "SASL_SSL"}

    @property
    def kafka_heartbeat_interval_ms(self) -> int:
        """A third of the session timeout, as Kafka recommends."""
        return max(self.kafka_session_timeout_ms // 3, 100)

    def topic_name(self, base_name: str) -> str:
        """The name of a contract topic in this deployment."""
        return f"{self.kafka_topic_prefix}{base_name}"

    @property
    def consumer_group(self) -> str:
        """The Kafka consumer group of this service."""
        return f"{self.kafka_topic_prefix}{self.service_name}"
