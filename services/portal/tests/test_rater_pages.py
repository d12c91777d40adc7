"""The rater's page (360 input through a link, no account) over a faked feedback API.

Shows the skills and what the levels mean, needs the CSRF token of the visitor's session,
refuses a form missing a level beside its skill (nothing sent), records an answer and thanks;
an unknown or malformed link, an expired one and one answered already have their own pages
(the first answer stays); in French too; the
token is never sent with credentials, never logged, never given away by a referrer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_kit.errors import NotFoundError, RuleError
from portal.adapters import api
from portal.app import build_app
from portal.settings import PortalSettings

TOKEN = "cnItYm9zcw.c2lnbmF0dXJl"
LINK = f"/skills/rater-links/{TOKEN}"
FORM = {
    "rater_kind": "peer",
    "moment": "end",
    "skills": ["public_speaking", "negotiation"],
    "expires_at": "2031-01-15T12:00:00Z",
}


class FakeFeedback:
    """The feedback service's open rater-link routes."""

    def __init__(self) -> None:
        self.puts: list[Any] = []
        self.tokens: list[str] = []
        self.known = True
        self.expired_on_answer = False
        self.answered = False

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        self.tokens.append(token)
        if path != f"/v1/skills/rater-links/{TOKEN}" or not self.known:
            raise NotFoundError("rater link")
        if self.answered:  # feedback's rule: a link answers once, then 409 on both routes
            raise RuleError("link_already_answered", "this link was already answered")
        if method == "GET":
            return FORM
        if self.expired_on_answer:
            raise RuleError("link_expired", "this link has expired; ask for a new one")
        self.puts.append(kwargs["json"])
        self.answered = True
        return {"rater_kind": "peer", "moment": "end", "assessed_at": "2030-12-01T10:00:00Z"}


@pytest.fixture
def feedback(monkeypatch: pytest.MonkeyPatch) -> FakeFeedback:
    fake = FakeFeedback()

    async def answer(_: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        return await fake.call(method, path, token, **kwargs)

    monkeypatch.setattr(api.ServiceClient, "call", answer)
    return fake


@pytest.fixture
def client(feedback: FakeFeedback) -> Iterator[TestClient]:
    del feedback  # installed first
    app = build_app(
        PortalSettings(portal_session_secret=SecretStr("s" * 40), portal_cookie_secure=False)
    )
    with TestClient(app) as test_client:  # no sign-in: a visitor without an account
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_link_shows_the_skills_the_levels_and_sends_no_referrer(
    client: TestClient, feedback: FakeFeedback
) -> None:
    page = client.get(LINK)
    assert page.status_code == 200
    assert "<h1>Your view of a colleague\u2019s skills</h1>" in page.text
    assert "only shown as an average, once at least three peers" in page.text
    assert "<legend>Public speaking</legend>" in page.text
    assert "<legend>Negotiation</legend>" in page.text
    assert page.text.count('type="radio" name="level.negotiation"') == 5
    assert "<dt>5 · Expert</dt>" in page.text
    assert f'action="{LINK}"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert feedback.tokens == [""]  # the portal sends no credentials of its own


def test_an_answer_is_recorded_and_thanked_with_the_sessions_csrf_token(
    client: TestClient, feedback: FakeFeedback, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = _csrf(client.get(LINK).text)
    without = client.post(LINK, data={"level.public_speaking": "4", "level.negotiation": "2"})
    assert without.status_code == 403, without.text[-1500:]
    assert feedback.puts == []
    sent = client.post(
        LINK,
        data={"csrf_token": csrf, "level.public_speaking": "4", "level.negotiation": "2"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/skills/rater-answered"
    assert feedback.puts == [{"levels": {"public_speaking": 4, "negotiation": 2}}]
    thanks = client.get("/skills/rater-answered")
    assert "<h1>Thank you: your ratings are recorded</h1>" in thanks.text
    # the portal's own calls (the test client logs its requests under httpx too)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    portal_logs = [r.getMessage() for r in caplog.records if "testserver" not in r.getMessage()]
    assert all(TOKEN not in message for message in portal_logs)


def test_a_skill_without_a_level_is_shown_beside_it_and_nothing_is_sent(
    client: TestClient, feedback: FakeFeedback
) -> None:
    csrf = _csrf(client.get(LINK).text)
    refused = client.post(
        LINK, data={"csrf_token": csrf, "level.public_speaking": "3", "level.negotiation": "9"}
    )
    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    assert 'id="skill-negotiation-error">Choose a level from 1 to 5.' in refused.text
    assert 'name="level.public_speaking" value="3" checked' in refused.text
    assert feedback.puts == []


def test_unknown_malformed_and_expired_links_have_their_own_pages(
    client: TestClient, feedback: FakeFeedback
) -> None:
    malformed = client.get("/skills/rater-links/not-a-token")
    assert malformed.status_code == 404
    assert "<h1>This link cannot be used</h1>" in malformed.text
    assert feedback.tokens == []  # refused by its shape: nothing reached the service
    csrf = _csrf(malformed.text)
    feedback.expired_on_answer = True
    expired = client.post(
        LINK, data={"csrf_token": csrf, "level.public_speaking": "3", "level.negotiation": "3"}
    )
    assert expired.status_code == 410
    assert "<h1>This link has expired</h1>" in expired.text
    feedback.known = False
    unknown = client.get(LINK)
    assert unknown.status_code == 404
    assert "<h1>This link cannot be used</h1>" in unknown.text


def test_a_link_answered_already_thanks_the_rater_and_sends_nothing(
    client: TestClient, feedback: FakeFeedback
) -> None:
    csrf = _csrf(client.get(LINK).text)
    levels = {"csrf_token": csrf, "level.public_speaking": "4", "level.negotiation": "2"}
    assert client.post(LINK, data=levels, follow_redirects=False).status_code == 303
    reopened = client.get(LINK)
    assert reopened.status_code == 409
    assert "<h1>You have already answered</h1>" in reopened.text
    assert "your answer stays as it is" in reopened.text
    assert 'name="level.' not in reopened.text  # no form to fill in again
    again = client.post(LINK, data={**levels, "level.public_speaking": "1"})
    assert again.status_code == 409
    assert "<h1>You have already answered</h1>" in again.text
    assert feedback.puts == [{"levels": {"public_speaking": 4, "negotiation": 2}}]
    french = client.get(LINK, headers={"accept-language": "fr"})
    assert (french.status_code, "<h1>Vous avez déjà répondu</h1>" in french.text) == (409, True)


def test_the_page_speaks_french(client: TestClient) -> None:
    page = client.get(LINK, headers={"accept-language": "fr"})
    assert page.status_code == 200
    assert "<h1>Votre regard sur les compétences d\u2019un collègue</h1>" in page.text
    assert "5 · Expert" in page.text
    assert "Envoyer mes notes" in page.text
