"""A program manager runs the console's operations, by keyboard, against the real stack.

Her program is created through the API (the wizard has its own test), and the organisation's
directory is imported by an admin. In the console she restricts who may register to a
department, counts the eligible people before saving, invites them with reminders and sees the
funnel from invited to registered once people register. She runs matching, forbids a proposed
pair (the run starts again without it), approves, ends a pair with a re-match for its mentee,
runs a what-if that lists the changed pairs, opens the health page, and clones the program for
a new cohort. Another program manager gets the 403 page for each of these pages.

Every page is checked with axe-core and photographed at 390 px and 1440 px
(``tests/artifacts/screenshots/console-ops-*``); no page may break the Content Security Policy.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.identity import ADMIN_ROLE
from mentorship_devstack.workloads import PersonSpec, csv_export, people

from .browsing import SERVICE_WITHIN_S, Visit, sign_in, until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MANAGER = "e-pm-ops-1"
OTHER_MANAGER = "e-pm-ops-2"
MANAGER_ROLE = "mentorship-program-manager"
DEPARTMENT = "Engineering"


def directory_csv(persons: list[PersonSpec]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["employee_id", "name", "email", "department", "manager_employee_id"])
    for person in persons:
        writer.writerow(
            [
                person.employee_id,
                person.name,
                person.email,
                person.department,
                person.manager_employee_id or "",
            ]
        )
    return out.getvalue()


def program_settings(name: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    starts = (now + timedelta(days=30)).date()
    return {
        "name": name,
        "goal": "career_development",
        "goal_detail": "Grow the engineers of tomorrow.",
        "key_result": {
            "description": "80% of mentees hold 6 sessions",
            "metric": "mentees_with_6_sessions_share",
            "target": 0.8,
        },
        "format": "one_on_one",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=180)).isoformat(),
        "cadence": "biweekly",
        "registration_opens_at": (now - timedelta(hours=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=20)).isoformat(),
        "matching_mode": "admin_led",
        "auto_approve_matches": False,
    }


def test_a_program_manager_invites_matches_ends_a_pair_and_clones_the_program(
    portal_stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    portal = portal_stack.portal_url
    identity = portal_stack.identity
    identity.set_user(
        MANAGER, {"name": "Noor Haddad", "email": "noor@example.com", "roles": [MANAGER_ROLE]}
    )
    identity.set_user(
        OTHER_MANAGER, {"name": "Lee Park", "email": "lee@example.com", "roles": [MANAGER_ROLE]}
    )
    manager = {"Authorization": f"Bearer {identity.token(MANAGER, roles=[MANAGER_ROLE])}"}
    admin = {"Authorization": f"Bearer {identity.token('ops-admin', roles=[ADMIN_ROLE])}"}
    registration = portal_stack.url("registration")

    # The set-up: her program (she manages what she creates) and the organisation's directory.
    created = httpx.post(
        f"{registration}/v1/programs",
        json=program_settings("Engineering mentoring 2027"),
        headers=manager,
        timeout=SERVICE_WITHIN_S,
    )
    assert created.status_code == 201, created.text
    program_id = created.json()["program_id"]
    program_path = f"/console/programs/{program_id}"
    persons = people(80, seed=31)
    engineers = [p for p in persons if p.department.casefold() == DEPARTMENT.casefold()]
    assert len(engineers) >= 4
    imported = httpx.post(
        f"{registration}/v1/directory/import",
        content=directory_csv(persons).encode(),
        headers=admin | {"content-type": "text/csv"},
        timeout=SERVICE_WITHIN_S,
    )
    assert imported.status_code < 300, imported.text

    context = browser.new_context(accept_downloads=True)
    visit = Visit(context.new_page(), axe_source, screenshots)
    page = visit.page
    sign_in(visit, portal, MANAGER)

    # Access: only the engineering department; counted before saving, then saved.
    page.goto(f"{portal}{program_path}")
    visit.press(f"nav.tabs a[href='{program_path}/access']")
    page.wait_for_url(f"**{program_path}/access")
    visit.check("console-ops-access-anyone")
    visit.choose("who", "restricted")
    visit.type_into("#rule_0_departments", DEPARTMENT)
    visit.submit("button[value='preview']")
    counted = page.locator("#preview-count").inner_text()
    assert f"{len(engineers)} people may register" in counted, counted
    visit.check("console-ops-access-counted")
    visit.submit("button[value='save']")
    assert "Who may register is saved." in page.locator("#messages").inner_text()
    assert page.locator("#eligible-count strong").inner_text() == str(len(engineers))

    # Invitations with reminders; the funnel fills as people register.
    visit.submit("button:has-text('Send the invitations')")
    assert f"{len(engineers)} people invited" in page.locator("#messages").inner_text()
    export = csv_export(engineers)
    registered = httpx.post(
        f"{registration}/v1/programs/{program_id}/registrations/import",
        content=export.encode(),
        headers=manager | {"content-type": "text/csv"},
        timeout=SERVICE_WITHIN_S,
    )
    assert registered.status_code < 300, registered.text
    assert registered.json()["registered"] == len(engineers)

    def funnel_registered() -> bool:
        # The invitation left the page at .../access#funnel: going to that same URL is only a
        # jump to the fragment (no request), so reload to read the funnel again.
        page.reload()
        return bool(page.locator("#funnel-registered").inner_text() == str(len(engineers)))

    until(funnel_registered, "the funnel counting the registered", timeout_s=60)
    visit.check("console-ops-access-funnel")

    # Matching: wait for matching's pool, run, forbid a proposed pair.
    token = identity.token(MANAGER, roles=[ADMIN_ROLE])

    def pooled() -> bool:
        counts = httpx.get(
            f"{portal_stack.url('matching')}/v1/programs/{program_id}/pool",
            headers={"Authorization": f"Bearer {token}"},
            timeout=SERVICE_WITHIN_S,
        ).json()
        return int(counts["mentors"]) + int(counts["mentees"]) + int(counts["both"]) == len(
            engineers
        )

    until(pooled, "everyone in matching's pool", timeout_s=90)

    def proposal_shown() -> bool:
        return bool(page.locator("table.proposal").count() > 0)

    visit.press(f"nav.tabs a[href='{program_path}/matching']")
    page.wait_for_url(f"**{program_path}/matching")
    visit.submit("button:has-text('Start matching')")
    until(proposal_shown, "the proposal", timeout_s=120)
    first_run = page.url.split("#")[0]
    rows = page.locator("table.proposal tbody tr")
    assert rows.count() >= 1
    mentee = rows.nth(0).locator("th").inner_text()
    mentor = rows.nth(0).locator("td").nth(0).inner_text().strip()
    visit.tab_to("#mentee")
    page.select_option("#mentee", label=mentee)
    visit.tab_to("#mentor")
    page.select_option("#mentor", label=mentor)
    visit.submit("#why-not button:has-text('Explain')")
    assert "Paired" in page.locator(".why-not-answer").inner_text()
    visit.check("console-ops-why-not-forbid")
    visit.submit("button:has-text('Forbid this pair and run again')")
    assert page.url.split("#")[0] != first_run
    assert "The pair is forbidden" in page.locator("#messages").inner_text()
    until(proposal_shown, "the proposal without the forbidden pair", timeout_s=120)
    assert "1 forbidden pairs" in " ".join(page.locator("ul.figures").inner_text().split())
    for i in range(page.locator("table.proposal tbody tr").count()):
        row = page.locator("table.proposal tbody tr").nth(i)
        if row.locator("th").inner_text() == mentee:
            assert mentor not in row.locator("td").nth(0).inner_text()
    visit.check("console-ops-run-forbidden")

    # Approve; end a pair with a re-match for its mentee.
    assert visit.submit_confirmed("form[action$='/approve'] button")
    page.wait_for_url(f"**{program_path}/pairs")

    def pairs_listed() -> bool:
        page.goto(f"{portal}{program_path}/pairs")
        return bool(page.locator("details.end-pair").count() > 0)

    until(pairs_listed, "the pairs", timeout_s=90)
    visit.check("console-ops-pairs")
    # The row of the first pair that can be ended (``has`` is relative to each row, so the
    # ``.first`` belongs on the rows, not inside ``has``).
    ended_row = page.locator("table.data tbody tr", has=page.locator("details.end-pair")).first
    ended_mentee = ended_row.locator("th").inner_text()
    visit.press("details.end-pair summary")
    visit.check("console-ops-end-pair")
    assert visit.submit_confirmed("details.end-pair[open] button.danger")
    assert "A re-match run is queued" in page.locator("#messages").inner_text()

    def ended_listed() -> bool:
        page.goto(f"{portal}{program_path}/pairs")
        rows = page.locator("table.data tbody tr", has_text=ended_mentee)
        return any("Ended" in rows.nth(i).inner_text() for i in range(rows.count()))

    until(ended_listed, "the ended pair", timeout_s=60)

    def rematch_listed() -> bool:
        page.goto(f"{portal}{program_path}/matching")
        return bool(page.locator("table.data tbody tr", has_text="Re-match").count() > 0)

    until(rematch_listed, "the re-match run", timeout_s=90)
    visit.check("console-ops-matching-rematch")

    # What-if: how the pairs would change, at most 3 of them (once no run is in progress).
    def what_if_offered() -> bool:
        page.goto(f"{portal}{program_path}/matching")
        return bool(page.locator("#max_changes").count() > 0)

    until(what_if_offered, "no run in progress", timeout_s=120)
    visit.tab_to("#max_changes")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    visit.submit("button:has-text('Run a what-if')")
    assert "The what-if run has started." in page.locator("#messages").inner_text()

    def changes_shown() -> bool:
        return bool(page.locator("#changes").count() > 0)

    until(changes_shown, "the what-if's changed pairs", timeout_s=120)
    assert "Changed pairs" in page.locator("#changes h2").inner_text()
    visit.check("console-ops-what-if")

    # Health: the flags (or that nothing needs attention yet).
    visit.press(f"nav.tabs a[href='{program_path}/health']")
    page.wait_for_url(f"**{program_path}/health")
    assert page.locator("h1").inner_text() == "Health"
    visit.check("console-ops-health")

    # Clone for a new cohort: a draft with the same questionnaire, without participants.
    visit.press(f"nav.tabs a[href='{program_path}']")
    page.wait_for_url(f"**{program_path}")
    visit.press(f"a[href='{program_path}/clone']")
    page.wait_for_url(f"**{program_path}/clone")
    visit.check("console-ops-clone")
    visit.tab_to("#name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Engineering mentoring 2028")
    visit.submit("button:has-text('Create the next cohort')")
    assert "The next cohort is created as a draft" in page.locator("#messages").inner_text()
    cohort_path = re.sub(r"^.*(/console/programs/[^/#?]+).*$", r"\1", page.url)
    assert cohort_path != program_path
    assert "Engineering mentoring 2028" in page.locator("h1").inner_text()
    page.goto(f"{portal}{cohort_path}/registrations")
    assert "0 people" in page.locator("main").inner_text() or (
        page.locator("table.data:not(.refused) tbody tr").count() == 0
    )
    page.goto(f"{portal}{cohort_path}/access")
    assert page.locator("#rule_0_departments").input_value() == DEPARTMENT
    visit.check("console-ops-cohort-access")

    # The French console.
    page.goto(f"{portal}{program_path}/access")
    visit.tab_to("#language")
    page.keyboard.press("ArrowDown")
    visit.submit("header button:has-text('Change')")
    assert page.locator("h1").inner_text() == "Accès et invitations"
    visit.check("console-ops-access-fr")
    page.goto(f"{portal}{program_path}/health")
    visit.check("console-ops-health-fr")
    context.close()

    # Another program manager: the 403 page for each of her operations pages.
    other = Visit(browser.new_context().new_page(), axe_source, screenshots)
    sign_in(other, portal, OTHER_MANAGER)
    for path in ("/access", "/health", "/clone", "/pairs"):
        response = other.page.goto(f"{portal}{program_path}{path}")
        assert response is not None
        assert response.status == 403, path
    other.check("console-ops-forbidden")
