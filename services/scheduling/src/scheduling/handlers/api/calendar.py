"""Calendar feeds: a secret URL per person serving every session as iCalendar."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from mentorship_contracts.types import utc_now
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.errors import NotFoundError
from mentorship_kit.http_errors import ApiError
from scheduling.adapters.people import People
from scheduling.domain.calendar import feed
from scheduling.handlers.api.sessions import person_of
from scheduling.handlers.api.views import FeedView
from scheduling.handlers.programs import ProgramNames
from scheduling.handlers.sessions import SessionService

FeedToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"


def calendar_router(
    service: SessionService,
    people: People,
    programs: ProgramNames,
    caller: CallerDependency,
    *,
    feed_base_url: str,
) -> APIRouter:
    """Routes for a person's calendar feed."""
    router = APIRouter(prefix="/v1", tags=["calendar"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    base = feed_base_url.rstrip("/")

    def urls(token: str) -> FeedView:
        url = f"{base}/v1/calendars/{token}.ics"
        return FeedView(url=url, webcal_url="webcal://" + url.split("://", 1)[-1])

    async def participant(who: Principal) -> str:
        """The caller's person id, if they are a participant this service knows (else 404)."""
        person_id = person_of(who)
        if not await people.participant_ids(person_id):
            msg = "no registration of yours is known here (yet)"
            raise NotFoundError(msg)
        return person_id

    @router.get(
        "/me/calendar", summary="The caller's secret calendar feed URL", responses={404: {}}
    )
    async def my_feed(who: Caller) -> FeedView:
        return urls(await people.feed_token(await participant(who), utc_now()))

    @router.post(
        "/me/calendar/rotate",
        summary="Replace the feed URL (the old one stops working)",
        responses={404: {}},
    )
    async def rotate(who: Caller) -> FeedView:
        return urls(await people.rotate_feed_token(await participant(who), utc_now()))

    @router.get(
        "/calendars/{token}.ics",
        summary="A person's sessions as iCalendar (the secret URL is the credential)",
        response_class=Response,
        responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "No such feed."}},
    )
    async def ics(token: FeedToken) -> Response:
        person_id = await people.person_of_feed(token)
        if person_id is None:
            raise ApiError(404, "not_found", "No calendar feed at this address.")
        sessions = await service.of_person(person_id)
        zones = await service.zones(sorted({p for s in sessions for p in s.participant_ids}))
        own = await people.participant_ids(person_id)
        zone = next((zones[p] for p in own if p in zones), "UTC")
        body = feed(
            sessions,
            program_names=await programs.names({s.program_id for s in sessions}),
            zone=zone,
            generated_at=utc_now(),
        )
        return Response(
            content=body,
            media_type=CALENDAR_MEDIA_TYPE,
            headers={"Cache-Control": "private, max-age=300"},
        )

    return router
