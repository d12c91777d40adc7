"""Fixtures of the portal's tests: the whole stack signed in through a real identity provider.

``portal_stack`` starts, once per module, the identity provider (oidc-provider-mock through
`mentorship_devstack.identity`), the five services verifying its tokens through
``AUTH_JWKS_URL``, and the portal. ``browser`` is Debian's Chromium driven by Playwright
(never a downloaded browser); ``axe_source`` is axe-core from npm (``npm ci`` in
``tests/browser`` when it is missing).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mentorship_devstack.identity import IdentityProvider, start_identity_provider
from mentorship_devstack.pytest_plugin import ServiceLauncher, fresh_kafka_prefix
from mentorship_devstack.servers import free_port
from mentorship_devstack.services import SERVICES, ServiceProcess
from mentorship_devstack.stack import Infrastructure

from .browsing import SERVICE_WITHIN_S

BROWSER_DIR = Path(__file__).parent / "browser"
ARTIFACTS = Path(os.environ.get("PORTAL_ARTIFACTS_DIR", Path(__file__).parent / "artifacts"))


@dataclass(frozen=True, slots=True)
class PortalStack:
    """The running stack: identity provider, services and portal."""

    identity: IdentityProvider
    services: dict[str, ServiceProcess]
    portal: ServiceProcess

    @property
    def portal_url(self) -> str:
        """Where the portal answers."""
        return self.portal.base_url

    def url(self, service: str) -> str:
        """Where a service's API answers."""
        return self.services[service].base_url


def portal_environment(
    identity: IdentityProvider, port: int, services: dict[str, str]
) -> dict[str, str]:
    """What the portal process is configured with."""
    return {
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SESSION_SECRET": "test-session-secret-of-at-least-32-characters",
        "OIDC_ISSUER": identity.issuer,
        "OIDC_CLIENT_ID": "mentorship-portal",
        **{f"{name.upper()}_URL": url for name, url in services.items()},
        "LOG_FORMAT": "text",
        # Here seven services, their database, the broker and a browser share two cores, and
        # after the burst of writes of an approval the stand-in database (SecantusDB) has
        # stopped answering everyone for 20-35 s at a time in CI runs (a transaction waiting
        # in WiredTiger for a page while the others queue on its global lock). A page whose
        # service calls wait that out still arrives complete; `browsing.NAVIGATION_WITHIN_MS`
        # waits longer than this.
        "API_TIMEOUT_S": str(SERVICE_WITHIN_S),
    }


@pytest.fixture(scope="module")
def portal_stack(
    infrastructure: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalStack]:
    """Identity provider, the five services (trusting its tokens) and the portal."""
    state = tmp_path_factory.mktemp("portal-stack")
    prefix = asyncio.run(fresh_kafka_prefix(infrastructure))
    identity = start_identity_provider(port=free_port(), state_dir=state)
    launcher = ServiceLauncher(infrastructure, prefix, state / "logs")
    try:
        identity.wait_ready()
        services = {
            name: launcher(name, wait=False, **identity.service_environment())  # type: ignore[arg-type]
            for name in SERVICES
        }
        for process in services.values():
            process.wait_ready()
        port = free_port()
        environment = portal_environment(
            identity, port, {name: p.base_url for name, p in services.items()}
        )
        portal = launcher("portal", port=port, **environment)  # type: ignore[arg-type]
        yield PortalStack(identity, services, portal)
    finally:
        launcher.stop_all()
        identity.stop()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (from npm, installed by ``npm ci`` when missing)."""
    script = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file() and shutil.which("npm"):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(BROWSER_DIR)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    if not script.is_file():
        if os.environ.get("MENTORSHIP_REQUIRE_BROWSER"):
            pytest.fail("axe-core is required: run `npm ci` in services/portal/tests/browser")
        pytest.skip("axe-core is not installed (npm missing)")
    return script.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright (headless, no sandbox: tests run as root)."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("MENTORSHIP_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (apt install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox"], headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests leave their screenshots (gitignored)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
