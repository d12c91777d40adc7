"""A program manager runs a whole program from the console, by keyboard, against the real stack.

She signs in as a program manager (the identity provider's `mentorship-program-manager`
role: she may create programs, and manages those she creates), creates a program through the
wizard and follows the launch checklist until no step is left: the general information, a
branching question added to the questionnaire (previewed as a participant sees it, edited; a
question removed and added back from the question pool; the versions with what each
changed), the review steps, the sessions' plan, registration opened. She imports 200 people
from a CSV file (3 refused rows shown with their line and field), filters and exports the
table, closes registration, runs matching, asks why two people are not paired, pins them,
approves, and sees the pairs and the dashboard (charts with their tables, every CSV export).
Another program manager and a participant do not see her program in the console and get the
403 page for it: the services decide.

Every page is checked with axe-core and photographed at 390 px and 1440 px
(``tests/artifacts/screenshots/console-*``); no page may break the Content Security Policy.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.identity import ADMIN_ROLE
from mentorship_devstack.workloads import csv_export, people

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MANAGER = "e-pm-1"
OTHER_MANAGER = "e-pm-2"
MANAGER_ROLE = "mentorship-program-manager"
PARTICIPANT = "e-participant-9"
FIRST = ("Amara", "Bruno", "Chen", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas")
LAST = ("Okafor", "Silva", "Wang", "Levi", "Kaya", "Haddad", "Berg", "Sato", "Costa", "Meyer")
REFUSED = {"email": "not-an-email", "capacity": "lots", "role": "spectator"}


def hris_file(folder: Path) -> Path:
    """203 people as an HRIS export, of which 3 rows are wrong (an e-mail, a capacity, a
    role): 200 can be registered."""
    persons = people(203, seed=18)
    rng = random.Random(18)
    rows = list(csv.reader(io.StringIO(csv_export(persons))))
    header = rows[0]
    for row in rows[1:]:
        row[1] = f"{rng.choice(FIRST)} {rng.choice(LAST)} {row[0][-3:]}"
    rows[10][header.index("Work Email")] = REFUSED["email"]
    mentor_row = next(
        i for i, row in enumerate(rows) if i > 20 and row[header.index("role")] == "mentor"
    )
    rows[mentor_row][header.index("capacity")] = REFUSED["capacity"]
    rows[150][header.index("role")] = REFUSED["role"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = folder / "hris-export.csv"
    path.write_text(out.getvalue())
    return path


def steps_left(visit: Visit) -> str:
    return str(visit.page.locator("#steps-left").inner_text())


def mark_reviewed(visit: Visit, step: str) -> None:
    visit.submit(f"#step-{step} form button")
    assert visit.page.locator(f"#step-{step} .badge.ok").count() == 1, step


def test_a_program_manager_launches_matches_and_reports_on_a_program(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path, tmp_path: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    identity.set_user(
        MANAGER, {"name": "Priya Raman", "email": "priya@example.com", "roles": [MANAGER_ROLE]}
    )
    identity.set_user(
        OTHER_MANAGER,
        {"name": "Olu Adeyemi", "email": "olu@example.com", "roles": [MANAGER_ROLE]},
    )
    identity.set_user(PARTICIPANT, {"name": "Sam Taylor", "email": "sam@example.com"})
    context = browser.new_context(accept_downloads=True)
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, MANAGER)

    # The console: no program yet; the wizard's first step.
    visit.press("nav.main a[href='/console']")
    page.wait_for_url(f"{portal}/console")
    assert "No program yet" in page.locator("main").inner_text()
    visit.check("console-home-empty")
    visit.press("a[href='/console/programs/new']")
    page.wait_for_url("**/console/programs/new")
    visit.type_into("#name", "Women in Engineering 2027")
    visit.check("console-wizard-general")
    visit.submit("button:has-text('Create the draft program')")
    program_path = re.sub(r"^.*(/console/programs/[^/#?]+).*$", r"\1", page.url)
    program_id = program_path.rsplit("/", 1)[1]
    assert "The program is created as a draft" in page.locator("#messages").inner_text()
    assert "8 steps left" in steps_left(visit), steps_left(visit)
    visit.check("console-launch-new")

    # General information: the goal in a sentence.
    visit.press(f"#step-general_information a[href='{program_path}/settings']")
    page.wait_for_url(f"**{program_path}/settings")
    visit.type_into("#goal_detail", "Grow the next women engineering leaders.")
    visit.check("console-settings")
    visit.submit("button:has-text('Save the settings')")
    assert "7 steps left" in steps_left(visit), steps_left(visit)

    # The questionnaire: a question asked of mentees only (branching).
    visit.press(f"nav.tabs a[href='{program_path}/questionnaire']")
    page.wait_for_url(f"**{program_path}/questionnaire")
    visit.type_into("#prompt", "Which leadership track interests you?")
    visit.type_into("#choices", "People leadership\nTechnical leadership")
    visit.tab_to("#show_if")
    for _ in range(10):
        if page.locator("#show_if").evaluate("s => s.value") == "role:mentee":
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("#show_if").evaluate("s => s.value") == "role:mentee"
    visit.submit("button:has-text('Add the question')")
    assert "The question is added (version 2)" in page.locator("#messages").inner_text()
    added = page.locator("tr", has_text="Which leadership track interests you?")
    assert "Only when" in added.inner_text()
    assert "“Mentee”" in added.inner_text()
    assert "Skills to grow" in page.locator("tr", has_text="skills").first.inner_text()
    assert "The skills criterion" in page.locator("main").inner_text()  # what each feeds
    visit.check("console-questionnaire")

    # Preview as a participant: the register page's form; the question shows for mentees only.
    visit.press(f"a[href='{program_path}/questionnaire/preview']")
    page.wait_for_url(f"**{program_path}/questionnaire/preview")
    track = page.locator(".question", has_text="Which leadership track interests you?")
    assert track.is_hidden()
    visit.choose("answers.role", "mentee")
    assert track.is_visible()
    visit.check("console-questionnaire-preview")
    visit.tab_to("input[name='answers.role']:checked")  # Tab enters a group at its choice
    mentor = page.locator("input[name='answers.role'][value='mentor']")
    for _ in range(5):
        if mentor.is_checked():
            break
        page.keyboard.press("ArrowUp")
    assert mentor.is_checked()
    assert track.is_hidden()

    # Edit the branching question (its branching stays), remove a question, and add it back
    # from the question pool: versions 3, 4 and 5.
    page.goto(f"{portal}{program_path}/questionnaire")
    track_key = "which_leadership_track_interests_you"
    visit.press(f"a[href='{program_path}/questionnaire/questions/{track_key}']")
    page.wait_for_url(f"**/questionnaire/questions/{track_key}")
    assert page.locator("#show_if").evaluate("s => s.value") == "role:mentee"
    visit.type_into("#help", "Choose the closer one.")
    visit.check("console-question-edit")
    visit.submit("button:has-text('Save the question')")
    assert "The question is saved (version 3)" in page.locator("#messages").inner_text()
    edited = page.locator("tr", has_text="Which leadership track interests you?")
    assert "Only when" in edited.inner_text()
    assert visit.submit_confirmed(
        "form[action$='/questionnaire/questions/expectations/remove'] button"
    )
    assert "The question is removed (version 4)" in page.locator("#messages").inner_text()
    assert page.locator("#question-expectations").count() == 0
    visit.press("input[name='pool_key'][value='expectations']", " ")
    assert page.locator("input[name='pool_key'][value='expectations']").is_checked()
    visit.submit("button:has-text('Add the chosen questions')")
    assert "are added (version 5)" in page.locator("#messages").inner_text()
    assert page.locator("#question-expectations").count() == 1

    # The versions, what each changed, and one version as it was.
    visit.press(f"a[href='{program_path}/questionnaire/versions']")
    page.wait_for_url(f"**{program_path}/questionnaire/versions")
    assert "Added: expectations" in page.locator("#version-5").inner_text()
    assert "Removed: expectations" in page.locator("#version-4").inner_text()
    assert f"Changed: {track_key} (help)" in page.locator("#version-3").inner_text()
    assert f"Added: {track_key}" in page.locator("#version-2").inner_text()
    visit.check("console-questionnaire-versions")
    visit.press(f"a[href='{program_path}/questionnaire/versions/2']")
    page.wait_for_url(f"**{program_path}/questionnaire/versions/2")
    changes = page.locator("#changes").inner_text()
    assert "Added: “Which leadership track interests you?”" in changes
    visit.check("console-questionnaire-version")

    # The review steps, the sessions' plan, and registration opened.
    visit.press(f"nav.tabs a[href='{program_path}']")
    page.wait_for_url(f"**{program_path}")
    for step in ("pairing_algorithm", "participant_access", "review_email_invites"):
        mark_reviewed(visit, step)
    mark_reviewed(visit, "review_pairing_process")
    visit.type_into("#agenda", "Goals and expectations\nVisibility\nNegotiation")
    visit.submit("#step-plan_session_content button")
    visit.submit("#step-launch_registration button")
    assert "Registration is open." in page.locator("#messages").inner_text()
    assert "1 step left" in steps_left(visit), steps_left(visit)
    visit.check("console-launch-one-left")

    # Registrations: 200 people from the HRIS export, 3 rows refused with line and field.
    visit.press(f"nav.tabs a[href='{program_path}/registrations']")
    page.wait_for_url(f"**{program_path}/registrations")
    visit.tab_to("#file")
    page.set_input_files("#file", str(hris_file(tmp_path)))
    visit.submit("button:has-text('Import')")
    result = page.locator("#import-result")
    assert "203 rows read" in result.inner_text()
    assert "200 registered" in result.inner_text()
    refused = page.locator("table.refused tbody tr")
    assert refused.count() == 3
    lines = [refused.nth(i).locator("td").nth(0).inner_text() for i in range(3)]
    fields = [refused.nth(i).locator("td").nth(1).inner_text().split() for i in range(3)]
    assert lines[0] == "11"
    assert lines[2] == "151"
    for field, expected in zip(fields, ("email", "capacity", "role"), strict=True):
        assert expected in field, fields  # a row lists each of its problems
    assert "200 people" in page.locator("#people-heading").inner_text()
    visit.check("console-registrations-imported")

    # Filter by role and department; export what is shown.
    visit.tab_to("#role")
    page.select_option("#role", "mentor")
    visit.tab_to("#department")
    department = next(  # as registration stores it (it normalises departments)
        value
        for value in page.locator("#department option").evaluate_all("os => os.map(o => o.value)")
        if value.casefold() == "engineering"
    )
    page.select_option("#department", department)
    visit.submit("form[role='search'] button[type='submit']")
    shown = page.locator("table.data:not(.refused) tbody tr").count()
    assert 0 < shown < 200
    assert f"{shown} people" in page.locator("#people-heading").inner_text() or shown == 1
    visit.check("console-registrations-filtered")
    with page.expect_download() as download:
        visit.press("a:has-text('Export these rows as CSV')")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(exported) == shown
    assert {row["role"] for row in exported} == {"mentor"}
    assert {row["department"] for row in exported} == {department}

    # The last step: close registration and start matching; no step is left.
    visit.press(f"nav.tabs a[href='{program_path}']")
    page.wait_for_url(f"**{program_path}")
    visit.submit("#step-launch_pairing button")
    assert "Every step is done" in steps_left(visit)
    visit.check("console-launch-done")

    # Matching: a run, its progress, the proposal with a bar per criterion.
    visit.press(f"nav.tabs a[href='{program_path}/matching']")
    page.wait_for_url(f"**{program_path}/matching")
    visit.check("console-matching")

    # Matching's pool fills from registration's events: wait until it holds all 200.
    token = identity.token(MANAGER, roles=[ADMIN_ROLE])

    def pooled() -> bool:
        counts = httpx.get(
            f"{portal_stack.url('matching')}/v1/programs/{program_id}/pool",
            headers={"Authorization": f"Bearer {token}"},
            timeout=SERVICE_WITHIN_S,
        ).json()
        return int(counts["mentors"]) + int(counts["mentees"]) + int(counts["both"]) == 200

    until(pooled, "everyone in matching's pool", timeout_s=90)

    def proposal_shown() -> bool:
        # htmx follows the progress and reloads the page once the run is done
        return bool(page.locator("table.proposal").count() > 0)

    visit.submit("button:has-text('Start matching')")
    if page.locator("#progress").count():  # photographed only: htmx may reload it any moment
        page.screenshot(path=str(screenshots / "console-run-progress-1440.png"))
    until(proposal_shown, "the proposal", timeout_s=120)
    run_path = re.sub(r"^.*(/console/programs/[^#?]+).*$", r"\1", page.url)
    assert page.locator("table.proposal tbody tr").count() > 10
    assert page.locator("table.proposal meter").count() > 10
    visit.check("console-run-proposal")

    # Why not: the first proposed mentee with the mentor of another pair, one they may be
    # paired with (a hard rule, e.g. a reporting line, may rule some out).
    rows = page.locator("table.proposal tbody tr")
    names = [
        (
            rows.nth(i).locator("th").inner_text(),
            rows.nth(i).locator("td").nth(0).inner_text().replace("Pinned", "").strip(),
        )
        for i in range(min(rows.count(), 8))
    ]
    candidates = [(m[0], n[1]) for m in names for n in names if m != n]
    first_mentee, other_mentor_name = candidates[0]
    for first_mentee, other_mentor_name in candidates[:30]:
        visit.tab_to("#mentee")
        page.select_option("#mentee", label=first_mentee)
        visit.tab_to("#mentor")
        page.select_option("#mentor", label=other_mentor_name)
        visit.submit("#why-not button:has-text('Explain')")
        answer = page.locator(".why-not-answer")
        assert first_mentee in answer.inner_text()
        assert other_mentor_name in answer.inner_text()
        if page.locator("button:has-text('Pin this pair and run again')").count():
            break
    visit.check("console-why-not")

    # Pin them: matching runs again with the pair; the new proposal has it, pinned.
    visit.submit("button:has-text('Pin this pair and run again')")
    assert page.url.split("#")[0] != f"{portal}{run_path}"
    until(proposal_shown, "the pinned proposal", timeout_s=120)
    pinned = page.locator("table.proposal tbody tr", has_text="Pinned")
    assert pinned.count() == 1
    assert first_mentee in pinned.inner_text()
    assert other_mentor_name in pinned.inner_text()

    # Approve; the pairs appear.
    assert visit.submit_confirmed("form[action$='/approve'] button")
    page.wait_for_url(f"**{program_path}/pairs")

    def pairs_listed() -> bool:
        page.goto(f"{portal}{program_path}/pairs")
        return bool(page.locator("table.data tbody tr").count() > 10)

    until(pairs_listed, "the pairs", timeout_s=90)
    visit.check("console-pairs")

    # Reports, with their CSV exports.
    # The dashboard inside the console: charts drawn on the server, each with its table.
    visit.press(f"nav.tabs a[href='{program_path}/reports']")
    page.wait_for_url(f"**{program_path}/reports")
    charts = page.locator("svg.chart[role='img']")

    def pairs_reported() -> bool:
        # Analytics follows the events: the approved pairs' scores may land a moment after
        # matching lists the pairs (a CI run drew only the registrations' chart at first).
        if page.locator("#chart-scores svg.chart rect").count() >= 1:
            return True
        page.reload()
        return False

    until(pairs_reported, "the pairs' scores in the reports", timeout_s=60)
    assert "200" in page.locator(".kpis").inner_text()
    assert charts.count() >= 2
    assert page.locator("#chart-registrations svg.chart rect").count() >= 1
    assert page.locator("#chart-scores svg.chart rect").count() >= 1
    assert charts.count() == page.locator("details summary", has_text="as a table").count()
    visit.press("#chart-registrations summary")
    assert page.locator("#chart-registrations table").is_visible()
    assert page.locator("ul.exports li").count() == 9
    visit.check("console-reports")
    with page.expect_download() as download:
        visit.press(f"a[href='{program_path}/reports/pairing.csv']")
    assert "field" in Path(download.value.path()).read_text().splitlines()[0]

    # The console in French.
    page.goto(f"{portal}/console")
    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    visit.submit("header button:has-text('Change')")
    assert page.locator("h1").inner_text() == "Les programmes que vous gérez"
    visit.check("console-home-fr")
    page.goto(f"{portal}{program_path}")
    visit.check("console-launch-fr")
    context.close()

    # Another program manager, and a participant: the services refuse them her program, so
    # the console does not show it, and its pages are the 403 page.
    other = Visit(browser.new_context().new_page(), axe_source, screenshots)
    sign_in(other, portal, OTHER_MANAGER)
    other.press("nav.main a[href='/console']")
    other.page.wait_for_url(f"{portal}/console")
    assert "Women in Engineering 2027" not in other.page.locator("main").inner_text()
    for path in (program_path, f"{program_path}/registrations", f"{run_path}"):
        response = other.page.goto(f"{portal}{path}")
        assert response is not None
        assert response.status == 403, path
    other.check("console-forbidden")
    participant = Visit(browser.new_context().new_page(), axe_source, screenshots)
    sign_in(participant, portal, PARTICIPANT)
    assert participant.page.locator("nav.main a[href='/console']").count() == 0
    participant.page.goto(f"{portal}/console")
    assert "Women in Engineering 2027" not in participant.page.locator("main").inner_text()
    response = participant.page.goto(f"{portal}{program_path}")
    assert response is not None
    assert response.status == 403
    assert program_id
