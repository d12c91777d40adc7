"""/metrics behind the scrape token: the Ingress sends every path of the host to the portal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from portal.app import build_app
from portal.entrypoints.http.security import bearer_matches
from portal.settings import PortalSettings

TOKEN = "scrape-token-of-the-prometheus-of-this-cluster"


def _portal(metrics_token: str) -> TestClient:
    settings = PortalSettings(
        portal_base_url="https://portal.example",
        portal_session_secret=SecretStr("a-test-secret-that-is-long-enough-for-the-portal"),
        portal_metrics_token=SecretStr(metrics_token),
        oidc_issuer="http://127.0.0.1:9",
    )
    return TestClient(build_app(settings), base_url="https://portal.example")


@pytest.fixture
def guarded() -> Iterator[TestClient]:
    with _portal(TOKEN) as client:
        yield client


def test_metrics_without_the_token_are_refused_with_a_bearer_challenge(
    guarded: TestClient,
) -> None:
    response = guarded.get("/metrics")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "portal_" not in response.text
    assert "PORTAL_METRICS_TOKEN" in response.text


@pytest.mark.parametrize(
    "authorization",
    [f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer", TOKEN, f"Bearer {TOKEN[:-1]}"],
)
def test_a_wrong_token_or_scheme_is_refused(guarded: TestClient, authorization: str) -> None:
    assert guarded.get("/metrics", headers={"Authorization": authorization}).status_code == 401


def test_the_scrape_token_opens_the_exposition(guarded: TestClient) -> None:
    guarded.get("/healthz")
    response = guarded.get("/metrics", headers={"Authorization": f"bearer  {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE" in response.text


def test_probes_need_no_token(guarded: TestClient) -> None:
    assert guarded.get("/healthz").json() == {"status": "ok"}


def test_without_a_token_set_metrics_stay_open_for_local_runs() -> None:
    with _portal("") as client:
        assert client.get("/metrics").status_code == 200


def test_bearer_matches_reads_the_scheme_case_insensitively() -> None:
    assert bearer_matches("BEARER t0k", "t0k")
    assert not bearer_matches(None, "t0k")
    assert not bearer_matches("Bearer t0k t0k", "t0k")
