"""The program manager's dashboard: one page of charts over the report API (Plotly.js)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from plotly.offline import get_plotlyjs

ASSET_CACHE = "public, max-age=86400"


@cache
def _page() -> str:
    return resources.files(__package__).joinpath("dashboard.html").read_text(encoding="utf-8")


@cache
def _plotly() -> bytes:
    bundle: str = get_plotlyjs()
    return bundle.encode()


def dashboard_router() -> APIRouter:
    """The page and its charting library (the page calls the report API with the token)."""
    router = APIRouter(tags=["dashboard"])

    @router.get(
        "/dashboard",
        response_class=HTMLResponse,
        summary="The program dashboard: /dashboard?program=<id>#token=<admin token>",
    )
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(_page(), headers={"Cache-Control": "no-cache"})

    @router.get("/dashboard/assets/plotly.min.js", include_in_schema=False)
    async def plotly() -> Response:
        return Response(
            _plotly(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": ASSET_CACHE},
        )

    return router
