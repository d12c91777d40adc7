"""Conventions that hold across the repository (no I/O beyond reading files)."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest

from mentorship_devstack.services import SERVICES
from mentorship_kit.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]


def _settings_classes() -> list[type[ServiceSettings]]:
    classes: list[type[ServiceSettings]] = [ServiceSettings]
    for service in SERVICES:
        module = importlib.import_module(f"{service}.settings")
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, ServiceSettings)
            and value is not ServiceSettings
        ]
    return classes


def test_readme_documents_every_setting_of_every_service() -> None:
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(
        {
            name.upper()
            for settings in _settings_classes()
            for name in settings.model_fields
            if f"`{name.upper()}`" not in readme
        }
    )
    assert not undocumented


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_installs_and_runs_on_its_own(service: str) -> None:
    folder = ROOT / "services" / service
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert project["name"] == service
    assert project["scripts"][f"mentorship-{service}"] == f"{service}.__main__:main"
    assert (folder / "src" / service / "__main__.py").is_file()
    assert (folder / "src" / service / "domain").is_dir()
    assert (folder / "Dockerfile").is_file()


def test_service_dockerfiles_differ_only_in_the_service_name() -> None:
    def normalised(service: str) -> str:
        text = (ROOT / "services" / service / "Dockerfile").read_text()
        return re.sub(rf"\b{service}\b", "<service>", text)

    reference = normalised(SERVICES[0])
    for service in SERVICES[1:]:
        assert normalised(service) == reference, f"services/{service}/Dockerfile drifted"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().endswith("exec make test")
    assert "make test" in (ROOT / "README.md").read_text()


def test_committed_openapi_documents_are_current() -> None:
    from mentorship_devstack import openapi

    assert openapi.stale(ROOT) == [], "run `make openapi` and commit the result"
