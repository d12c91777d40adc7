"""The route of the right of access: ``GET /v1/me/export``, declared once for every service.

A service says what it holds about a person (a clause for the description) and how to build
its `PersonalDataDocument` for the caller; the path, summary, the 403 for a token that names
nobody and the document's schema are the same everywhere, so they are stated here.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from mentorship_kit.auth import CallerDependency
from mentorship_kit.exports import EXPORT_PATH, EXPORT_RESPONSES, PersonalDataDocument
from mentorship_kit.principal import Principal

type ExportBuilder = Callable[[Principal], Awaitable[PersonalDataDocument[Any]]]
"""Builds a service's export document for the calling person."""

_ONLY_FOR_PEOPLE = "Only with a participant's own token: the admin token names nobody (403)."


def add_export_route(
    router: APIRouter,
    caller: CallerDependency,
    *,
    service: str,
    holds: str,
    document: type[PersonalDataDocument[Any]],
    build: ExportBuilder,
) -> None:
    """Adds ``GET <router prefix>/me/export`` to ``router``.

    ``holds`` completes "For the authenticated participant: ..." with what ``service`` keeps
    about a person, section by section; ``document`` is the response's schema.
    """

    async def export_my_data(who: Annotated[Principal, Depends(caller)]) -> Any:
        return await build(who)

    router.add_api_route(
        EXPORT_PATH,
        export_my_data,
        methods=["GET"],
        response_model=document,
        summary=f"Everything {service} holds about you (right of access)",
        description=f"For the authenticated participant: {holds} {_ONLY_FOR_PEOPLE}",
        responses=EXPORT_RESPONSES,
    )


def export_router(
    caller: CallerDependency,
    *,
    service: str,
    holds: str,
    document: type[PersonalDataDocument[Any]],
    build: ExportBuilder,
) -> APIRouter:
    """A router of its own with the export route alone, under ``/v1``."""
    router = APIRouter(prefix="/v1", tags=["right of access"])
    add_export_route(router, caller, service=service, holds=holds, document=document, build=build)
    return router
