"""What the browser tests share: a keyboard-driven tab that checks every page it shows.

`Visit.check` runs axe-core (no serious or critical violation), photographs the page at 390 px
and 1440 px (``tests/artifacts/screenshots``) and fails on any Content Security Policy
violation; `Visit.press`/`tab_to` reach everything with the Tab key only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

WIDTHS = (390, 1440)
SERVICE_WITHIN_S = 90.0
"""How long a call to a service may wait: the tests' own, and the portal's (its API_TIMEOUT_S)."""
NAVIGATION_WITHIN_MS = 120_000
"""How long a page may take to arrive: above `SERVICE_WITHIN_S`, so a page whose service calls
wait out a stall of the stand-in database still arrives, complete."""
MAX_TABS = 250
IDENTITY_SUBJECT_FIELD = "#subject-input"
"""The identity provider's (oidc-provider-mock's) "custom user" field."""


class Visit:
    """One person's browser tab, driven by keyboard, checking every page it shows."""

    def __init__(self, page: Any, axe_source: str, screenshots: Path) -> None:
        self.page = page
        self._axe = axe_source
        self._screenshots = screenshots
        self.csp_violations: list[str] = []
        self.visited: list[str] = []
        page.set_default_navigation_timeout(NAVIGATION_WITHIN_MS)
        page.on("console", self._console)
        page.on("framenavigated", lambda frame: self.visited.append(frame.url))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def tab_to(self, selector: str) -> None:
        """Press Tab until ``selector`` has the focus (proves it is reachable by keyboard)."""
        target = self.page.locator(selector).first
        target.wait_for(state="attached")
        for _ in range(MAX_TABS):
            if target.evaluate("element => element === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        pytest.fail(f"{selector} cannot be reached with the Tab key")

    def press(self, selector: str, key: str = "Enter") -> None:
        """Tab to ``selector`` and press ``key``."""
        self.tab_to(selector)
        self.page.keyboard.press(key)

    def choose(self, name: str, value: str) -> None:
        """Pick a radio button the keyboard way: Tab into the group, arrows to the value."""
        self.tab_to(f"input[name='{name}']")
        target = self.page.locator(f"input[name='{name}'][value='{value}']")
        for _ in range(20):
            if target.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        pytest.fail(f"{name}={value} cannot be chosen with the arrow keys")

    def submit(self, selector: str) -> None:
        """Tab to a form's button, press Enter, and wait for the page the form leads to."""
        with self.page.expect_navigation():
            self.press(selector)

    def submit_confirmed(self, selector: str) -> str:
        """Like `submit`, for a button that asks first: accept the dialog, return its message.

        The page the form leads to often has the same address as the page it was sent from,
        so waiting for the address would return before the answer has arrived.
        """
        messages: list[str] = []

        def accept(dialog: Any) -> None:
            messages.append(dialog.message)
            dialog.accept()

        self.page.once("dialog", accept)
        with self.page.expect_navigation():
            self.press(selector)
        assert messages, f"{selector} sent its form without asking first"
        return messages[0]

    def type_into(self, selector: str, text: str) -> None:
        """Tab to a field and type."""
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def check(self, name: str, *, status: int | None = None) -> None:
        """axe-core clean, screenshots at both widths, no CSP violation."""
        self.page.wait_for_load_state("networkidle")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(
                path=str(self._screenshots / f"{name}-{width}.png"), full_page=True
            )
            self.page.evaluate(self._axe + "\n;true")
            result = self.page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
            )
            serious = [v for v in result if v["impact"] in {"serious", "critical"}]
            assert serious == [], f"{name} at {width}px: {serious}"
        self.page.set_viewport_size({"width": 1440, "height": 900})
        assert self.csp_violations == [], self.csp_violations
        if status is not None:
            heading = self.page.locator("h1").inner_text()
            assert heading, f"{name} has no heading"


def sign_in(visit: Visit, portal_url: str, subject: str) -> None:
    """Sign in through the identity provider's form, by keyboard, as exactly ``subject``.

    The provider's page gives its subject field the focus with ``autofocus``, which the
    browser applies at its next rendering, after the load event that ``wait_for_url`` waits
    for (later still while the page's stylesheet is on its way): keys typed before that are
    lost, and "-mentor-3" would be signed in instead of "e-mentor-3". So the field must have
    the focus before typing, and hold the whole subject before the form is sent.
    """
    visit.page.goto(f"{portal_url}/")
    visit.press("a[href='/signin']")
    visit.page.wait_for_url("**/oauth2/authorize**")
    field = visit.page.locator(IDENTITY_SUBJECT_FIELD)
    expect(field).to_be_focused()
    visit.page.keyboard.type(subject)
    expect(field).to_have_value(subject)
    visit.page.keyboard.press("Enter")
    # The home page waits for the services it asks (up to the stack's API_TIMEOUT_S if one is
    # slow); then it renders without what did not answer.
    try:
        visit.page.wait_for_url(f"{portal_url}/", timeout=NAVIGATION_WITHIN_MS)
    except Exception:
        print("still at", visit.page.url)  # not its content: the page may be navigating
        raise


def until(probe: Callable[[], Any], what: str, timeout_s: float = 60.0) -> Any:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.3)
    pytest.fail(f"not reached within {timeout_s}s: {what}")
