"""Registration settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from mentorship_kit.settings import ServiceSettings
from registration.domain.csv_import import MAX_CELL_CHARS


class RegistrationSettings(ServiceSettings):
    """Settings of the registration service."""

    service_name: ClassVar[str] = "registration"
    http_port: int = 8001
    import_max_rows: int = Field(
        default=20_000, ge=1, description="Most rows one CSV import may have."
    )
    import_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest CSV import accepted."
    )
    import_max_cell_chars: int = Field(
        default=MAX_CELL_CHARS,
        ge=1,
        description="Longest CSV cell accepted, in characters (a longer one refuses the file).",
    )
    import_chunk_rows: int = Field(
        default=1000, ge=1, le=5000, description="Rows registered per database transaction."
    )

    scim_bearer_token: SecretStr | None = Field(
        default=None,
        description="The bearer token identity providers send to /scim/v2 (unset: SCIM is "
        "refused).",
    )
    notifications_service_token: SecretStr | None = Field(
        default=None,
        description="The notifications service's credential: the only caller of GET "
        "/v1/people/{person_id}/contact, and a reader of participants' contacts besides admins "
        "(unset: person contacts are refused to everyone).",
    )
    invitation_poll_s: float = Field(
        default=60.0, gt=0, description="How often invitations and reminders due are looked for."
    )
    invitation_batch_size: int = Field(
        default=500, ge=1, le=5000, description="Invitations handled per transaction."
    )

    @model_validator(mode="after")
    def _pseudonym_key_required(self) -> RegistrationSettings:
        if self.auth_pseudonym_key is None or not self.auth_pseudonym_key.get_secret_value():
            msg = (
                "AUTH_PSEUDONYM_KEY is required: registration derives every person id from it, "
                "and the other services recognise participants by the same derivation"
            )
            raise ValueError(msg)
        return self
