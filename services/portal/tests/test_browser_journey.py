"""A mentee's whole journey in a real browser, by keyboard alone, against the real stack.

She signs in through the identity provider, registers (the branching questions appear and
disappear as she answers; a missing answer comes back beside its field), is matched once an
admin approves through the API, reads her match and writes the agreement, moves her first
session to now, marks it held, gives feedback, answers the fit question, adds a goal and
downloads her data. Someone outside the pair gets the 403 page for the pair's pages.

Every page is checked with axe-core (no serious or critical violation) and photographed at
390 px and 1440 px (``tests/artifacts/screenshots``); no page may break the Content Security
Policy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_devstack.workloads import program_settings

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
MENTEE = "e-mentee-7"
MENTOR = "e-mentor-3"
OUTSIDER = "e-outsider-1"
ZONE = "Europe/Berlin"


def create_program(registration_url: str, *, with_mentor: bool = True, **changes: Any) -> str:
    """A weekly program past its midpoint (its mid-program survey is open), with a mentor
    (Margaret Hamilton) unless ``with_mentor`` is false."""
    today = datetime.now(UTC).date()
    settings = (
        program_settings(
            name="Design leaders",
            starts_on=(today - timedelta(days=100)).isoformat(),
            ends_on=(today + timedelta(days=60)).isoformat(),
            cadence="weekly",
            matching_mode="admin_led",
        )
        | changes
    )
    response = httpx.post(f"{registration_url}/v1/programs", json=settings, headers=ADMIN)
    response.raise_for_status()
    program_id: str = response.json()["program_id"]
    if not with_mentor:
        return program_id
    mentor = {
        "employee_id": MENTOR,
        "name": "Margaret Hamilton",
        "email": "margaret@example.com",
        "department": "Engineering",
        "answers": {
            "role": "mentor",
            "capacity": 2,
            "seniority": "director",
            "discipline": "design",
            "locations": ["remote"],
            "time_zone": ZONE,
            "languages": ["en", "fr"],
            "skills_to_mentor": ["public_speaking", "leadership"],
        },
    }
    registered = httpx.post(
        f"{registration_url}/v1/programs/{program_id}/registrations", json=mentor, headers=ADMIN
    )
    registered.raise_for_status()
    return program_id


def match_and_approve(matching_url: str, program_id: str) -> str:
    """What the admin does through the API: run matching, approve; returns the pair id."""
    with httpx.Client(base_url=matching_url, headers=ADMIN, timeout=SERVICE_WITHIN_S) as matching:
        until(
            lambda: matching.get(f"/v1/programs/{program_id}/pool").json().get("mentees", 0) >= 1,
            "the mentee in matching's pool",
        )
        started = matching.post(f"/v1/programs/{program_id}/matching-runs", json={})
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        until(
            lambda: matching.get(f"/v1/matching-runs/{run_id}").json()["status"] == "proposed",
            "a proposal",
        )
        assert matching.post(f"/v1/matching-runs/{run_id}/approve").status_code == 202
        pairs = until(
            lambda: matching.get(f"/v1/programs/{program_id}/pairs").json()["pairs"], "the pair"
        )
    pair_id: str = pairs[0]["pair_id"]
    return pair_id


def test_a_mentee_signs_in_registers_is_matched_meets_and_gives_feedback(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    identity.set_user(MENTEE, {"name": "Ada Lovelace", "email": "ada@example.com"})
    identity.set_user(OUTSIDER, {"name": "Otto Outside", "email": "otto@example.com"})
    program_id = create_program(portal_stack.url("registration"))
    # The directory knows her mentor (title and department); it never heard of her.
    imported = httpx.post(
        f"{portal_stack.url('registration')}/v1/directory/import",
        content=(
            "employee_id,name,email,department,title\n"
            f"{MENTOR},Margaret Hamilton,margaret@example.com,Flight Software,Director of Design\n"
        ),
        headers=ADMIN | {"content-type": "text/csv"},
    )
    imported.raise_for_status()

    context = browser.new_context(accept_downloads=True)
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page

    page.goto(f"{portal}/")
    visit.check("welcome")
    sign_in(visit, portal, MENTEE)
    assert page.locator("h1").inner_text() == "Hello Ada Lovelace"
    cookie = next(c for c in context.cookies() if c["name"] == "portal_session")
    assert cookie["httpOnly"]
    assert cookie["secure"]
    assert cookie["sameSite"] == "Lax"
    visit.check("home-before-registering")

    # Register: the branching questions follow the role; a missing answer is shown by its field.
    visit.press(f"a[href='/programs/{program_id}/register']")
    page.wait_for_url(f"**/programs/{program_id}/register")
    visit.press("input[name='answers.role'][value='mentor']", "Space")
    assert page.locator("#q-capacity").is_visible()
    assert not page.locator("#q-skills_to_grow").is_visible()
    page.keyboard.press("ArrowDown")  # the next radio: mentee
    assert page.locator("input[name='answers.role'][value='mentee']").is_checked()
    assert not page.locator("#q-capacity").is_visible()
    assert page.locator("#q-skills_to_grow").is_visible()
    visit.check("register")
    visit.choose("answers.seniority", "associate")
    visit.tab_to("#q-discipline")
    page.keyboard.type("Design")
    visit.press("input[name='answers.locations'][value='remote']", "Space")
    visit.tab_to("#q-time_zone")
    page.keyboard.type(ZONE)
    assert page.locator("#q-time_zone").input_value() == ZONE
    visit.press("input[name='answers.skills_to_grow'][value='public_speaking']", "Space")
    visit.press("button[type='submit']:has-text('Save my registration')")
    page.wait_for_selector(".error-summary")
    assert page.locator("#q-languages-error").is_visible()  # languages are required
    visit.check("register-errors")
    visit.press("input[name='answers.languages'][value='en']", "Space")
    visit.press("button[type='submit']:has-text('Save my registration')")
    page.wait_for_url(f"{portal}/")
    assert "Your registration is saved." in page.locator("#messages").inner_text()

    # An admin matches and approves through the API; the pair appears once sessions exist.
    pair_id = match_and_approve(portal_stack.url("matching"), program_id)

    def pair_listed() -> bool:
        page.goto(f"{portal}/")
        return bool(page.locator(f"a[href='/pairs/{pair_id}']").count() > 0)

    until(pair_listed, "the pair on the home page")
    visit.check("home-matched")

    # My match: who her mentor is (registration learns the pair from matching's event).
    visit.press(f"a[href='/pairs/{pair_id}']")
    page.wait_for_url(f"**/pairs/{pair_id}")

    def partner_shown() -> bool:
        if page.locator(".partner-name").count():
            return True
        page.reload()
        return False

    until(partner_shown, "the mentor's profile on the pair page")
    who = page.locator("section[aria-labelledby='who']").inner_text()
    assert "Margaret Hamilton" in who
    assert "Director of Design" in who
    assert "Flight Software" in who
    assert "Public speaking" in who  # what she offers, by the questionnaire's labels
    # The agreement, written and acknowledged.
    why = page.locator("section[aria-labelledby='why']").inner_text()
    assert "Your mentor can help you grow these skills: Public speaking." in why
    assert "of what the program looks for in a pair" in why
    visit.check("my-match")
    visit.press("#agreement ~ details summary, section[aria-labelledby='agreement'] summary")
    visit.type_into("#expectations", "Monthly goals review; honest feedback.")
    visit.type_into("#confidentiality", "What we say stays between us.")
    visit.press("button:has-text('Save the agreement')")
    page.wait_for_url(f"**/pairs/{pair_id}#agreement")
    # Saving it acknowledges it for its author; the partner is asked to acknowledge it too.
    assert (
        "You acknowledged it" in page.locator("section[aria-labelledby='agreement']").inner_text()
    )

    # Sessions: move the first one to now (in her time zone) and mark it held (htmx swaps it).
    visit.press(f"a[href='/pairs/{pair_id}/sessions']")
    page.wait_for_url(f"**/pairs/{pair_id}/sessions")
    visit.check("sessions")
    first = page.locator("li.session").first
    session_id = first.get_attribute("data-session-id") or ""
    row = f"#{first.get_attribute('id')}"
    dom = row.removeprefix("#session-")
    visit.press(f"{row} summary")
    soon = (datetime.now(UTC) + timedelta(minutes=10)).astimezone(ZoneInfo(ZONE))
    # Date and time fields take their value with fill() (typing into them depends on the
    # browser's locale); they are reached, and the form sent, by keyboard.
    visit.tab_to(f"#date-{dom}")
    page.locator(f"#date-{dom}").fill(soon.strftime("%Y-%m-%d"))
    visit.tab_to(f"#time-{dom}")
    page.locator(f"#time-{dom}").fill(soon.strftime("%H:%M"))
    visit.submit(f"{row} button:has-text('Move')")
    visit.press(f"{row} button:has-text('Mark as held')")
    page.wait_for_selector(f"{row} .badge.ok")
    assert "The session is marked as held." in page.locator(row).inner_text()

    # Feedback, then the fit question.
    visit.press(f"a[href='/sessions/{session_id}/feedback']")
    page.wait_for_url(f"**/sessions/{session_id}/feedback")
    visit.check("feedback")
    visit.press("input[name='rating'][value='1']", "Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("input[name='rating'][value='4']").is_checked()
    visit.press("input[name='topics'][value='public_speaking']", "Space")
    visit.type_into("#action_items", "Prepare a five-minute talk")
    visit.type_into("#private_notes", "Felt nervous, got good tips.")
    visit.press("button:has-text('Send my feedback')")
    page.wait_for_url(f"**/pairs/{pair_id}")
    assert "your feedback is saved" in page.locator("#messages").inner_text()
    visit.check("my-match-fit-question")
    visit.press("input[name='good_fit'][value='yes']", "Space")
    visit.submit("button:has-text('Send my answer')")
    assert "your answer is saved" in page.locator("#messages").inner_text()
    assert page.locator("#fit").count() == 0

    # Development plan.
    visit.press(f"a[href='/pairs/{pair_id}/plan']")
    page.wait_for_url(f"**/pairs/{pair_id}/plan")
    visit.type_into("#goal-title", "Speak at the design all-hands")
    visit.type_into("#goal-milestones", "Outline\nRehearse")
    visit.submit("button:has-text('Add the goal')")
    assert "Speak at the design all-hands" in page.locator("main").inner_text()
    visit.check("plan")

    # The survey feedback says is open, my data (the download), notifications, French.
    page.goto(f"{portal}/")
    assert page.locator(f"a[href='/programs/{program_id}/surveys/closing']").count() == 0
    visit.press(f"a[href='/programs/{program_id}/surveys/mid_program']")
    page.wait_for_url(f"**/programs/{program_id}/surveys/mid_program")
    assert "Open until" in page.locator("main").inner_text()
    visit.check("survey")
    visit.choose("growth_rating", "4")
    visit.choose("relationship_rating", "5")
    visit.choose("recommend_score", "9")
    visit.press("input[name='would_join_again'][value='yes']", "Space")
    visit.press("button:has-text('Send my answers')")
    page.wait_for_url(f"{portal}/")
    assert "your answers are saved" in page.locator("#messages").inner_text()
    page.goto(f"{portal}/programs/{program_id}/surveys/mid_program")  # shown again, to change
    assert "You have answered it" in page.locator("main").inner_text()
    for name, value in (("growth_rating", "4"), ("recommend_score", "9")):
        assert page.locator(f"input[name='{name}'][value='{value}']").is_checked()
    assert page.locator("input[name='would_join_again'][value='yes']").is_checked()
    page.goto(f"{portal}/me/data")
    visit.check("my-data")
    with page.expect_download() as download:
        visit.press("a[href='/me/data/export.json']")
    bundle = json.loads(Path(download.value.path()).read_text())
    assert bundle["subject"] == MENTEE
    assert set(bundle["not_available"]) <= set(portal_stack.services)
    exports = bundle["services"]
    registrations = exports["registration"]["sections"]["registrations"]["items"]
    assert {r["employee_id"] for r in registrations} == {MENTEE}
    assert program_id in {r["program_id"] for r in registrations}
    for service in (
        "registration",
        "matching",
        "scheduling",
        "feedback",
        "analytics",
        "notifications",
    ):
        assert exports[service]["service"] == service
        assert all(section["description"] for section in exports[service]["sections"].values())
    # Of this test's program (a stack that ran the test before holds her earlier programs).
    mine = [
        p["pair_id"]
        for p in exports["matching"]["sections"]["pairs"]["items"]
        if p["program_id"] == program_id
    ]
    assert mine == [pair_id]
    answered = exports["feedback"]["sections"]["survey_answers"]["items"]
    assert [a["survey_kind"] for a in answered if a["program_id"] == program_id] == ["mid_program"]
    page.goto(f"{portal}/me/notifications")
    assert page.locator("input[name='match.email']").is_checked()
    assert not page.locator("input[name='match.chat']").is_checked()
    visit.check("notifications")
    visit.press("input[name='match.chat']", "Space")
    visit.press("input[name='survey_open.digest']", "Space")
    visit.tab_to("#pref-language")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#pref-language").input_value() == "fr"
    visit.submit("button:has-text('Save my preferences')")
    assert "preferences are saved" in page.locator("#messages").inner_text()
    page.reload()
    assert page.locator("input[name='match.chat']").is_checked()
    assert page.locator("input[name='survey_open.digest']").is_checked()
    assert page.locator("#pref-language").input_value() == "fr"
    visit.check("notifications-saved")
    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    assert page.locator("#language").input_value() == "fr"
    visit.submit("header button:has-text('Change')")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{portal}/")
    assert page.locator("h1").inner_text() == "Bonjour Ada Lovelace"
    visit.check("home-fr")
    page.goto(f"{portal}/pairs/{pair_id}/sessions")
    visit.check("sessions-fr")

    # Someone outside the pair cannot open its pages.
    outsider = Visit(browser.new_context().new_page(), axe_source, screenshots)
    sign_in(outsider, portal, OUTSIDER)
    for path in (
        f"/pairs/{pair_id}",
        f"/pairs/{pair_id}/sessions",
        f"/sessions/{session_id}/feedback",
    ):
        response = outsider.page.goto(f"{portal}{path}")
        assert response is not None, path
        assert response.status == 403, path
        assert outsider.page.locator("h1").inner_text() == "You cannot open this page"
    outsider.check("forbidden")
    response = outsider.page.goto(f"{portal}/no-such-page")
    assert response is not None
    assert response.status == 404
    outsider.check("not-found")

    # Her mentor signs in and acknowledges the agreement she wrote.
    mentor = Visit(browser.new_context().new_page(), axe_source, screenshots)
    sign_in(mentor, portal, MENTOR)
    mentor.page.goto(f"{portal}/pairs/{pair_id}")
    assert "You have not acknowledged it yet." in mentor.page.locator("main").inner_text()
    mentee_seen = mentor.page.locator("section[aria-labelledby='who']").inner_text()
    assert "Ada Lovelace" in mentee_seen
    assert "Not in the organisation's directory" in mentee_seen
    mentor_why = mentor.page.locator("section[aria-labelledby='why']").inner_text()
    assert "You can help your mentee grow these skills: Public speaking." in mentor_why
    mentor.press("button:has-text('I have read it and agree')")
    mentor.page.wait_for_url(f"**/pairs/{pair_id}#agreement")
    assert "Both of you acknowledged it." in mentor.page.locator("main").inner_text()
    mentor.check("my-match-mentor")

    # No token ever travels in a URL or lands in the portal's log.
    assert "eyJ" not in portal_stack.portal.log_path.read_text()
    assert all("eyJ" not in url and "access_token" not in url for url in visit.visited)

    # She leaves the program from "My data".
    page.goto(f"{portal}/me/data")
    assert visit.submit_confirmed("form[action$='/withdraw'] button")
    assert page.url == f"{portal}/"
    assert "Vous vous êtes retiré" in page.locator("main").inner_text()

    # She asks the admins to erase her data; the page then says when she asked.
    page.goto(f"{portal}/me/data")
    assert visit.submit_confirmed("form[action='/me/data/erasure-request'] button")
    assert page.url == f"{portal}/me/data"
    assert "Effacement demandé le" in page.locator("#erasure-requested").inner_text()
    assert page.locator("form[action='/me/data/erasure-request']").count() == 0
    visit.check("my-data-erasure-requested")
    listed = httpx.get(
        f"{portal_stack.url('registration')}/v1/erasure-requests", headers=ADMIN
    ).json()["requests"]
    assert MENTEE in [r["employee_id"] for r in listed]

    # Signing out ends the portal's session.
    visit.submit("header button:has-text('Se déconnecter')")  # waits for the sign-out to land
    page.wait_for_load_state("networkidle")
    page.goto(f"{portal}/pairs/{pair_id}")
    assert "/oauth2/authorize" in page.url or page.url.startswith(f"{portal}/signin")
    context.close()


def test_registering_works_without_javascript(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    """Progressive enhancement: with scripts off every question shows, with when to answer
    it; an answer to a question the other answers hide is dropped by the portal."""
    portal = portal_stack.portal_url
    subject = "e-nojs-1"
    portal_stack.identity.set_user(subject, {"name": "Noor Script", "email": "noor@example.com"})
    program_id = create_program(portal_stack.url("registration"))
    context = browser.new_context(java_script_enabled=False)
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, subject)
    page.goto(f"{portal}/programs/{program_id}/register")
    assert page.locator("#q-capacity").is_visible()  # nothing hides it without scripts
    assert (
        "Answer only if you chose “Mentor” or “Both” above."
        in page.locator("#q-capacity-branch").inner_text()
    )
    page.check("input[name='answers.role'][value='mentee']")
    page.fill("#q-capacity", "3")  # answered although it does not apply to mentees
    page.check("input[name='answers.seniority'][value='associate']")
    page.select_option("#q-discipline", "design")
    page.check("input[name='answers.locations'][value='remote']")
    page.select_option("#q-time_zone", ZONE)
    page.check("input[name='answers.languages'][value='en']")
    page.click("button:has-text('Save my registration')")
    page.wait_for_url(f"{portal}/")
    assert "Your registration is saved." in page.locator("#messages").inner_text()
    stored = httpx.get(
        f"{portal_stack.url('registration')}/v1/programs/{program_id}/registrations/{subject}",
        headers=ADMIN,
    ).json()
    assert stored["role"] == "mentee"
    assert "capacity" not in stored["answers"]
    context.close()


def register_mentor(
    registration_url: str, program_id: str, employee_id: str, **answers: Any
) -> str:
    """A mentor registered by the admin; returns their participant id."""
    body = {
        "employee_id": employee_id,
        "name": f"Mentor {employee_id}",
        "email": f"{employee_id}@example.com",
        "answers": {
            "role": "mentor",
            "capacity": 1,
            "seniority": "director",
            "discipline": "design",
            "locations": ["remote"],
            "time_zone": ZONE,
            "languages": ["en"],
            "skills_to_mentor": ["public_speaking"],
        }
        | answers,
    }
    response = httpx.post(
        f"{registration_url}/v1/programs/{program_id}/registrations", json=body, headers=ADMIN
    )
    response.raise_for_status()
    participant_id: str = response.json()["participant_id"]
    return participant_id


def test_a_mentee_chooses_her_mentors_by_how_well_they_fit(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    """In a mentee-choice program she sees the mentors she may pick, best fit first, with
    why they would fit, and picks one by keyboard; registration keeps the pick."""
    portal = portal_stack.portal_url
    registration_url = portal_stack.url("registration")
    subject = "e-chooser-1"
    portal_stack.identity.set_user(subject, {"name": "Chloé Chooser", "email": "c@example.com"})
    # Only the three mentors below: she may pick two of them (the third speaks no language
    # she does).
    program_id = create_program(registration_url, with_mentor=False, matching_mode="mentee_choice")
    best = register_mentor(registration_url, program_id, "e-choice-mentor-1")
    other = register_mentor(
        registration_url, program_id, "e-choice-mentor-2", skills_to_mentor=["negotiation"]
    )
    register_mentor(registration_url, program_id, "e-choice-mentor-3", languages=["ja"])
    mentee = {
        "employee_id": subject,
        "name": "Chloé Chooser",
        "email": "c@example.com",
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

    context = browser.new_context()
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, subject)
    visit.press(f"a[href='/programs/{program_id}/mentors']")
    page.wait_for_url(f"**/programs/{program_id}/mentors")

    def listed() -> bool:
        page.reload()
        return bool(page.locator("ol.candidates > li").count() == 2)

    try:  # matching hears of the four registrations over Kafka
        until(listed, "the mentors she may choose", timeout_s=120)
    except BaseException:
        print(page.locator("main").inner_text())
        raise
    main = page.locator("main").inner_text()
    assert "2 mentors can be paired with you." in main
    assert "1 other cannot" in main
    first = page.locator("#mentor-1").inner_text()
    assert "This mentor can help you grow these skills: Public speaking." in first
    options = page.locator("#pick-0 option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", best, other]  # best fit first
    visit.check("mentors")
    visit.tab_to("#pick-0")
    page.keyboard.press("ArrowDown")
    assert page.locator("#pick-0").input_value() == best
    visit.submit("button:has-text('Save my choices')")
    assert "Your choice of mentors is saved." in page.locator("#messages").inner_text()
    assert "Your choice number 1" in page.locator("#mentor-1").inner_text()
    stored = httpx.get(
        f"{registration_url}/v1/programs/{program_id}/registrations/{subject}", headers=ADMIN
    ).json()
    assert stored["preferred_mentors"] == [best]
    assert stored["answers"]["skills_to_grow"] == ["public_speaking"]
    visit.check("mentors-chosen")
    context.close()
