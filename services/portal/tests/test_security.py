"""Sign-in redirect (state, nonce, PKCE), CSRF, the session cookie and the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_devstack.identity import IdentityProvider, start_identity_provider
from mentorship_devstack.servers import free_port
from portal.app import build_app
from portal.settings import PortalSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    provider = start_identity_provider(port=free_port(), state_dir=tmp_path_factory.mktemp("idp"))
    try:
        provider.wait_ready()
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def portal(identity: IdentityProvider) -> Iterator[TestClient]:
    settings = PortalSettings(
        portal_base_url="https://portal.example",
        portal_session_secret=SecretStr("a-test-secret-that-is-long-enough-for-the-portal"),
        oidc_issuer=identity.issuer,
        registration_url="http://127.0.0.1:9",
    )
    with TestClient(build_app(settings), base_url="https://portal.example") as client:
        yield client


def test_sign_in_sends_state_nonce_and_an_s256_code_challenge(portal: TestClient) -> None:
    response = portal.get("/signin?next=/me/data", follow_redirects=False)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["redirect_uri"] == ["https://portal.example/auth/callback"]
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "secure" in cookie.lower()
    assert "samesite=lax" in cookie.lower()


def test_a_callback_with_a_forged_state_signs_nobody_in(portal: TestClient) -> None:
    portal.get("/signin", follow_redirects=False)
    response = portal.get("/auth/callback?code=stolen&state=forged", follow_redirects=False)
    assert response.status_code == 401
    assert portal.get("/me/data", follow_redirects=False).headers["location"].startswith("/signin")


def test_forms_without_the_csrf_token_are_refused(portal: TestClient) -> None:
    portal.get("/")  # a session with a token
    refused = portal.post("/language", data={"language": "fr"})
    assert refused.status_code == 403
    assert "The form had expired" in refused.text


def test_pages_carry_a_strict_policy_and_no_inline_script(portal: TestClient) -> None:
    response = portal.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text
    assert " style=" not in response.text
    assert response.headers["server-timing"].startswith("app;dur=")


def test_the_portal_refuses_to_start_without_a_session_secret(identity: IdentityProvider) -> None:
    with pytest.raises(ValueError, match="PORTAL_SESSION_SECRET"):
        build_app(
            PortalSettings(oidc_issuer=identity.issuer, portal_session_secret=SecretStr("short"))
        )


def test_every_template_is_free_of_inline_script_and_style() -> None:
    templates = Path(__file__).resolve().parents[1] / "src" / "portal" / "entrypoints" / "http"
    for template in (templates / "templates").glob("*.html"):
        text = template.read_text()
        assert "<script>" not in text, template.name
        assert " style=" not in text, template.name
        assert not re.search(r"<[^>]*\son[a-z]+=", text), template.name
