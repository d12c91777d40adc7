"""An impact story from writing to withdrawal, in a real browser, by keyboard alone.

A mentee signs in, opens "My stories" from the menu, sends the form without a title or
consent (each mistake comes back beside its field, what she typed kept), then sends her
story: it is listed as awaiting approval. An admin sees it in the console's Stories tab
and approves it; she sees it published, withdraws her consent (the portal's confirmation
dialog), and it is listed with consent withdrawn, gone from the console. Every page is
checked with axe-core and photographed at 390 px and 1440 px, in English and in French.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until
from .test_browser_journey import ZONE, create_program

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
ADMIN_ROLE = "mentorship-admin"
AUTHOR = "e-story-author-1"
REVIEWER = "e-story-admin-1"
TITLE = "From shy to speaking at the all-hands"
STORY = "Six sessions with my mentor.\nI rehearsed twice and spoke to 300 people."


def register(registration_url: str, program_id: str) -> None:
    """The author, a mentee of the program, registered through the API."""
    mentee = {
        "employee_id": AUTHOR,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "answers": {
            "role": "mentee",
            "seniority": "associate",
            "discipline": "design",
            "locations": ["remote"],
            "time_zone": ZONE,
            "languages": ["en"],
            "skills_to_grow": ["public_speaking"],
        },
    }
    httpx.post(
        f"{registration_url}/v1/programs/{program_id}/registrations", json=mentee, headers=ADMIN
    ).raise_for_status()


def test_a_mentee_writes_a_story_an_admin_approves_it_and_she_withdraws_consent(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    identity.set_user(AUTHOR, {"name": "Grace Hopper", "email": "grace@example.com"})
    identity.set_user(
        REVIEWER, {"name": "Rui Reviewer", "email": "rui@example.com", "roles": [ADMIN_ROLE]}
    )
    program_id = create_program(portal_stack.url("registration"), with_mentor=False)
    register(portal_stack.url("registration"), program_id)
    author_api = httpx.Client(
        base_url=portal_stack.url("feedback"),
        headers=bearer(identity.token(AUTHOR)),
        timeout=SERVICE_WITHIN_S,
    )
    # Feedback hears of the registration over Kafka: only then may she write in the program.
    until(
        lambda: author_api.get("/v1/me/export").json()["subject"]["participant_ids"],
        "feedback knows the author",
        timeout_s=120,
    )

    context = browser.new_context()
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, AUTHOR)
    visit.press("nav.main a[href='/me/stories']")
    page.wait_for_url(f"{portal}/me/stories")
    assert page.locator("h1").inner_text() == "My impact stories"
    assert "You have not written a story yet." in page.locator("main").inner_text()
    # Her only program is chosen for her.
    assert page.locator("#program_id").input_value() == program_id
    visit.check("stories-empty")

    # No title, no consent: both named beside their fields, the story she typed kept.
    visit.type_into("#text", STORY)
    visit.submit("button:has-text('Send my story')")
    summary = page.locator(".error-summary").inner_text()
    assert "Give your story a title." in summary
    assert "A story is shared only with your consent" in summary
    assert page.locator("#title-error").is_visible()
    assert page.locator("#consent_to_publish-error").is_visible()
    assert page.locator("#text").input_value() == STORY
    visit.check("stories-form-errors", status=422)

    visit.type_into("#title", TITLE)
    visit.press("#consent_to_publish", "Space")
    visit.submit("button:has-text('Send my story')")
    assert page.url == f"{portal}/me/stories"
    assert "your story is sent" in page.locator("#messages").inner_text()
    card = page.locator("li.story", has_text=TITLE)
    assert "Awaiting approval" in card.inner_text()
    assert "I rehearsed twice" in card.inner_text()
    visit.check("stories-awaiting")

    # An admin approves it in the console.
    reviewer = browser.new_context()
    console = Visit(reviewer.new_page(), axe_source, screenshots)
    sign_in(console, portal, REVIEWER)
    stories_path = f"/console/programs/{program_id}/stories"
    console.page.goto(f"{portal}/console/programs/{program_id}")
    console.press(f"nav.tabs a[href='{stories_path}']")
    console.page.wait_for_url(f"**{stories_path}")
    pending = console.page.locator("li.story", has_text=TITLE)
    assert "By Grace Hopper" in pending.inner_text()
    console.check("console-stories-pending")
    assert console.submit_confirmed(f"li.story:has-text('{TITLE}') button:has-text('Approve')")
    assert "The story is approved" in console.page.locator("#messages").inner_text()
    assert "No story is awaiting approval." in console.page.locator("main").inner_text()
    console.check("console-stories-published")

    # She sees it published, then withdraws her consent after the confirmation.
    page.reload()
    assert "Published" in card.inner_text()
    question = visit.submit_confirmed(
        f"li.story:has-text('{TITLE}') form[action$='/withdraw-consent'] button"
    )
    assert "Withdraw your consent?" in question
    assert page.url == f"{portal}/me/stories"
    assert "the story is no longer published" in page.locator("#messages").inner_text()
    assert "Consent withdrawn" in card.inner_text()
    assert card.locator("form").count() == 0
    visit.check("stories-withdrawn")

    console.page.reload()
    assert TITLE not in console.page.locator("main").inner_text()

    # The same pages in French.
    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    assert page.locator("#language").input_value() == "fr"
    visit.submit("header button:has-text('Change')")
    assert page.locator("h1").inner_text() == "Mes témoignages d\u2019impact"
    assert "Consentement retiré" in card.inner_text()
    visit.check("stories-fr")
    context.close()
    reviewer.close()
    author_api.close()
