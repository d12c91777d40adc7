"""Notifications endpoints.

A participant's own (``/v1/me``), one-click unsubscribe, and the admins' (deliveries, failures,
program settings).
"""

import html
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse

from mentorship_kit.auth import CallerDependency, Principal
from notifications.domain.deliveries import Status
from notifications.domain.kinds import Channel, Kind
from notifications.entrypoints.http.export import PersonalDataView
from notifications.entrypoints.http.views import (
    DeliveryList,
    DeliverySummary,
    DeliveryView,
    NudgeView,
    PreferencesBody,
    PreferencesView,
    ProgramSettingsBody,
    ProgramSettingsView,
)
from notifications.usecases.admin import Administration, ManagerChoice
from notifications.usecases.nudges import Nudges
from notifications.usecases.people import People

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", max_length=400)]


def me_router(people: People, caller: CallerDependency) -> APIRouter:
    """A participant's own preferences and data."""
    router = APIRouter(prefix="/v1/me", tags=["me"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get("/notification-preferences", summary="Your notification preferences")
    async def read(who: Caller) -> PreferencesView:
        return PreferencesView.of(await people.mine(who))

    @router.put(
        "/notification-preferences",
        summary="Set your notification preferences (replaces them)",
        description=(
            "Channels per kind (email, or slack for direct messages), language (en, fr), "
            "quiet hours in your time zone (messages wait until they end, except a session "
            "reminder near the start), a daily digest for low-priority kinds "
            "(registration_confirmed, session_follow_up, fit_question, survey_open, "
            "pair_ended) and the kinds you unsubscribed from."
        ),
    )
    async def choose(body: PreferencesBody, who: Caller) -> PreferencesView:
        chosen = await people.choose(who, body.preferences(who.person_id or ""))
        return PreferencesView.of(chosen)

    @router.get(
        "/export",
        summary="Everything notifications holds about you (right of access)",
        description=(
            "For the authenticated participant: the programs notifications knows you in (with "
            "your time zone and languages), your preferences and every message planned for "
            "you with what came of it. Only with a participant's own token: the admin token "
            "names nobody (403)."
        ),
        responses={403: {"description": "The token names no participant (the admin token)."}},
    )
    async def export(who: Caller) -> PersonalDataView:
        return PersonalDataView.of(await people.export(who))

    return router


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="font-family:sans-serif;max-width:36em;margin:3em auto;">{body}</body></html>'
    )


def unsubscribe_router(people: People) -> APIRouter:
    """One-click unsubscribe (RFC 8058).

    POST stops the kind; GET asks first, since link scanners fetch links.
    """
    router = APIRouter(prefix="/v1/unsubscribe", tags=["unsubscribe"])

    @router.get("/{token}", response_class=HTMLResponse, summary="Confirm unsubscribing")
    async def confirm(token: Token) -> HTMLResponse:
        form = (
            "<h1>Stop these messages?</h1>"
            # Relative, so the form posts back to the link's own address behind any prefix a
            # proxy adds (<host>/notifications/v1/unsubscribe/<token> in the cluster).
            f'<form method="post" action="./{html.escape(token)}">'
            '<button type="submit">Unsubscribe</button></form>'
        )
        return HTMLResponse(_page("Unsubscribe", form))

    @router.post(
        "/{token}",
        response_class=HTMLResponse,
        summary="Unsubscribe (List-Unsubscribe-Post: List-Unsubscribe=One-Click)",
    )
    async def unsubscribe(token: Token) -> HTMLResponse:
        kind = await people.unsubscribe(token)
        text = f"<h1>Unsubscribed</h1><p>You will no longer receive {kind.value} messages.</p>"
        return HTMLResponse(_page("Unsubscribed", text))

    return router


def admin_router(
    admin: Administration, caller: CallerDependency, manager: CallerDependency
) -> APIRouter:
    """Deliveries, failures and program settings (admins; program managers in theirs)."""
    router = APIRouter(prefix="/v1", tags=["admin"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Manager = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias

    @router.get("/deliveries", summary="Delivery records, newest first (failures: status=failed)")
    async def deliveries(
        who: Caller,
        *,
        status: Status | None = None,
        program_id: Annotated[str | None, Query(max_length=80)] = None,
        kind: Kind | None = None,
        channel: Channel | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> DeliveryList:
        query: dict[str, Any] = {}
        for name, value in (
            ("status", status),
            ("program_id", program_id),
            ("kind", kind),
            ("channel", channel),
        ):
            if value is not None:
                query[name] = getattr(value, "value", value)
        found = await admin.deliveries(query, limit, who)
        return DeliveryList(deliveries=[DeliveryView.of(d) for d in found])

    @router.get("/deliveries/summary", summary="Deliveries by status")
    async def summary(
        who: Caller, program_id: Annotated[str | None, Query(max_length=80)] = None
    ) -> DeliverySummary:
        return DeliverySummary(
            program_id=program_id, by_status=await admin.summary(program_id, who)
        )

    @router.post("/deliveries/{delivery_id}/retry", summary="Send a failed delivery again")
    async def retry(delivery_id: ResourceId, who: Caller) -> DeliveryView:
        return DeliveryView.of(await admin.retry(delivery_id, who))

    @router.get(
        "/programs/{program_id}/notification-settings",
        summary="A program's branding, chat destinations and manager recipients",
    )
    async def read_settings(program_id: ResourceId, _: Manager) -> ProgramSettingsView:
        return ProgramSettingsView.of(await admin.program(program_id))

    @router.patch(
        "/programs/{program_id}/notification-settings",
        summary="Change a program's branding, chat destinations or manager recipients",
    )
    async def change_settings(
        program_id: ResourceId, body: ProgramSettingsBody, _: Manager
    ) -> ProgramSettingsView:
        changed = await admin.set_program(
            program_id,
            branding=body.branding.branding() if body.branding else None,
            chat=body.chat.chat() if body.chat else None,
            managers=(
                [ManagerChoice(m.employee_id, m.name, m.email, m.language) for m in body.managers]
                if body.managers is not None
                else None
            ),
        )
        return ProgramSettingsView.of(changed)

    return router


def nudge_router(nudges: Nudges, manager: CallerDependency) -> APIRouter:
    """A program manager's nudge to a pair (admins; program managers in theirs)."""
    router = APIRouter(prefix="/v1", tags=["admin"])
    Manager = Annotated[Principal, Depends(manager)]  # noqa: N806 - a type alias

    @router.post(
        "/programs/{program_id}/pairs/{pair_id}/nudge",
        status_code=202,
        summary="Nudge a pair: both members get a message to meet again",
        description=(
            "For a pair the health report flags (no session for a while). Both members get "
            "a `pair_nudge` message on their channels, as their preferences say (they may "
            "unsubscribe from nudges). Once per pair and day: nudging again the same day "
            "plans nothing new. 404 for a pair this service does not know in the program, "
            "409 `pair_ended` for an ended pair."
        ),
        responses={
            404: {"description": "No such pair in the program."},
            409: {"description": "The pair has ended (`pair_ended`)."},
        },
    )
    async def nudge(program_id: ResourceId, pair_id: ResourceId, who: Manager) -> NudgeView:
        planned = await nudges.nudge(program_id, pair_id, who)
        return NudgeView(program_id=program_id, pair_id=pair_id, planned=planned)

    return router
