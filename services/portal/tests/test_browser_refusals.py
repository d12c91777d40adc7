"""Two refusals of a service, as a manager reads them in Chromium, in English and in French.

The portal runs in-process (uvicorn in a thread) over faked services (the same fakes as the
in-process console tests), so no stack is needed; the browser is Debian's Chromium. Each form
is posted the keyboard way and photographed (``tests/artifacts/screenshots``,
``refusals-*.png``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mentorship_devstack.servers import free_port
from mentorship_kit.errors import InvalidInputError

from .pages import fake_services, portal_app, session_cookie
from .test_console_operations import ANSWERS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NBSP = "\u00a0"
INVITATION_REFUSED = InvalidInputError(
    [
        ("body.remind_after_days", "Input should be less than or equal to 30"),
        ("body.max_reminders", "Input should be greater than or equal to 0"),
    ]
)
SETTINGS_REFUSED = InvalidInputError(
    [
        ("body.name", "String should have at least 3 characters"),
        ("body.ends_on", "Input should be a valid date"),
    ]
)
EXPECTED = {
    "en": {
        "invite": [
            "Remind after (days): Give 30 or less.",
            "At most this many reminders: Give 0 or more.",
        ],
        "settings": ["Name: Use at least 3 characters.", "Program ends: Give a date."],
    },
    "fr": {
        "invite": [
            f"Relancer après (jours){NBSP}: Indiquez 30 ou moins.",
            f"Nombre maximal de relances{NBSP}: Indiquez 0 ou plus.",
        ],
        "settings": [
            f"Nom{NBSP}: Écrivez au moins 3{NBSP}caractères.",
            f"Fin du programme{NBSP}: Indiquez une date.",
        ],
    },
}


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The portal's URL, its services faked, the invitations and settings refused."""

    async def answer(_: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        found = ANSWERS[(method, path)]
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setitem(ANSWERS, ("POST", "/v1/programs/a/invitations"), INVITATION_REFUSED)
    monkeypatch.setitem(ANSWERS, ("PATCH", "/v1/programs/a"), SETTINGS_REFUSED)
    fake_services(monkeypatch, answer)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(portal_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_two_refusals_are_two_items_in_the_readers_language(
    browser: Any, portal: str, screenshots: Path, lang: str
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    context.add_cookies(
        [{"name": "portal_session", "value": session_cookie("manager-token", lang), "url": portal}]
    )
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        page.goto(f"{portal}/console/programs/a/access")
        page.fill("#remind_after_days", "45")
        page.focus("#max_reminders")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        items = page.locator("div.flash li")
        assert items.all_inner_texts() == EXPECTED[lang]["invite"]
        page.locator("div.flash").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"refusals-invitations-{lang}.png"), full_page=True)

        page.goto(f"{portal}/console/programs/a/settings")
        page.fill("#name", "AB")
        page.focus("#name")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        summary = page.locator("#error-summary li")
        assert summary.all_inner_texts() == EXPECTED[lang]["settings"]
        assert page.locator("#name-error").is_visible()
        assert page.locator("#ends_on-error").is_visible()
        page.screenshot(path=str(screenshots / f"refusals-settings-{lang}.png"), full_page=True)
        assert violations == []
    finally:
        context.close()
