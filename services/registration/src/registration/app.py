"""Wiring: the one place that builds the registration service's parts."""

from __future__ import annotations

from fastapi import FastAPI

from mentorship_kit.auth import Authenticator
from mentorship_kit.http import create_http_app
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.entrypoints.http.errors import ERROR_MAPPERS
from registration.entrypoints.http.people import people_router
from registration.entrypoints.http.programs import programs_router
from registration.entrypoints.http.registrations import registrations_router
from registration.settings import RegistrationSettings
from registration.usecases.importing import ImportService
from registration.usecases.people import PeopleService
from registration.usecases.programs import ProgramService
from registration.usecases.registering import RegistrationService


def build_app(settings: RegistrationSettings | None = None) -> FastAPI:
    """The registration service's ASGI app."""
    settings = settings or RegistrationSettings()
    runtime = ServiceRuntime(settings)
    programs = ProgramRepository(runtime.database)
    registrations = RegistrationRepository(runtime.database)
    people = PeopleDirectory(runtime.database, Pseudonyms(settings.auth_pseudonym_key))
    runtime.add_indexes(*programs.indexes(), *registrations.indexes())

    program_service = ProgramService(runtime.transactor, programs)
    registering = RegistrationService(runtime.transactor, programs, registrations, people)
    importer = ImportService(
        runtime.transactor,
        program_service,
        registering,
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
        chunk_rows=settings.import_chunk_rows,
    )
    people_service = PeopleService(runtime.transactor, registrations, people)
    caller, admin = Authenticator(settings).dependencies()
    return create_http_app(
        runtime,
        title="Mentorship registration",
        description=(
            "Programs, their versioned questionnaires, and the people who register for them. "
            "Admin operations need an admin token or a JWT with the admin role; participants "
            "act on their own registration only."
        ),
        routers=[
            programs_router(program_service, caller, admin),
            registrations_router(
                registering,
                importer,
                caller,
                admin,
                import_max_bytes=settings.import_max_bytes,
            ),
            people_router(people_service, admin),
        ],
        error_mappers=ERROR_MAPPERS,
    )
