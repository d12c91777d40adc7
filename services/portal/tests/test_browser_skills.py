"""Skills assessments from both sides, in a real browser, by keyboard alone, on the real stack.

A mentee (two skills to grow, a manager named at registration) opens "My skills" from the
home page, sends her baseline ratings with a skill missing (named beside it, her choice
kept), then complete; asks for 360 input with a mistyped address (beside its field, nothing
sent), then her manager, a peer by e-mail and three links to forward, which are shown once
with the note that she must forward them; asking for two more links is feedback's refusal
(five peers per moment) beside the links field. Two peers answer: their average stays
hidden; the third makes it appear. Her mentor rates her halfway on the pair page, follows
its link to the calibration, and sends the end with a skill missing (beside it). Her page in
French. Every page is checked with axe-core and photographed at 390 px and 1440 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .browsing import MAX_TABS, SERVICE_WITHIN_S, Visit, sign_in, until
from .test_browser_journey import MENTOR, ZONE, create_program, match_and_approve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
MENTEE = "e-skills-mentee-1"
MANAGER = "e-skills-manager-1"
SKILLS = ["public_speaking", "leadership"]


def register(registration_url: str, program_id: str) -> None:
    """The mentee, with two skills to grow and her manager, registered through the API."""
    mentee = {
        "employee_id": MENTEE,
        "name": "Rosalind Franklin",
        "email": "rosalind@example.com",
        "manager_employee_id": MANAGER,
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


def pick(visit: Visit, fieldset_id: str, level: int) -> None:
    """Rate one skill the keyboard way: Tab into its fieldset, arrows to the level.

    (The start and end forms share their radios' names, so they are found by fieldset.)
    """
    page = visit.page
    group = page.locator(f"#{fieldset_id}")
    for _ in range(MAX_TABS):
        if group.evaluate("element => element.contains(document.activeElement)"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"#{fieldset_id} cannot be reached with the Tab key")
    target = page.locator(f"#{fieldset_id}-{level}")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowRight")
    pytest.fail(f"#{fieldset_id} level {level} cannot be chosen with the arrow keys")


def answer_as_peer(feedback_url: str, link: str, levels: dict[str, int]) -> None:
    """A peer answers through the link she forwarded (feedback's open route, no account)."""
    token = link.rsplit("/", 1)[-1]
    answered = httpx.put(
        f"{feedback_url}/v1/skills/rater-links/{token}",
        json={"levels": levels},
        timeout=SERVICE_WITHIN_S,
    )
    assert answered.status_code == 200, answered.text


def test_a_mentee_rates_herself_asks_for_360_input_and_her_mentor_rates_her(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    identity.set_user(MENTEE, {"name": "Rosalind Franklin", "email": "rosalind@example.com"})
    identity.set_user(MENTOR, {"name": "Margaret Hamilton", "email": "margaret@example.com"})
    program_id = create_program(portal_stack.url("registration"))
    register(portal_stack.url("registration"), program_id)
    pair_id = match_and_approve(portal_stack.url("matching"), program_id)
    mentor_api = httpx.Client(
        base_url=portal_stack.url("feedback"),
        headers=bearer(identity.token(MENTOR)),
        timeout=SERVICE_WITHIN_S,
    )
    mentee_api = httpx.Client(
        base_url=portal_stack.url("feedback"),
        headers=bearer(identity.token(MENTEE)),
        timeout=SERVICE_WITHIN_S,
    )
    # Feedback hears of the registrations and the pair over Kafka.
    until(
        lambda: mentee_api.get("/v1/me/export").json()["subject"]["participant_ids"],
        "feedback knows the mentee",
        timeout_s=120,
    )
    until(
        lambda: mentor_api.get(f"/v1/pairs/{pair_id}/goals").status_code == 200,
        "feedback knows the pair",
        timeout_s=120,
    )

    context = browser.new_context()
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, MENTEE)
    skills_path = f"/programs/{program_id}/skills"
    visit.press(f"a[href='{skills_path}']")
    page.wait_for_url(f"{portal}{skills_path}")
    assert page.locator("h1").inner_text() == "My skills"
    assert page.locator("#chosen li").all_inner_texts() == ["Public speaking", "Leadership"]
    assert "Nobody has rated these skills yet" in page.locator("main").inner_text()
    visit.check("skills-empty")

    # The baseline with a skill missing: named beside it and in the summary, her choice kept.
    pick(visit, "self-baseline-public_speaking", 2)
    visit.submit("#self-baseline-form button[type=submit]")
    summary = page.locator("#self-baseline-summary").inner_text()
    assert "Leadership: Choose a level from 1 to 5." in summary
    assert page.locator("#self-baseline-leadership-error").is_visible()
    assert page.locator("#self-baseline-public_speaking-2").is_checked()
    visit.check("skills-self-errors", status=422)

    pick(visit, "self-baseline-leadership", 3)
    visit.submit("#self-baseline-form button[type=submit]")
    assert "Your ratings at the start are saved." in page.locator("#messages").inner_text()
    assert page.locator("#self-baseline-public_speaking-2").is_checked()
    assert page.locator("#self-baseline-leadership-3").is_checked()
    row = page.locator("#calibration-baseline tbody tr", has_text="Leadership").inner_text()
    assert row.split("\t")[:2] == ["Leadership", "3"]
    visit.check("skills-self-saved")

    # 360 input: the program is past its midpoint, so the end is offered; she asks for the
    # start. A mistyped address is named beside its field; nothing is sent.
    assert page.locator("#raters-moment-end").is_checked()
    visit.press("#raters-moment-end", "ArrowUp")
    assert page.locator("#raters-moment-baseline").is_checked()
    visit.press("#raters-manager", "Space")
    visit.type_into("#raters-peer_email_1", "linus.example.com")
    visit.tab_to("#raters-peers")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("#raters-peers").input_value() == "3"
    visit.submit("#raters-form button[type=submit]")
    assert "Enter a work e-mail address" in page.locator("#raters-peer_email_1-error").inner_text()
    assert page.locator("#raters-manager").is_checked()
    assert page.locator("#raters-peers").input_value() == "3"
    visit.check("skills-ask-errors", status=422)

    visit.tab_to("#raters-peer_email_1")
    page.keyboard.press("Control+A")
    page.keyboard.type("linus@example.com")
    visit.submit("#raters-form button[type=submit]")
    asked = page.locator("#asked").inner_text()
    assert "Your manager gets an e-mail with their link." in asked
    assert "1 peer gets an e-mail with their link." in asked
    assert "Forward these links yourself" in asked
    links = [page.locator(f"#link-{n}").input_value() for n in range(1, 4)]
    assert all(link.startswith(f"{portal}/skills/rater-links/") for link in links)
    visit.check("skills-asked")

    # Two more links would make six peers for the start: feedback refuses, beside the field.
    assert page.locator("#raters-moment-baseline").is_checked()  # the moment she asked for
    visit.tab_to("#raters-peers")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    visit.submit("#raters-form button[type=submit]")
    assert "counting those you asked before" in page.locator("#raters-peers-error").inner_text()
    visit.check("skills-ask-too-many", status=422)

    # Peers answer: hidden under three, their average from three.
    feedback_url = portal_stack.url("feedback")
    answer_as_peer(feedback_url, links[0], {"public_speaking": 3, "leadership": 4})
    answer_as_peer(feedback_url, links[1], {"public_speaking": 4, "leadership": 4})
    page.goto(f"{portal}{skills_path}")
    hidden = page.locator("#calibration-baseline tbody tr", has_text="Leadership").inner_text()
    assert "Hidden: 2 of 3 peers answered" in " ".join(hidden.split())
    answer_as_peer(feedback_url, links[2], {"public_speaking": 5, "leadership": 4})
    page.reload()
    shown = page.locator("#calibration-baseline tbody tr", has_text="Public speaking")
    assert "4.0 (3 peers)" in " ".join(shown.inner_text().split())
    visit.check("skills-calibration")

    # Her mentor rates her halfway on the pair page, then reads the calibration.
    mentor_context = browser.new_context()
    mentor = Visit(mentor_context.new_page(), axe_source, screenshots)
    sign_in(mentor, portal, MENTOR)
    mentor.page.goto(f"{portal}/pairs/{pair_id}")
    card = mentor.page.locator("#mentee-skills-card")
    assert card.locator("legend").all_inner_texts() == ["Public speaking", "Leadership"] * 2
    assert card.locator("#mentor-midpoint .meta").first.inner_text() == "Not rated yet."
    pick(mentor, "mentor-midpoint-public_speaking", 3)
    pick(mentor, "mentor-midpoint-leadership", 4)
    mentor.submit("#mentor-midpoint-form button[type=submit]")
    assert mentor.page.url == f"{portal}/pairs/{pair_id}#mentor-midpoint"
    assert "Your ratings halfway are saved." in mentor.page.locator("#messages").inner_text()
    assert mentor.page.locator("#mentor-midpoint-leadership-4").is_checked()
    mentor.check("pair-mentee-skills")

    calibration_link = f"/pairs/{pair_id}/skills#calibration-heading"
    mentor.press(f"#mentee-skills-card a[href='{calibration_link}']")
    mentor.page.wait_for_url(f"**{calibration_link}")
    assert mentor.page.locator("h1").inner_text() == "My mentee's skills"
    assert "Rosalind Franklin" in mentor.page.locator(".lead").inner_text()
    midpoint = mentor.page.locator("#calibration-midpoint tbody tr", has_text="Leadership")
    assert midpoint.inner_text().split("\t")[2] == "4"
    baseline = mentor.page.locator("#calibration-baseline tbody tr", has_text="Leadership")
    assert baseline.inner_text().split("\t")[1] == "3"  # her own rating, seen by her mentor
    mentor.check("mentee-skills")

    # From that page too: the end, with a skill missing, comes back beside it.
    pick(mentor, "mentor-end-leadership", 5)
    mentor.submit("#mentor-end-form button[type=submit]")
    assert mentor.page.locator("#mentor-end-public_speaking-error").is_visible()
    assert mentor.page.locator("#mentor-end-leadership-5").is_checked()
    mentor.check("mentee-skills-errors", status=422)

    # Her page in French.
    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    assert page.locator("#language").input_value() == "fr"
    visit.submit("header button:has-text('Change')")
    assert page.locator("h1").inner_text() == "Mes compétences"
    assert "4,0 (3 pairs)" in " ".join(page.locator("#calibration-baseline").inner_text().split())
    visit.check("skills-fr")
    context.close()
    mentor_context.close()
    log = portal_stack.portal.log_path.read_text()
    assert not [link for link in links if link.rsplit("/", 1)[-1] in log]
    mentor_api.close()
    mentee_api.close()
