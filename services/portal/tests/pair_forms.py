"""What the tests of a pair's forms (agreement, fit, goals) share: the pair page's faked answers
with feedback taking a write, and feedback not answering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from portal.adapters.api import ServiceUnavailable

from .pages import FakedServices, faked_services

FEEDBACK_DOWN = ServiceUnavailable("feedback", "ConnectTimeout after 10.0 s")


def pair_page_services(
    monkeypatch: pytest.MonkeyPatch,
    answers: Mapping[str, Any],
    writes: Mapping[tuple[str, str], Any],
) -> FakedServices:
    """The pair page's ``answers`` (reads, by path) and the ``writes`` feedback takes."""
    table = {("GET", path): found for path, found in answers.items()}
    return faked_services(monkeypatch, table | dict(writes))


def feedback_down(services: FakedServices, pair_id: str = "grp-1") -> None:
    """Feedback's routes of the pair, reads and writes, do not answer (scheduling's do)."""
    for method, path in list(services.answers):
        if path.startswith(f"/v1/pairs/{pair_id}/") and path != f"/v1/pairs/{pair_id}/sessions":
            services.answers[(method, path)] = FEEDBACK_DOWN
