"""The notification preferences page answered in-process over a faked notifications API.

Renders the stored choices, saves a changed form (post, redirect, get, with a message), shows
the service's refusals beside their fields (422, the form as submitted) and needs the CSRF
token; in French too.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_kit.errors import InvalidInputError
from portal.adapters import api
from portal.app import build_app
from portal.settings import PortalSettings

SECRET = "s" * 40
CSRF = "csrf-token-of-the-test"
PREFERENCES = "/v1/me/notification-preferences"


class FakeNotifications:
    """Stores what was PUT and answers it back, as the service does; or refuses."""

    def __init__(self) -> None:
        self.stored: dict[str, Any] = {
            "person_id": "e-1",
            "channels": {},
            "cadence": {},
            "unsubscribed": [],
            "quiet_hours": None,
            "language": None,
            "time_zone": None,
            "updated_at": None,
        }
        self.refusal: InvalidInputError | None = None
        self.puts: list[Any] = []

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == "participant-token"
        assert path == PREFERENCES, path
        if method == "PUT":
            self.puts.append(kwargs["json"])
            if self.refusal is not None:
                raise self.refusal
            self.stored = {**self.stored, **kwargs["json"]}
        return self.stored


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeNotifications:
    fake = FakeNotifications()

    async def answer(_: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        return await fake.call(method, path, token, **kwargs)

    monkeypatch.setattr(api.ServiceClient, "call", answer)
    return fake


@pytest.fixture
def client(service: FakeNotifications) -> Iterator[TestClient]:
    del service  # installed first
    app = build_app(
        PortalSettings(portal_session_secret=SecretStr(SECRET), portal_cookie_secure=False)
    )
    session = {
        "user": {"sub": "e-1", "name": "Ada", "email": "", "token": "participant-token"},
        "csrf": CSRF,
    }
    cookie = TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(session).encode()))
    with TestClient(app) as test_client:
        test_client.cookies.set("portal_session", cookie.decode())
        yield test_client


def test_the_page_shows_the_defaults_e_mail_for_everything(client: TestClient) -> None:
    page = client.get("/me/notifications")
    assert page.status_code == 200
    assert "<h1>Notification preferences</h1>" in page.text
    assert 'name="match.email" value="on" checked' in page.text
    assert 'name="match.chat" value="on" >' in page.text
    assert 'name="survey_open.digest"' in page.text
    assert 'name="match.digest"' not in page.text
    assert 'name="session_invitation.email"' not in page.text  # always by e-mail
    assert "not running" not in page.text


def test_a_saved_change_is_shown_after_the_redirect_with_a_message(
    client: TestClient, service: FakeNotifications
) -> None:
    saved = client.post(
        "/me/notifications",
        data={
            "csrf_token": CSRF,
            "match.chat": "on",
            "survey_open.email": "on",
            "survey_open.digest": "on",
            "quiet_start": "21:30",
            "quiet_end": "07:00",
            "language": "fr",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/me/notifications"
    sent = service.puts[-1]
    assert sent["channels"]["match"] == ["slack"]
    assert "session_reminder" in sent["unsubscribed"]
    service.stored["quiet_hours"] = {"start": "21:30:00", "end": "07:00:00"}
    page = client.get("/me/notifications").text
    assert "Your notification preferences are saved." in page
    assert 'name="match.chat" value="on" checked' in page
    assert 'name="match.email" value="on" >' in page
    assert 'name="survey_open.digest" value="on" checked' in page
    assert 'value="21:30"' in page
    assert '<option value="fr" selected>' in page


def test_the_services_refusal_is_shown_beside_its_field_with_the_form_as_sent(
    client: TestClient, service: FakeNotifications
) -> None:
    service.refusal = InvalidInputError([("body.time_zone", "unknown IANA time zone 'Mars/Base'")])
    refused = client.post(
        "/me/notifications",
        data={"csrf_token": CSRF, "time_zone": "Mars/Base", "match.chat": "on"},
    )
    assert refused.status_code == 422
    page = refused.text
    assert "<title>Error:" in page
    assert 'id="time_zone-error">unknown IANA time zone' in page
    assert 'aria-describedby="time_zone-error" aria-invalid="true"' in page
    assert 'value="Mars/Base"' in page
    assert 'name="match.chat" value="on" checked' in page


def test_half_given_quiet_hours_are_refused_in_the_persons_language(
    client: TestClient, service: FakeNotifications
) -> None:
    client.post(
        "/language",
        data={"csrf_token": CSRF, "language": "fr", "next": "/me/notifications"},
        follow_redirects=False,
    )
    refused = client.post("/me/notifications", data={"csrf_token": CSRF, "quiet_start": "22:00"})
    assert refused.status_code == 422
    assert 'id="quiet_end-error">Indiquez les deux heures, ou aucune.' in refused.text
    assert "Préférences de notification" in refused.text
    assert service.puts == []


def test_saving_needs_the_csrf_token(client: TestClient, service: FakeNotifications) -> None:
    response = client.post("/me/notifications", data={"match.chat": "on"})
    assert response.status_code == 403
    assert service.puts == []
