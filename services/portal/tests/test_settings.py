"""The portal's settings are documented, and it runs on its own."""

from __future__ import annotations

import tomllib
from pathlib import Path

from portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parents[3]


def test_the_readme_documents_every_portal_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(
        name.upper() for name in PortalSettings.model_fields if f"`{name.upper()}`" not in readme
    )
    assert undocumented == []


def test_the_portal_installs_and_runs_as_its_own_service() -> None:
    folder = ROOT / "services" / "portal"
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["mentorship-portal"] == "portal.__main__:main"
    registration = (ROOT / "services" / "registration" / "Dockerfile").read_text()
    assert (folder / "Dockerfile").read_text() == registration.replace("registration", "portal")


def test_the_redirect_uri_follows_the_base_url() -> None:
    settings = PortalSettings(portal_base_url="https://mentoring.example.com/")
    assert settings.redirect_uri == "https://mentoring.example.com/auth/callback"
