"""Wiring: the one place that builds the registration service's parts."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI
from starlette.types import ASGIApp

from mentorship_kit.auth import Authenticator, any_program_manager
from mentorship_kit.http import create_http_app
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime
from registration.adapters.erasure_requests import ErasureRequestRepository
from registration.adapters.invitations import InvitationRepository
from registration.adapters.metrics import RegistrationMetrics
from registration.adapters.organisation import OrganisationRepository
from registration.adapters.pairings import PairingRepository
from registration.adapters.people import PeopleDirectory
from registration.adapters.programs import ProgramRepository
from registration.adapters.registrations import RegistrationRepository
from registration.adapters.scim_resources import ScimResourceRepository
from registration.entrypoints.http.directory import directory_router
from registration.entrypoints.http.erasure_requests import erasure_requests_router
from registration.entrypoints.http.errors import ERROR_MAPPERS
from registration.entrypoints.http.export import export_router
from registration.entrypoints.http.invitations import invitations_router
from registration.entrypoints.http.organisation import organisation_router
from registration.entrypoints.http.partners import partners_router
from registration.entrypoints.http.people import ContactReaders, people_router
from registration.entrypoints.http.programs import programs_router
from registration.entrypoints.http.registrations import registrations_router
from registration.entrypoints.scim.app import DirectoryScimApp
from registration.entrypoints.subscriptions import register_event_handlers
from registration.entrypoints.workers import invitation_loop
from registration.settings import RegistrationSettings
from registration.usecases.directory import DirectoryService
from registration.usecases.erasure_requests import ErasureRequestService
from registration.usecases.export import PersonalDataExport
from registration.usecases.importing import ImportService
from registration.usecases.invitations import InvitationService
from registration.usecases.organisation import OrganisationService
from registration.usecases.partners import PartnerProfiles
from registration.usecases.people import PeopleService
from registration.usecases.programs import ProgramService
from registration.usecases.registering import RegistrationService

SCIM_MOUNT = "/scim"


def build_app(settings: RegistrationSettings | None = None) -> FastAPI:
    """The registration service's ASGI app (its SCIM service provider at /scim/v2)."""
    settings = settings or RegistrationSettings()
    runtime = ServiceRuntime(settings)
    programs = ProgramRepository(runtime.database)
    registrations = RegistrationRepository(runtime.database)
    people = PeopleDirectory(runtime.database, Pseudonyms(settings.auth_pseudonym_key))
    invitations = InvitationRepository(runtime.database)
    organisation = OrganisationRepository(runtime.database)
    resources = ScimResourceRepository(runtime.database)
    erasure_requests = ErasureRequestRepository(runtime.database)
    pairings = PairingRepository(runtime.database)
    metrics = RegistrationMetrics(runtime.metrics)
    runtime.add_indexes(
        *programs.indexes(),
        *registrations.indexes(),
        *people.indexes(),
        *invitations.indexes(),
        *resources.indexes(),
        *erasure_requests.indexes(),
        *pairings.indexes(),
    )

    program_service = ProgramService(
        runtime.transactor, programs, organisation, people, invitations
    )
    registering = RegistrationService(
        runtime.transactor, programs, registrations, people, invitations, metrics=metrics
    )
    importer = ImportService(
        runtime.transactor,
        program_service,
        registering,
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
        chunk_rows=settings.import_chunk_rows,
    )
    people_service = PeopleService(
        runtime.transactor,
        registrations,
        people,
        resources,
        invitations,
        programs=programs,
        erasure_requests=erasure_requests,
        pairings=pairings,
    )
    directory = DirectoryService(
        runtime.transactor,
        resources,
        people,
        registrations,
        programs,
        invitations,
        metrics=metrics,
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
        chunk_rows=settings.import_chunk_rows,
    )
    inviting = InvitationService(
        runtime.transactor,
        invitations,
        programs,
        people,
        registrations,
        metrics=metrics,
        batch_size=settings.invitation_batch_size,
    )
    runtime.add_background_loop(
        "invitations", invitation_loop(inviting, settings.invitation_poll_s)
    )
    profiles = PartnerProfiles(pairings, registrations, people, program_service.managers_of)
    register_event_handlers(runtime.handlers, profiles)
    authenticator = Authenticator(settings)
    caller, admin = authenticator.dependencies()
    notifier_token = settings.notifications_service_token
    readers = ContactReaders(
        authenticator, notifier_token.get_secret_value() if notifier_token else None
    )
    app = create_http_app(
        runtime,
        title="Mentorship registration",
        description=(
            "Programs, their versioned questionnaires, the people who register for them, the "
            "organisation's directory, participant access, invitations and the launch "
            "checklist. Admin operations need an admin token or a JWT with the admin role; "
            "participants act on their own registration only. The SCIM 2.0 service provider "
            "(Users with the enterprise extension, Groups, ServiceProviderConfig, "
            "ResourceTypes, Schemas) answers at /scim/v2 with its own bearer token "
            "(SCIM_BEARER_TOKEN); it describes itself at /scim/v2/ServiceProviderConfig."
        ),
        routers=[
            programs_router(program_service, caller),
            registrations_router(
                registering,
                importer,
                caller,
                program_service.managers_of,
                import_max_bytes=settings.import_max_bytes,
            ),
            people_router(people_service, admin, readers),
            directory_router(directory, admin, import_max_bytes=settings.import_max_bytes),
            invitations_router(
                inviting, people_service, caller, admin, program_service.managers_of
            ),
            organisation_router(
                OrganisationService(runtime.transactor, organisation),
                admin,
                any_program_manager(caller, program_service.managed_by),
            ),
            erasure_requests_router(
                ErasureRequestService(runtime.transactor, erasure_requests), caller, admin
            ),
            partners_router(profiles, caller),
            export_router(
                PersonalDataExport(people, registrations, invitations, programs, pairings), caller
            ),
        ],
        error_mappers=ERROR_MAPPERS,
    )
    scim = DirectoryScimApp(directory, resources, settings.scim_bearer_token)
    app.mount(SCIM_MOUNT, cast("ASGIApp", scim))
    return app
