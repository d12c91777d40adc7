"""Typed clients of the services' HTTP APIs, called with the signed-in person's token.

Every answer is read into the portal's models (`portal.domain.models`); every refusal
becomes one of the kit's framework-free errors, so use cases and pages never see HTTP:
401 `SignInRequired`, 403 `ForbiddenError`, 404 `NotFoundError`, 409 `RuleError` (with the
rule's code), 422 `InvalidInputError` (every problem by field path), anything else or no
answer `ServiceUnavailable`. The time of each call is recorded for the Server-Timing header.

A read (GET) whose connection broke before an answer came (a kept-alive connection the
service closed meanwhile, a service restarting) is sent once more on a new connection; a
timeout is not repeated, and nothing that changes data is ever sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, TypeAdapter

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError


class SignInRequired(Exception):  # noqa: N818 - names the situation, as the kit's errors do
    """The token is missing, expired or refused: the person must sign in again."""


class ServiceUnavailable(Exception):  # noqa: N818
    """A service did not answer, or failed."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service


@dataclass(slots=True)
class CallTimes:
    """The API calls one page made, and how long each took (seconds)."""

    calls: list[tuple[str, float]] = field(default_factory=list)

    @property
    def slowest(self) -> float:
        """The longest call (0 when none)."""
        return max((seconds for _, seconds in self.calls), default=0.0)


call_times: ContextVar[CallTimes | None] = ContextVar("portal_call_times", default=None)

KEEPALIVE_EXPIRY_S = 2.0
"""How long an idle connection to a service is kept: below the services' own keep-alive
(uvicorn closes idle connections after 5 s), so the portal never reuses one being closed."""
_REPEATABLE_METHODS = frozenset({"GET", "HEAD"})


def _broken_connection(error: httpx.HTTPError) -> bool:
    """Whether the request failed for its connection, not its time (and may be repeated)."""
    return isinstance(error, httpx.NetworkError | httpx.RemoteProtocolError) and not isinstance(
        error, httpx.TimeoutException
    )


def _problems(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = [
        (str(item.get("field", "")), str(item.get("message", "")))
        for item in body.get("errors") or ()
        if isinstance(item, Mapping)
    ]
    return found or [("", str(body.get("message", "The request is invalid.")))]


class ServiceClient:
    """One service's API over a shared connection pool."""

    def __init__(self, name: str, http: httpx.AsyncClient, base_url: str) -> None:
        self.name = name
        self._http = http
        self._base_url = base_url.rstrip("/")

    async def call(
        self,
        method: str,
        path: str,
        token: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        """The JSON answer of ``method path``; raises the errors the module lists.

        ``content`` sends raw bytes (a CSV file, with its ``content_type``) instead of JSON.
        An empty ``token`` calls without credentials (the open routes, such as rater links).
        ``timeout_s`` replaces the client's timeout for this call (a long export).
        """
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content_type:
            headers["Content-Type"] = content_type
        attempts = 2 if method in _REPEATABLE_METHODS else 1
        try:
            for attempt in range(1, attempts + 1):
                try:
                    response = await self._http.request(
                        method,
                        f"{self._base_url}{path}",
                        json=json,
                        params=params,
                        content=content,
                        headers=headers,
                        timeout=httpx.USE_CLIENT_DEFAULT if timeout_s is None else timeout_s,
                    )
                    break
                except httpx.HTTPError as error:
                    if attempt < attempts and _broken_connection(error):
                        continue
                    elapsed = time.perf_counter() - started
                    raise ServiceUnavailable(
                        self.name, f"{type(error).__name__} after {elapsed:.1f} s ({method} {path})"
                    ) from None
        finally:
            if (times := call_times.get()) is not None:
                times.calls.append((f"{self.name} {method} {path}", time.perf_counter() - started))
        return self._read(response)

    def _read(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status < 300:
            if not response.content:
                return None
            if response.headers.get("content-type", "").startswith("text/"):
                return response.text  # a CSV export
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        message = str(body.get("message") or response.reason_phrase)
        if status == 401:
            raise SignInRequired(message)
        if status == 403:
            raise ForbiddenError(message)
        if status == 404:
            raise NotFoundError(message)
        if status == 409:
            raise RuleError(str(body.get("error", "conflict")), message)
        if status == 422:
            raise InvalidInputError(_problems(body))
        raise ServiceUnavailable(self.name, f"{status} {message}")


def parse[M: BaseModel](model: type[M], data: Any) -> M:
    """``data`` read as ``model``."""
    return model.model_validate(data)


def parse_list[M: BaseModel](model: type[M], data: Any) -> list[M]:
    """``data`` read as a list of ``model``."""
    return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
