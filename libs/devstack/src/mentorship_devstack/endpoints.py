"""Where the services of `devstack run` answer, kept in its state folder for other commands.

`devstack run` may move a service off its default port (8001-8005) when that port is taken;
it records the addresses it used in ``<state dir>/services.json`` while it runs, so that
`devstack demo` (or anything else) finds them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

SERVICES_FILE = "services.json"


def record(state_dir: Path, urls: Mapping[str, str]) -> None:
    """Record each service's base URL (name -> ``http://host:port``)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / SERVICES_FILE).write_text(json.dumps(dict(urls), indent=2) + "\n")


def forget(state_dir: Path) -> None:
    """The services stopped: remove the record."""
    (state_dir / SERVICES_FILE).unlink(missing_ok=True)


def recorded(state_dir: Path) -> dict[str, str]:
    """The recorded base URLs by service name (empty when nothing runs from ``state_dir``)."""
    path = state_dir / SERVICES_FILE
    if not path.is_file():
        return {}
    urls = json.loads(path.read_text())
    if not isinstance(urls, dict):
        return {}
    return {str(name): str(url) for name, url in urls.items()}
