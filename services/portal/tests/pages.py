"""What the in-process page tests share: a signed-in session, faked services, reading HTML.

`fake_services` routes every API call of the portal to one function; `sign_in` opens a test
client whose session cookie carries a person's token (and language, roles); `text_of` and
`section` read what a page shows.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from starlette.testclient import TestClient

from portal.adapters import api
from portal.app import build_app
from portal.settings import PortalSettings

SECRET = "s" * 40
CSRF = "csrf-token-of-the-test"


class SignIn(Protocol):
    """Opens a test client signed in with ``token``."""

    def __call__(
        self, token: str, lang: str | None = None, roles: tuple[str, ...] = ()
    ) -> TestClient: ...


def fake_services(monkeypatch: pytest.MonkeyPatch, answer: Callable[..., Awaitable[Any]]) -> None:
    """Every service call answered by ``answer(service, method, path, token, **kwargs)``."""

    async def call(client: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        return await answer(client.name, method, path, token, **kwargs)

    monkeypatch.setattr(api.ServiceClient, "call", call)


@dataclass
class FakedServices:
    """Faked services' answers by (method, path), and the JSON body last sent to one."""

    answers: dict[tuple[str, str], Any]
    sent: dict[str, Any] = field(default_factory=dict)


def faked_services(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[tuple[str, str], Any],
    token: str = "participant-token",
) -> FakedServices:
    """Every service call answered from ``answers`` (an exception there is raised), for
    calls made with ``token`` only; what a call sent as JSON is kept in ``sent``."""
    faked = FakedServices(answers)

    async def answer(_: str, method: str, path: str, given: str, **kwargs: Any) -> Any:
        assert given == token, (method, path)
        if "json" in kwargs:
            faked.sent = kwargs["json"]
        found = faked.answers[(method, path)]
        if isinstance(found, Exception):
            raise found
        return found

    fake_services(monkeypatch, answer)
    return faked


def portal_app(**settings: Any) -> FastAPI:
    """The portal with the tests' session secret, over plain HTTP."""
    return build_app(
        PortalSettings(
            portal_session_secret=SecretStr(SECRET), portal_cookie_secure=False, **settings
        )
    )


def session_cookie(token: str, lang: str | None = None, roles: tuple[str, ...] = ()) -> str:
    """The signed session cookie of someone signed in with ``token``."""
    session: dict[str, Any] = {
        "user": {"sub": "e-1", "name": "Ada", "email": "", "token": token, "roles": list(roles)},
        "csrf": CSRF,
    }
    if lang:
        session["lang"] = lang
    return TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(session).encode())).decode()


@contextmanager
def signing_in(app: FastAPI) -> Iterator[SignIn]:
    """Opens signed-in clients of ``app``; closes them all at the end."""
    clients: list[TestClient] = []

    def as_(token: str, lang: str | None = None, roles: tuple[str, ...] = ()) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        client.cookies.set("portal_session", session_cookie(token, lang, roles))
        clients.append(client)
        return client

    try:
        yield as_
    finally:
        for client in clients:
            client.__exit__(None, None, None)


def text_of(html: str) -> str:
    """The text a page shows, its white space collapsed (not its no-break spaces)."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, element_id: str) -> str:
    """The inside of the section, table, div or fieldset with ``element_id``."""
    found = re.search(
        rf'<(section|table|div|fieldset)[^>]* id="{element_id}"(.*?)</\1>', html, re.DOTALL
    )
    assert found, f"no #{element_id}"
    return found[2]
