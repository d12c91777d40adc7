"""Calendar feeds: a secret URL per person serving every session as iCalendar."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from mentorship_kit.auth import CallerDependency, Principal
from scheduling.entrypoints.http.common import person_of
from scheduling.entrypoints.http.schemas import FeedView
from scheduling.usecases.calendar import Calendars

FeedToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
FEED_PATH = "/v1/calendars/{token}.ics"


def feed_urls(feed_base_url: str, token: str) -> FeedView:
    """The feed of ``token`` under ``feed_base_url``, and its ``webcal://`` twin."""
    url = feed_base_url.rstrip("/") + FEED_PATH.format(token=token)
    return FeedView(url=url, webcal_url="webcal://" + url.split("://", 1)[-1])


def calendar_router(
    calendars: Calendars, caller: CallerDependency, *, feed_base_url: str
) -> APIRouter:
    """Routes for a person's calendar feed, whose links start with ``feed_base_url``."""
    router = APIRouter(prefix="/v1", tags=["calendar"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get(
        "/me/calendar", summary="The caller's secret calendar feed URL", responses={404: {}}
    )
    async def my_feed(who: Caller) -> FeedView:
        return feed_urls(feed_base_url, await calendars.token(person_of(who)))

    @router.post(
        "/me/calendar/rotate",
        summary="Replace the feed URL (the old one stops working)",
        responses={404: {}},
    )
    async def rotate(who: Caller) -> FeedView:
        return feed_urls(feed_base_url, await calendars.rotate(person_of(who)))

    @router.get(
        "/calendars/{token}.ics",
        summary="A person's sessions as iCalendar (the secret URL is the credential)",
        response_class=Response,
        responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "No such feed."}},
    )
    async def ics(token: FeedToken) -> Response:
        return Response(
            content=await calendars.feed(token),
            media_type=CALENDAR_MEDIA_TYPE,
            headers={"Cache-Control": "private, max-age=300"},
        )

    return router
