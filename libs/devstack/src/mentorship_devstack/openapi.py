"""The services' OpenAPI documents, generated from their apps and committed.

``devstack openapi`` writes ``services/<name>/openapi.json``; ``--check`` fails when a
committed copy differs from what the code generates (run by `make test`).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from mentorship_devstack.services import SERVICES
from mentorship_devstack.tokens import dev_auth_defaults


def document(service: str) -> dict[str, Any]:
    """The OpenAPI document of ``service`` (its app built with default settings)."""
    app_module = importlib.import_module(f"{service}.app")
    with dev_auth_defaults():
        spec: dict[str, Any] = app_module.build_app().openapi()
    return spec


def render(spec: dict[str, Any]) -> str:
    """The committed text of a document."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def path_of(root: Path, service: str) -> Path:
    """Where ``service``'s document is committed."""
    return root / "services" / service / "openapi.json"


def stale(root: Path) -> list[str]:
    """Services whose committed document is missing or differs."""
    return [
        service
        for service in SERVICES
        if not path_of(root, service).is_file()
        or path_of(root, service).read_text() != render(document(service))
    ]


def write(root: Path) -> None:
    """(Re)write every service's document."""
    for service in SERVICES:
        path_of(root, service).write_text(render(document(service)))
