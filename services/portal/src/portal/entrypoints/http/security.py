"""Headers every answer carries, CSRF tokens, and the Server-Timing of each page.

- Content-Security-Policy: scripts, styles, images, fonts and connections from the portal
  only, no inline script or style, forms posting only to the portal (and the identity
  provider, where signing out goes), never framed.
- CSRF: a synchronizer token per session, in a hidden field of every form (and htmx sends
  the form's fields), compared in constant time on every POST.
- Server-Timing: ``app`` (the whole page) and ``api`` (its slowest API call), read by the
  page-speed benchmark.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.adapters.api import CallTimes, call_times

CSRF_FIELD = "csrf_token"
_BEARER = "bearer"
_CSRF_KEY = "csrf"


def content_security_policy(identity_origin: str) -> str:
    """The policy of every page."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            f"form-action 'self' {identity_origin}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


class SecurityHeaders:
    """Adds the security headers and Server-Timing to every HTTP answer."""

    def __init__(self, app: ASGIApp, *, identity_origin: str) -> None:
        self._app = app
        self._headers = [
            (b"content-security-policy", content_security_policy(identity_origin).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        times = CallTimes()
        token = call_times.set(times)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += self._headers
                path: str = scope.get("path", "")
                if not path.startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                elapsed_ms = (time.perf_counter() - started) * 1000
                timing = f"app;dur={elapsed_ms:.2f}, api;dur={times.slowest * 1000:.2f}"
                headers.append((b"server-timing", timing.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._app(scope, receive, send_with_headers)
        finally:
            call_times.reset(token)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    session: dict[str, Any] = request.session
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def csrf_valid(request: Request, submitted: object) -> bool:
    """Whether ``submitted`` is this session's CSRF token."""
    expected = request.session.get(_CSRF_KEY)
    return (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (in constant time)."""
    scheme, _, credentials = (authorization or "").partition(" ")
    return scheme.lower() == _BEARER and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    )
