"""Wiring: the one place that builds the registration service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from mentorship_kit.http import create_http_app
from mentorship_kit.runtime import ServiceRuntime
from registration.adapters.repository import RegistrationRepository
from registration.handlers.api import registration_router
from registration.handlers.registering import RegistrationService
from registration.settings import RegistrationSettings


def build_app(settings: RegistrationSettings | None = None) -> FastAPI:
    """The registration service's ASGI app."""
    settings = settings or RegistrationSettings()
    runtime = ServiceRuntime(settings)
    repository = RegistrationRepository(runtime.database)
    runtime.add_indexes(*repository.indexes())
    service = RegistrationService(runtime.transactor, repository)
    return create_http_app(
        runtime,
        title="Mentorship registration",
        description="Programs, questionnaires and the people who register for them.",
        routers=[registration_router(service)],
    )
