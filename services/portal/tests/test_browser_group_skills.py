"""A group's skills in a real browser, by keyboard alone, on the real stack.

A group program matches one mentor (Margaret Hamilton) with two mentees. One of them (with a
manager) asks her manager and two peers by link for their view of her start, and reads the
requests she sent: her manager's not answered yet, the peers only counted ("1 peer
answered." once one of them did, never which); in French too. The mentor opens the group's
page: a "Rate <name>" link per mentee, no form; follows the second mentee's, rates her
halfway (a skill missing first, beside it), and reads her calibration; the picker lists both
mentees. Every page is checked with axe-core and photographed at 390 px and 1440 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until
from .test_browser_journey import MENTOR, ZONE, create_program
from .test_browser_skills import answer_as_peer, pick

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
MENTEES = {
    "e-group-mentee-1": ("Rosalind Franklin", "e-group-manager-1"),
    "e-group-mentee-2": ("Dorothy Vaughan", None),
}
SKILLS = ["public_speaking", "leadership"]


def register(registration_url: str, program_id: str, employee_id: str) -> None:
    """A mentee with two skills to grow (and her manager, if any), through the API."""
    name, manager = MENTEES[employee_id]
    mentee: dict[str, Any] = {
        "employee_id": employee_id,
        "name": name,
        "email": f"{employee_id}@example.com",
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
    if manager:
        mentee["manager_employee_id"] = manager
    httpx.post(
        f"{registration_url}/v1/programs/{program_id}/registrations", json=mentee, headers=ADMIN
    ).raise_for_status()


def match_the_group(matching_url: str, program_id: str) -> list[dict[str, Any]]:
    """Run matching once both mentees are in its pool, approve: the group's pairs."""
    with httpx.Client(base_url=matching_url, headers=ADMIN, timeout=SERVICE_WITHIN_S) as matching:
        until(
            lambda: matching.get(f"/v1/programs/{program_id}/pool").json().get("mentees", 0) >= 2,
            "both mentees in matching's pool",
        )
        started = matching.post(f"/v1/programs/{program_id}/matching-runs", json={})
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        until(
            lambda: matching.get(f"/v1/matching-runs/{run_id}").json()["status"] == "proposed",
            "a proposal",
        )
        assert matching.post(f"/v1/matching-runs/{run_id}/approve").status_code == 202
        pairs: list[dict[str, Any]] = until(
            lambda: (
                found
                if len(found := matching.get(f"/v1/programs/{program_id}/pairs").json()["pairs"])
                == 2
                else None
            ),
            "the group's two pairs",
        )
    return pairs


def known_to_feedback(feedback_url: str, token: str, who: str) -> None:
    """Wait until feedback heard of the person's registration."""
    with httpx.Client(
        base_url=feedback_url, headers=bearer(token), timeout=SERVICE_WITHIN_S
    ) as api:
        until(
            lambda: api.get("/v1/me/export").json()["subject"]["participant_ids"],
            f"feedback knows {who}",
            timeout_s=120,
        )


def pair_known_to_feedback(feedback_url: str, token: str, pair_id: str) -> None:
    """Wait until feedback heard of the pair (a member reads its goals)."""
    with httpx.Client(
        base_url=feedback_url, headers=bearer(token), timeout=SERVICE_WITHIN_S
    ) as api:
        until(
            lambda: api.get(f"/v1/pairs/{pair_id}/goals").status_code == 200,
            f"feedback knows {pair_id}",
            timeout_s=120,
        )


def matched_group(portal_stack: Any, name: str) -> tuple[str, str, list[dict[str, Any]]]:
    """A group program ``name`` whose mentor and two mentees are matched and known everywhere.

    The people are known to the identity provider; feedback hears of the registrations (and
    the skills they chose) before the pairs. Returns the program's id, the group's and its
    pairs.
    """
    identity = portal_stack.identity
    identity.set_user(MENTOR, {"name": "Margaret Hamilton", "email": "margaret@example.com"})
    for employee_id, (person, _) in MENTEES.items():
        identity.set_user(employee_id, {"name": person, "email": f"{employee_id}@example.com"})
    registration_url = portal_stack.url("registration")
    program_id = create_program(registration_url, name=name, format="group", max_group_size=3)
    for employee_id in MENTEES:
        register(registration_url, program_id, employee_id)
    feedback_url = portal_stack.url("feedback")
    for employee_id in MENTEES:
        known_to_feedback(feedback_url, identity.token(employee_id), employee_id)
    pairs = match_the_group(portal_stack.url("matching"), program_id)
    group_id = pairs[0]["group_id"]
    assert group_id
    for pair in pairs:
        pair_known_to_feedback(feedback_url, identity.token(MENTOR), pair["pair_id"])
    return program_id, group_id, pairs


def test_a_groups_mentor_rates_each_mentee_and_a_mentee_reads_the_requests_she_sent(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    program_id, group_id, pairs = matched_group(portal_stack, "Design circle")
    assert {p["group_id"] for p in pairs} == {group_id}
    feedback_url = portal_stack.url("feedback")

    # The first mentee asks her manager and two peers by link, then reads what she sent.
    context = browser.new_context()
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, "e-group-mentee-1")
    skills_path = f"/programs/{program_id}/skills"
    page.goto(f"{portal}{skills_path}")
    assert "You have not asked anyone yet." in page.locator("#sent").inner_text()
    visit.press("#raters-manager", "Space")
    visit.tab_to("#raters-peers")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    visit.submit("#raters-form button[type=submit]")
    links = [page.locator(f"#link-{n}").input_value() for n in (1, 2)]
    page.goto(f"{portal}{skills_path}#sent-heading")
    moment = "end"  # the program is past its midpoint: the end is offered
    rows = page.locator(f"#sent-{moment} tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["Your manager", "A peer", "A peer"]
    assert rows[0].split("\t")[1:2] == ["E-mail from the directory"]
    assert rows[0].split("\t")[-1] == "Not answered yet"
    assert [row.split("\t")[-1] for row in rows[1:]] == ["Sent", "Sent"]
    assert "0 peers answered." in page.locator(f"#sent-{moment}-peers").inner_text()
    answer_as_peer(feedback_url, links[1], {"public_speaking": 3, "leadership": 4})
    page.reload()
    assert page.locator(f"#sent-{moment}-peers").inner_text() == "1 peer answered."
    rows = page.locator(f"#sent-{moment} tbody tr").all_inner_texts()
    assert [row.split("\t")[-1] for row in rows[1:]] == ["Sent", "Sent"]  # never which
    page.locator("#sent").scroll_into_view_if_needed()
    visit.check("group-skills-sent")

    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    visit.submit("header button:has-text('Change')")
    assert page.locator("#sent-heading").inner_text() == "Demandes envoyées"
    assert "1\u00a0pair a répondu." in page.locator(f"#sent-{moment}-peers").inner_text()
    visit.check("group-skills-sent-fr")
    context.close()

    # The mentor's group page: a link per mentee, no form.
    mentor_context = browser.new_context()
    mentor = Visit(mentor_context.new_page(), axe_source, screenshots)
    sign_in(mentor, portal, MENTOR)
    mentor.page.goto(f"{portal}/pairs/{group_id}")
    card = mentor.page.locator("#mentee-skills-card")
    assert card.locator("h2").inner_text() == "Your mentees' skills"
    assert sorted(card.locator("a").all_inner_texts()) == [
        "Rate Dorothy Vaughan",
        "Rate Rosalind Franklin",
    ]
    assert card.locator("form").count() == 0
    mentor.check("group-pair")

    dorothy = card.locator("a", has_text="Rate Dorothy Vaughan").get_attribute("href")
    assert dorothy
    assert dorothy.startswith(f"/pairs/{group_id}/skills?mentee=")
    mentor.press(f"#mentee-skills-card a[href='{dorothy}']")
    mentor.page.wait_for_url(f"{portal}{dorothy}")
    assert "Dorothy Vaughan" in mentor.page.locator(".lead").inner_text()
    pick(mentor, "mentor-midpoint-leadership", 4)
    mentor.submit("#mentor-midpoint-form button[type=submit]")
    assert mentor.page.locator("#mentor-midpoint-public_speaking-error").is_visible()
    mentor.check("group-mentee-skills-errors", status=422)
    pick(mentor, "mentor-midpoint-public_speaking", 2)
    mentor.submit("#mentor-midpoint-form button[type=submit]")
    assert mentor.page.url == f"{portal}{dorothy}#mentor-midpoint"
    assert "Your ratings halfway are saved." in mentor.page.locator("#messages").inner_text()
    row = mentor.page.locator("#calibration-midpoint tbody tr", has_text="Leadership")
    assert row.inner_text().split("\t")[2] == "4"
    mentor.check("group-mentee-skills")

    mentor.press(f"a[href='/pairs/{group_id}/skills']")
    mentor.page.wait_for_url(f"{portal}/pairs/{group_id}/skills")
    assert mentor.page.locator("h1").inner_text() == "My mentees' skills"
    assert mentor.page.locator("#mentee-links a").count() == 2
    mentor.check("group-mentees")
    mentor_context.close()
