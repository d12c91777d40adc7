"""Registration settings (environment variables as in `mentorship_kit.settings`)."""

from __future__ import annotations

from typing import ClassVar

from mentorship_kit.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    """Settings of the registration service."""

    service_name: ClassVar[str] = "registration"
    http_port: int = 8001
