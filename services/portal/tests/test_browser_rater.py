"""A manager's or peer's 360 answer through their link, in a real browser, by keyboard alone.

A mentee (registered with two skills to grow) asks feedback for peer links; a peer with no
account opens the portal's page at the link the invitation carries, forgets a level (shown
beside its skill), answers, and is thanked; feedback's calibration view counts the answer.
Opening the link again shows "already answered" (feedback's rule: a link answers once, the
first answer stays). A damaged link has its own page. No page sends a referrer,
and the token never reaches the portal's log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .browsing import SERVICE_WITHIN_S, Visit, until
from .test_browser_journey import ZONE, create_program

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
MENTEE = "e-rated-mentee-1"
SKILLS = ["public_speaking", "negotiation"]


def _register_mentee(registration_url: str, program_id: str) -> None:
    mentee = {
        "employee_id": MENTEE,
        "name": "Rita Rated",
        "email": "rita@example.com",
        "answers": {
            "role": "mentee",
            "seniority": "associate",
            "discipline": "design",
            "locations": ["remote"],
            "time_zone": ZONE,
            "languages": ["en"],
            "skills_to_grow": SKILLS,
        },
    }
    httpx.post(
        f"{registration_url}/v1/programs/{program_id}/registrations", json=mentee, headers=ADMIN
    ).raise_for_status()


def test_a_peer_answers_through_the_link_without_an_account(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    program_id = create_program(portal_stack.url("registration"), with_mentor=False)
    _register_mentee(portal_stack.url("registration"), program_id)
    mentee = bearer(portal_stack.identity.token(MENTEE))
    feedback = httpx.Client(
        base_url=portal_stack.url("feedback"), headers=mentee, timeout=SERVICE_WITHIN_S
    )

    def ask() -> httpx.Response | None:  # feedback hears of the registration over Kafka
        asked = feedback.post(
            f"/v1/programs/{program_id}/skills/raters", json={"moment": "baseline", "peers": 3}
        )
        return asked if asked.status_code == 200 else None

    links = until(ask, "feedback knows the mentee", timeout_s=120).json()["links"]
    token = links[0]["token"]
    participant_id = feedback.get("/v1/me/export").json()["subject"]["participant_ids"][0]
    calibration = f"/v1/programs/{program_id}/participants/{participant_id}/skills/calibration"

    def peers_answered() -> list[int]:
        rows = feedback.get(calibration).json()["moments"].get("baseline", [])
        return [row["peers_answered"] for row in rows]

    assert peers_answered() in ([], [0, 0])

    context = browser.new_context()  # the peer: no account, no sign-in
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    opened = page.goto(f"{portal}/skills/rater-links/{token}")
    assert opened is not None
    assert opened.status == 200
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert page.locator("h1").inner_text() == "Your view of a colleague\u2019s skills"
    assert page.locator("fieldset legend").all_inner_texts() == ["Public speaking", "Negotiation"]
    visit.check("rater-link", status=200)

    visit.choose("level.public_speaking", "4")
    visit.submit("button:has-text('Send my ratings')")
    assert "Negotiation: choose a level from 1 to 5." in page.locator(".error-summary").inner_text()
    assert page.locator("input[name='level.public_speaking'][value='4']").is_checked()
    visit.check("rater-link-missing", status=422)
    assert peers_answered() in ([], [0, 0])

    visit.choose("level.negotiation", "2")
    visit.submit("button:has-text('Send my ratings')")
    assert page.url == f"{portal}/skills/rater-answered"
    assert page.locator("h1").inner_text() == "Thank you: your ratings are recorded"
    visit.check("rater-thanks", status=200)
    assert until(lambda: peers_answered() == [1, 1], "the answer in the calibration view")

    # The link answered once: opening it again thanks the rater, with no form; still one peer.
    reopened = page.goto(f"{portal}/skills/rater-links/{token}")
    assert reopened is not None
    assert reopened.status == 409
    assert page.locator("h1").inner_text() == "You have already answered"
    assert page.locator("input[type='radio']").count() == 0
    visit.check("rater-link-answered", status=409)
    assert peers_answered() == [1, 1]

    damaged = page.goto(f"{portal}/skills/rater-links/{token[:-4]}AAAA")
    assert damaged is not None
    assert damaged.status == 404
    assert page.locator("h1").inner_text() == "This link cannot be used"
    visit.check("rater-link-unknown", status=404)
    context.close()
    feedback.close()

    assert token not in portal_stack.portal.log_path.read_text()
