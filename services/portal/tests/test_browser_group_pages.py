"""A group's pages in a real browser, by keyboard alone, on the real stack.

A group program matches one mentor (Margaret Hamilton) with two mentees. The first mentee
(Rosalind Franklin) writes her agreement and a goal (through feedback's API, as her pages
do); her "Why you were matched" is her own and never names the other mentee. The mentor
opens the group's page: a link per mentee by name, and a table of where each mentee's
agreement stands (Rosalind's waits for her, Dorothy has written none); follows the table's
link to Rosalind's agreement (no form to write it) and acknowledges it, back on Rosalind's
view with both acknowledgements; opens the group's sessions for Rosalind, where the session
held (moved to now and marked held through scheduling's API) shows the feedback Rosalind gave
on it through feedback's (her rating and action items, never her private notes); then her plan,
and switches to French without losing the pick; the group's page, in French, then says both
acknowledged Rosalind's. Every page is checked with axe-core and photographed at 390 px and
1440 px (the new states at 1280 px too).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import bearer

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until
from .test_browser_group_skills import matched_group
from .test_browser_journey import MENTOR

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROSALIND = "e-group-mentee-1"
TERMS = {
    "expectations": "Rosalind's own expectations",
    "meeting_frequency": "Every two weeks",
    "confidentiality": "What we say stays here",
}
ROSALINDS_FEEDBACK = {
    "rating": 4,
    "action_items": ["Read two papers on X-ray diffraction"],
    "private_notes": "Rosalind's private note",
}


def test_a_groups_mentor_reads_each_mentees_pages_and_a_mentee_reads_only_her_match(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    program_id, group_id, _ = matched_group(portal_stack, "Research circle")
    registration_url = portal_stack.url("registration")
    feedback_url = portal_stack.url("feedback")
    rosalind = httpx.get(
        f"{registration_url}/v1/programs/{program_id}/registrations/me",
        headers=bearer(identity.token(ROSALIND)),
    ).json()["participant_id"]
    with httpx.Client(
        base_url=feedback_url, headers=bearer(identity.token(ROSALIND)), timeout=SERVICE_WITHIN_S
    ) as api:
        mine = {"mentee": rosalind}
        api.put(f"/v1/pairs/{group_id}/agreement", params=mine, json=TERMS).raise_for_status()
        api.post(
            f"/v1/pairs/{group_id}/goals",
            params=mine,
            json={
                "topic": "leadership",
                "title": "Lead the lab meeting",
                "milestones": ["Prepare the agenda"],
            },
        ).raise_for_status()

    # Rosalind's own page: her explanation, never the other mentee's name.
    context = browser.new_context()
    visit = Visit(context.new_page(), axe_source, screenshots)
    sign_in(visit, portal, ROSALIND)
    visit.page.goto(f"{portal}/pairs/{group_id}")
    why = visit.page.locator("section.why").inner_text()
    assert "Why you were matched" in why
    assert "Dorothy" not in why
    assert "Rosalind's own expectations" in visit.page.locator("#agreement + dl").inner_text()
    visit.check("group-mentee-why")
    context.close()

    # The group's first session, held; Rosalind's feedback on it, as her pages send it.
    held = _held_session(portal_stack.url("scheduling"), identity.token(MENTOR), group_id)
    with httpx.Client(
        base_url=feedback_url, headers=bearer(identity.token(ROSALIND)), timeout=SERVICE_WITHIN_S
    ) as api:
        until(
            lambda: api.get(f"/v1/sessions/{held}/feedback-opening").status_code == 200,
            "feedback heard the session was held",
            timeout_s=120,
        )
        api.post(f"/v1/sessions/{held}/feedback", json=ROSALINDS_FEEDBACK).raise_for_status()

    # The mentor: a link per mentee; Rosalind's agreement and plan, read-only.
    mentor_context = browser.new_context()
    mentor = Visit(mentor_context.new_page(), axe_source, screenshots)
    sign_in(mentor, portal, MENTOR)
    mentor.page.goto(f"{portal}/pairs/{group_id}")
    # Each of her explanations is about one pair: headed with that pair's mentee alone.
    headings = mentor.page.locator("section.why h3").all_inner_texts()
    assert sorted(h.strip() for h in headings) == ["With Dorothy Vaughan", "With Rosalind Franklin"]
    card = mentor.page.locator("#mentee-pages-card")
    assert sorted(card.locator("#mentee-pages a").all_inner_texts()) == [
        "Dorothy Vaughan",
        "Rosalind Franklin",
    ]
    # Where each mentee's agreement stands: Rosalind's waits for her, Dorothy wrote none.
    agreements = mentor.page.locator("#mentee-agreements-card")
    assert agreements.locator("#agreement").inner_text() == "Your mentees' agreements"
    assert agreements.locator("#agreements-summary").inner_text() == (
        "1 agreement waits for your acknowledgement."
    )
    rows = {
        row.locator("th").inner_text(): " ".join(row.locator("td").inner_text().split())
        for row in agreements.locator("tbody tr").all()
    }
    assert rows == {
        "Rosalind Franklin": (
            "Waiting for you Read and acknowledge it — Agreement with Rosalind Franklin"
        ),
        "Dorothy Vaughan": "Waiting for the mentee Not written yet.",
    }
    mentor.check("group-mentor-pages")
    target = f"/pairs/{group_id}?mentee={rosalind}"
    mentor.press(f"#mentee-agreements-card a[href='{target}#agreement']")
    mentor.page.wait_for_url(f"{portal}{target}#agreement")
    assert mentor.page.locator("#agreement").inner_text() == "Agreement with Rosalind Franklin"
    section = mentor.page.locator("section", has=mentor.page.locator("#agreement"))
    assert "Rosalind's own expectations" in section.inner_text()
    assert "Rosalind Franklin acknowledged it; you have not yet." in section.inner_text()
    assert section.locator("form").count() == 1  # her acknowledgement, nothing to write
    assert mentor.page.locator("#mentee-pages a[aria-current=page]").inner_text() == (
        "Rosalind Franklin"
    )
    mentor.check("group-mentor-reads-agreement")

    # She acknowledges Rosalind's agreement: back to Rosalind's view, both acknowledged.
    mentor.submit("form[action*='/agreement/acknowledge'] button")
    assert mentor.page.url == f"{portal}{target}#agreement"
    assert "Both of you acknowledged it." in section.inner_text()
    assert section.locator("form").count() == 0
    assert mentor.page.locator(".flash").inner_text() == "You acknowledged the agreement."
    mentor.check("group-mentor-acknowledged")
    _photograph(mentor, screenshots / "group-mentor-acknowledged-1280.png")

    # The group's sessions, read for Rosalind: her agenda and feedback, the pick kept.
    sessions = f"/pairs/{group_id}/sessions?mentee={rosalind}"
    mentor.press(f"a.button[href='{sessions}']")
    mentor.page.wait_for_url(f"{portal}{sessions}")
    assert mentor.page.locator("#mentee-pages-heading").inner_text() == (
        "Each mentee's agenda and feedback"
    )
    assert mentor.page.locator("#mentee-pages a[aria-current=page]").inner_text() == (
        "Rosalind Franklin"
    )
    agenda = re.search(
        r"(Next agenda with|No agenda yet for your next session with) Rosalind Franklin",
        mentor.page.locator("main").inner_text(),
    )
    assert agenda, "no agenda line of Rosalind's"
    # The held session with what Rosalind said of it; her private notes stay hers.
    row = mentor.page.locator(f"li.session[data-session-id='{held}']")
    said = " ".join(row.locator(".mentee-feedback").inner_text().split())
    assert said == (
        "Feedback of Rosalind Franklin: 4 out of 5. Their action items: "
        "Read two papers on X-ray diffraction"
    )
    assert "Rosalind's private note" not in mentor.page.content()
    mentor.check("group-mentor-sessions")
    _photograph(mentor, screenshots / "group-mentor-sessions-1280.png")

    plan = f"/pairs/{group_id}/plan?mentee={rosalind}"
    mentor.press(f"a.button[href='{plan}']")
    mentor.page.wait_for_url(f"{portal}{plan}")
    assert mentor.page.locator("h1").inner_text() == "Development plan of Rosalind Franklin"
    assert "Lead the lab meeting" in mentor.page.locator("main").inner_text()
    assert mentor.page.locator("main form").count() == 0
    mentor.check("group-mentor-reads-plan")

    mentor.tab_to("#language")
    mentor.page.keyboard.press("ArrowDown")
    mentor.submit("header button:has-text('Change')")
    assert mentor.page.url == f"{portal}{plan}"
    assert mentor.page.locator("h1").inner_text() == ("Plan de développement de Rosalind Franklin")
    mentor.check("group-mentor-reads-plan-fr")
    mentor.page.goto(f"{portal}{target}")
    assert mentor.page.locator("#agreement").inner_text() == "Accord avec Rosalind Franklin"
    assert "Vous l\u2019avez tous deux accepté." in section.inner_text()
    mentor.check("group-mentor-reads-agreement-fr")
    mentor.page.goto(f"{portal}{sessions}")
    assert mentor.page.locator("#mentee-pages-heading").inner_text() == (
        "L\u2019ordre du jour et les avis de chaque mentoré"
    )
    said = mentor.page.locator(f"li.session[data-session-id='{held}'] .mentee-feedback")
    assert (
        said.locator("strong").inner_text() == "Avis de Rosalind Franklin\u00a0: 4\u00a0sur\u00a05."
    )
    mentor.check("group-mentor-sessions-fr")
    # The whole group's page: Rosalind's agreement is acknowledged by both now.
    mentor.page.goto(f"{portal}/pairs/{group_id}")
    assert agreements.locator("#agreement").inner_text() == "Les accords de vos mentorés"
    assert agreements.locator("#agreements-summary").inner_text() == (
        "Aucun accord n\u2019attend votre acceptation."
    )
    assert (
        agreements.locator("tbody tr", has_text="Rosalind Franklin")
        .locator("td")
        .inner_text()
        .strip()
        == "Accepté par vous deux"
    )
    assert agreements.locator("tbody a").count() == 0
    mentor.check("group-mentor-agreements-fr")
    mentor_context.close()


def _photograph(visit: Visit, path: Path) -> None:
    """One more screenshot of the page, 1280 px wide (beside `Visit.check`'s two widths)."""
    visit.page.set_viewport_size({"width": 1280, "height": 900})
    visit.page.screenshot(path=str(path), full_page=True)
    visit.page.set_viewport_size({"width": 1440, "height": 900})


def _held_session(scheduling_url: str, token: str, group_id: str) -> str:
    """The group's first session moved to ten minutes from now and marked held (its id).

    Through scheduling's API, as the sessions page's forms do (a session can be marked held
    from half an hour before its start); ``token`` is a member's.
    """
    with httpx.Client(
        base_url=scheduling_url, headers=bearer(token), timeout=SERVICE_WITHIN_S
    ) as api:

        def planned() -> list[dict[str, Any]]:
            answer = api.get(f"/v1/pairs/{group_id}/sessions")
            return answer.json()["sessions"] if answer.status_code == 200 else []

        sessions = until(planned, "scheduling planned the group's sessions", timeout_s=120)
        first = min(sessions, key=lambda session: str(session["starts_at"]))
        soon = datetime.now(UTC) + timedelta(minutes=10)
        api.post(
            f"/v1/sessions/{first['session_id']}/reschedule",
            json={"starts_at": soon.isoformat(), "scope": "this"},
        ).raise_for_status()
        api.post(f"/v1/sessions/{first['session_id']}/held", json={}).raise_for_status()
    return str(first["session_id"])
