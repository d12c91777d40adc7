"""The admins' erasure requests in the console, over faked registration answers.

The list (oldest first, days left of the GDPR's month, the directory name or "not in the
directory"), one request's confirmation page, the erasure (typed employee id, CSRF), the link
offered to admins only, and registration's 403 for a program manager as the 403 page.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, NotFoundError
from portal.adapters import api
from portal.app import build_app
from portal.domain.erasure import ErasureRequest
from portal.settings import PortalSettings

from .test_console import launch, program

SECRET = "s" * 40
CSRF = "csrf-token-of-the-test"
NOW = datetime.now(UTC)
ADMIN_ROLE = "mentorship-admin"


def request(request_id: str, employee_id: str, days_ago: int) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "employee_id": employee_id,
        "person_id": f"person-{employee_id}",
        "requested_at": (NOW - timedelta(days=days_ago, hours=1)).isoformat(),
    }


class Registration:
    """Registration's answers, and the calls the portal made."""

    def __init__(self) -> None:
        self.requests = [request("erq-1", "e-101", 26), request("erq-2", "e-102", 3)]
        self.calls: list[tuple[str, str, str]] = []
        self.refuse = False

    async def answer(self, method: str, path: str, token: str) -> Any:
        self.calls.append((method, path, token))
        if self.refuse:
            raise ForbiddenError("needs the admin role")
        if (method, path) == ("GET", "/v1/programs"):
            return {"programs": [program("a")]}
        if (method, path) == ("GET", "/v1/programs/a/launch"):
            return launch("a", 0)
        if (method, path) == ("GET", "/v1/erasure-requests"):
            return {"requests": self.requests}
        if (method, path) == ("GET", "/v1/directory/people/e-101"):
            return {"employee_id": "e-101", "name": "Ada Lovelace", "active": True}
        if method == "GET" and path.startswith("/v1/directory/people/"):
            raise NotFoundError("no such person")
        if (method, path) == ("DELETE", "/v1/people/e-101"):
            self.requests = [r for r in self.requests if r["employee_id"] != "e-101"]
            return {"employee_id": "e-101", "registrations_erased": 2}
        raise AssertionError(f"unexpected call {method} {path}")


@pytest.fixture
def registration() -> Registration:
    return Registration()


@pytest.fixture
def signed_in(
    monkeypatch: pytest.MonkeyPatch, registration: Registration
) -> Iterator[Callable[[tuple[str, ...]], TestClient]]:
    async def call(_: Any, method: str, path: str, token: str, **__: Any) -> Any:
        return await registration.answer(method, path, token)

    monkeypatch.setattr(api.ServiceClient, "call", call)
    app = build_app(
        PortalSettings(portal_session_secret=SecretStr(SECRET), portal_cookie_secure=False)
    )
    clients: list[TestClient] = []

    def as_someone_with(roles: tuple[str, ...]) -> TestClient:
        session = {
            "user": {"sub": "e-1", "name": "Dana", "email": "", "token": "t", "roles": roles},
            "csrf": CSRF,
        }
        cookie = TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(session).encode()))
        client = TestClient(app)
        client.__enter__()
        client.cookies.set("portal_session", cookie.decode())
        clients.append(client)
        return client

    yield as_someone_with
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def admin(signed_in: Callable[[tuple[str, ...]], TestClient]) -> TestClient:
    return signed_in((ADMIN_ROLE,))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_list_shows_each_request_oldest_first_with_the_days_left(admin: TestClient) -> None:
    page = admin.get("/console/erasure-requests")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "2 open requests, oldest first" in text
    assert text.index("Ada Lovelace") < text.index("Not in the directory")
    assert "e-101" in text
    assert "e-102" in text
    assert "3 days left" in text  # asked 26 days ago: due within a week, urgent
    assert 'class="badge warn"' in page.text
    assert "26 days left" in text
    assert 'href="/console/erasure-requests/erq-1"' in page.text


def test_a_request_page_says_what_erasing_does_and_asks_for_the_employee_id(
    admin: TestClient,
) -> None:
    page = admin.get("/console/erasure-requests/erq-1")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Erase Ada Lovelace" in text
    assert "It cannot be undone." in text
    assert 'name="confirm_employee_id"' in page.text
    assert admin.get("/console/erasure-requests/erq-9").status_code == 404


def test_erasing_needs_the_typed_employee_id_then_erases_and_closes_the_request(
    admin: TestClient, registration: Registration
) -> None:
    wrong = admin.post(
        "/console/erasure-requests/erq-1/erase",
        data={"csrf_token": CSRF, "confirm_employee_id": "e-10"},
    )
    assert wrong.status_code == 422
    assert "Type the employee id e-101 exactly to confirm the erasure." in text_of(wrong.text)
    assert 'aria-invalid="true"' in wrong.text
    assert ("DELETE", "/v1/people/e-101", "t") not in registration.calls

    done = admin.post(
        "/console/erasure-requests/erq-1/erase",
        data={"csrf_token": CSRF, "confirm_employee_id": " e-101 "},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/erasure-requests"
    assert ("DELETE", "/v1/people/e-101", "t") in registration.calls
    after = text_of(admin.get("/console/erasure-requests").text)
    assert "e-101 is erased: 2 registrations here" in after
    assert "1 open request, oldest first" in after


def test_without_the_csrf_token_nothing_is_erased(
    admin: TestClient, registration: Registration
) -> None:
    refused = admin.post(
        "/console/erasure-requests/erq-1/erase", data={"confirm_employee_id": "e-101"}
    )
    assert refused.status_code == 403
    assert ("DELETE", "/v1/people/e-101", "t") not in registration.calls


def test_only_admins_are_offered_the_page_and_registration_refuses_the_others(
    signed_in: Callable[[tuple[str, ...]], TestClient], registration: Registration
) -> None:
    assert 'href="/console/erasure-requests"' in signed_in((ADMIN_ROLE,)).get("/console").text
    manager = signed_in(("mentorship-program-manager",))
    assert 'href="/console/erasure-requests"' not in manager.get("/console").text
    registration.refuse = True
    assert manager.get("/console/erasure-requests").status_code == 403


def test_the_days_left_count_from_the_request() -> None:
    asked = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    found = ErasureRequest(request_id="r", employee_id="e", person_id="p", requested_at=asked)
    assert found.due_at == datetime(2027, 3, 31, 9, 30, tzinfo=UTC)
    assert found.days_left(asked) == 30
    assert not found.urgent(asked)
    assert found.urgent(asked + timedelta(days=23, hours=12))
    assert found.days_left(asked + timedelta(days=32)) == -2
