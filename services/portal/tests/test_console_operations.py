"""The console's operations over faked service answers: their rules, pages and forms.

Clone a cohort, access rules with the eligible count, invitations and their funnel, forbid and
what-if (the changed pairs), end a pair and re-match, the health flags with their people and a
next step (a nudge through notifications). Every form needs the CSRF token; a program the
services refuse is the 403 page.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError
from portal.adapters import api
from portal.app import build_app
from portal.domain.console import ManagedProgram, Pair, PairRef, Proposal, SettingsInvalid
from portal.domain.operations import (
    Access,
    AccessRule,
    Change,
    HealthReport,
    Invitation,
    access_field,
    access_form,
    access_request,
    changed_pairs,
    clone_defaults,
    cohort_request,
    funnel,
    health_flags,
    invitation_request,
)
from portal.settings import PortalSettings

from .test_console import launch, program
from .test_console_pages import PEOPLE, RUN

SECRET = "s" * 40
CSRF = "csrf-token-of-the-test"
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


# ---------------------------------------------------------------------- rules


def test_the_clone_form_proposes_the_same_lengths_from_today() -> None:
    source = ManagedProgram.model_validate(program("a"))
    proposed = clone_defaults(source, date(2027, 3, 1))
    assert proposed["name"] == "Program a (next cohort)"
    assert proposed["registration_opens_on"] == "2027-03-01"
    assert proposed["registration_closes_on"] == "2027-03-20"  # 19 days, as before
    assert proposed["starts_on"] == "2027-04-01"  # 12 days after registration, as before
    assert proposed["ends_on"] == "2027-09-28"  # 180 days, as before


def test_the_cohort_request_reads_the_dates_and_names_what_it_cannot_read() -> None:
    request = cohort_request(
        {
            "name": " Cohort 2 ",
            "registration_opens_on": "2026-12-03",
            "registration_closes_on": "2026-12-20",
            "starts_on": "2027-01-04",
            "ends_on": "2027-06-30",
        },
        NOW,
    )
    assert request == {
        "name": "Cohort 2",
        "starts_on": "2027-01-04",
        "ends_on": "2027-06-30",
        "registration_opens_at": "2026-12-03T14:00:00+00:00",
        "registration_closes_at": "2026-12-20T23:59:59+00:00",
    }
    with pytest.raises(SettingsInvalid) as refused:
        cohort_request({"name": "", "starts_on": "soon"}, NOW)
    assert set(refused.value.problems) == {
        "name",
        "starts_on",
        "ends_on",
        "registration_opens_on",
        "registration_closes_on",
    }


def test_the_access_form_round_trips_rules_and_drops_blank_ones() -> None:
    access = Access(
        anyone=False,
        rules=(AccessRule(departments=("Sales", "Ops"), seniorities=("senior",)),),
        invite_list=("e-1",),
    )
    form = access_form(access)
    assert form["who"] == "restricted"
    assert len(form["rules"]) == 2  # the rule, and a blank one to add
    request = access_request(form)
    assert request == {
        "anyone": False,
        "everyone_active": False,
        "rules": [
            {
                "departments": ["Sales", "Ops"],
                "locations": [],
                "seniorities": ["senior"],
                "reports_to": None,
            }
        ],
        "invite_list": ["e-1"],
    }
    with pytest.raises(SettingsInvalid) as refused:
        access_request({"rules": [{}, {"seniorities": ["wizard"]}]})
    assert refused.value.problems == {"rule_1_seniorities": "Choose among the levels shown."}


def test_an_api_problem_names_the_forms_rule_when_blank_rules_were_left_out() -> None:
    assert access_field("body.rules.0.reports_to", [2]) == "rule_2_reports_to"
    assert access_field("body.invite_list.3", []) == "invite_list"
    assert access_field("body", []) == ""


def test_the_funnel_counts_invited_sent_reminded_registered() -> None:
    def invitation(n: int, status: str, reminders: int = 0) -> Invitation:
        sent = NOW if status != "pending" else None
        return Invitation(
            invitation_id=f"i{n}",
            employee_id=f"e{n}",
            status=status,
            sent_at=sent,
            reminders_sent=reminders,
        )

    found = funnel(
        [
            invitation(1, "registered"),
            invitation(2, "registered", 1),
            invitation(3, "sent", 2),
            invitation(4, "pending"),
            invitation(5, "closed", 2),
        ]
    )
    assert (found.invited, found.sent, found.reminded, found.registered) == (5, 4, 3, 2)
    assert (found.waiting, found.closed) == (1, 1)
    assert found.registered_share == pytest.approx(0.4)
    assert funnel([]).registered_share == 0.0


def test_the_invitation_plan_reads_reminders_or_none() -> None:
    assert invitation_request(
        {"reminders": "yes", "remind_after_days": "2.5", "max_reminders": "3"}
    ) == {
        "remind_after_days": 2.5,
        "max_reminders": 3,
    }
    assert invitation_request({}) == {"remind_after_days": None, "max_reminders": 0}
    with pytest.raises(SettingsInvalid) as refused:
        invitation_request({"reminders": "yes", "remind_after_days": "x", "max_reminders": "y"})
    assert set(refused.value.problems) == {"remind_after_days", "max_reminders"}


def test_a_what_if_lists_the_mentees_whose_mentor_changes() -> None:
    existing = [
        Pair(pair_id="x1", mentee_participant_id="m1", mentor_participant_id="t1"),
        Pair(pair_id="x2", mentee_participant_id="m2", mentor_participant_id="t2"),
        Pair(pair_id="x3", mentee_participant_id="m3", mentor_participant_id="t3"),
        Pair(pair_id="x4", mentee_participant_id="m4", mentor_participant_id="t4", status="ended"),
    ]
    proposal = Proposal.model_validate(
        {
            "run_id": "r",
            "part": 1,
            "parts": 1,
            "pairs": [
                {
                    "mentee_participant_id": "m1",
                    "mentor_participant_id": "t1",
                    "score": 1,
                    "kept": True,
                },
                {"mentee_participant_id": "m2", "mentor_participant_id": "t3", "score": 1},
                {"mentee_participant_id": "m5", "mentor_participant_id": "t2", "score": 1},
            ],
            "unmatched": [],
            "removed": [
                {"mentee_participant_id": "m2", "mentor_participant_id": "t2"},
                {"mentee_participant_id": "m3", "mentor_participant_id": "t3"},
            ],
        }
    )
    assert changed_pairs(proposal, existing) == [
        Change("m2", "t2", "t3"),
        Change("m3", "t3", None),
        Change("m5", None, "t2"),
    ]
    assert changed_pairs(
        proposal.model_copy(update={"removed": ()}),
        [PairRef(mentee_participant_id="m2", mentor_participant_id="t2")],
    )[0] == Change("m2", "t2", "t3")


def test_every_health_flag_names_its_people_and_a_next_step() -> None:
    report = HealthReport.model_validate(
        {
            "program_id": "a",
            "inactive_after_days": 21,
            "inactive_pairs": [{"pair_id": "x1", "days_without_session": 30}],
            "low_ratings": [{"pair_id": "x2", "rating": 1, "session_id": "s"}],
            "not_a_good_fit": [{"pair_id": "gone", "concern": None}],
            "mentors_over_capacity": [{"mentor_participant_id": "t9", "pairs": 4, "capacity": 2}],
            "reporting_line_conflicts": [
                {"pair_id": "x1", "levels": 1, "mentor_manages_mentee": True}
            ],
            "key_result": None,
        }
    )
    pairs = [
        Pair(pair_id="x1", mentee_participant_id="m1", mentor_participant_id="t1"),
        Pair(pair_id="x2", mentee_participant_id="m2", mentor_participant_id="t2", status="ended"),
    ]
    flags = health_flags(report, pairs)
    assert [(f.kind, f.people, f.next_step, f.active_pair, f.figure) for f in flags] == [
        ("inactive", ("m1", "t1"), "nudge", True, 30),
        ("reporting_line", ("m1", "t1"), "end_pair", True, 1),
        ("over_capacity", ("t9",), "review_pairs", False, 2),
        # then those of pairs no longer running: nothing left to act on
        ("not_a_good_fit", (), "end_pair", False, None),
        ("low_rating", ("m2", "t2"), "end_pair", False, 1),
    ]
    assert [f.actionable for f in flags] == [True, True, True, False, False]


# ---------------------------------------------------------------------- pages and forms

PAIR: dict[str, Any] = {
    "pair_id": "x1",
    "mentee_participant_id": "p1",
    "mentor_participant_id": "p2",
    "status": "active",
    "score": 2.0,
    "created_at": "2026-12-02T10:00:00Z",
}
PAIRS: dict[str, Any] = {"pairs": [PAIR], "next_after": None}
WHAT_IF = RUN | {"run_id": "w1", "kind": "what_if", "max_changes": 3}
ANSWERS: dict[tuple[str, str], Any] = {
    ("GET", "/v1/programs/a"): program("a"),
    ("GET", "/v1/programs/a/launch"): launch("a", 0),
    ("GET", "/v1/programs/b"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/b/launch"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/b/access"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/b/invitations"): ForbiddenError("not yours"),
    ("POST", "/v1/programs/b/access/preview"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/b/pairs"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/b/registrations"): ForbiddenError("not yours"),
    ("POST", "/v1/programs/a/cohorts"): program("c", name="Cohort 2"),
    ("GET", "/v1/programs/a/access"): {
        "anyone": False,
        "everyone_active": False,
        "rules": [{"departments": ["sales"], "locations": [], "seniorities": []}],
        "invite_list": [],
    },
    ("PUT", "/v1/programs/a/access"): {"anyone": False},
    ("POST", "/v1/programs/a/access/preview"): {
        "eligible": 42,
        "directory_active": 300,
        "invited_outside_directory": 0,
    },
    ("GET", "/v1/programs/a/invitations"): {
        "invitations": [
            {
                "invitation_id": "i1",
                "employee_id": "e1",
                "status": "registered",
                "sent_at": "2026-12-01T10:00:00Z",
                "reminders_sent": 1,
            },
            {
                "invitation_id": "i2",
                "employee_id": "e2",
                "status": "sent",
                "sent_at": "2026-12-01T10:00:00Z",
                "reminders_sent": 0,
            },
        ],
        "next_after": None,
    },
    ("POST", "/v1/programs/a/invitations"): {
        "invited": 40,
        "sent": 40,
        "pending": 0,
        "already_invited": [],
        "already_registered": [],
        "not_eligible": [],
    },
    ("GET", "/v1/programs/a/registrations"): {"registrations": PEOPLE, "next_after": None},
    ("GET", "/v1/programs/a/pairs"): PAIRS,
    ("GET", "/v1/programs/a/matching-runs"): {"runs": [RUN]},
    ("GET", "/v1/matching-runs/r1"): RUN
    | {"pins": [{"mentee_participant_id": "p3", "mentor_participant_id": "p4"}]},
    ("GET", "/v1/matching-runs/w1"): WHAT_IF,
    ("GET", "/v1/matching-runs/w1/proposal"): {
        "run_id": "w1",
        "part": 1,
        "parts": 1,
        "pairs": [{"mentor_participant_id": "p9", "mentee_participant_id": "p1", "score": 2.5}],
        "unmatched": [],
        "removed": [{"mentee_participant_id": "p1", "mentor_participant_id": "p2"}],
    },
    ("POST", "/v1/programs/a/matching-runs"): RUN | {"run_id": "r2", "status": "queued"},
    ("POST", "/v1/pairs/x1/end"): {"pair_id": "x1"},
    ("GET", "/v1/programs/a/reports/health"): {
        "program_id": "a",
        "inactive_after_days": 21,
        "inactive_pairs": [{"pair_id": "x1", "days_without_session": 30}],
        "low_ratings": [],
        "not_a_good_fit": [],
        "mentors_over_capacity": [],
        "reporting_line_conflicts": [],
        "key_result": None,
    },
    ("POST", "/v1/programs/a/pairs/x1/nudge"): {"planned": 2},
}


@pytest.fixture
def sent() -> list[tuple[str, str, Any]]:
    return []


@pytest.fixture
def client(
    monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, str, Any]]
) -> Iterator[TestClient]:
    async def answer(_: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == "manager-token"
        sent.append((method, path, kwargs.get("json")))
        found = ANSWERS[(method, path)]
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(api.ServiceClient, "call", answer)
    app = build_app(
        PortalSettings(portal_session_secret=SecretStr(SECRET), portal_cookie_secure=False)
    )
    session = {
        "user": {"sub": "e-pm", "name": "Priya", "email": "", "token": "manager-token"},
        "csrf": CSRF,
    }
    cookie = TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(session).encode()))
    with TestClient(app) as test_client:
        test_client.cookies.set("portal_session", cookie.decode())
        yield test_client


def posted(sent: list[tuple[str, str, Any]], method: str, path: str) -> Any:
    return next(body for m, p, body in sent if (m, p) == (method, path))


@pytest.mark.parametrize(
    "path",
    [
        "/console/programs/a/clone",
        "/console/programs/a/access",
        "/console/programs/a/health",
        "/console/programs/a/pairs",
        "/console/programs/a/matching",
        "/console/programs/a/matching/runs/w1",
    ],
)
def test_every_operations_page_renders_and_is_403_for_a_program_not_managed(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert "<h1>" in response.text
    refused = client.get(path.replace("/programs/a/", "/programs/b/"))
    assert refused.status_code in {403, 404}, path
    if "runs" not in path:
        assert refused.status_code == 403
        assert "You cannot open this page" in refused.text


def test_every_operations_form_needs_the_csrf_token(client: TestClient) -> None:
    for path in (
        "/console/programs/a/clone",
        "/console/programs/a/access",
        "/console/programs/a/invitations",
        "/console/programs/a/matching/what-if",
        "/console/programs/a/matching/runs/r1/forbid",
        "/console/programs/a/pairs/x1/end",
        "/console/programs/a/pairs/x1/nudge",
    ):
        assert client.post(path, data={}).status_code == 403, path


def test_cloning_creates_the_next_cohort_and_opens_it(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    response = client.post(
        "/console/programs/a/clone",
        data={
            "csrf_token": CSRF,
            "name": "Cohort 2",
            "registration_opens_on": "2027-01-01",
            "registration_closes_on": "2027-01-20",
            "starts_on": "2027-02-01",
            "ends_on": "2027-07-01",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/programs/c"
    body = posted(sent, "POST", "/v1/programs/a/cohorts")
    assert body["name"] == "Cohort 2"
    assert body["registration_closes_at"] == "2027-01-20T23:59:59+00:00"
    refused = client.post("/console/programs/a/clone", data={"csrf_token": CSRF, "name": ""})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text


def test_the_access_page_shows_the_eligible_count_and_the_funnel(client: TestClient) -> None:
    page = client.get("/console/programs/a/access").text
    assert "<strong>42</strong>" in page
    assert 'value="sales"' in page  # the rule, editable
    assert 'id="funnel-registered">1<' in page
    assert "(50 %)" in page


def test_counting_previews_the_forms_rules_and_saving_sends_them(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    form = {
        "csrf_token": CSRF,
        "who": "restricted",
        "rule_count": "2",
        "rule_0_departments": "Sales, Ops",
        "rule_1_seniorities": "senior",
    }
    counted = client.post("/console/programs/a/access", data=form | {"action": "preview"})
    assert counted.status_code == 200
    assert "With these rules, 42 people may register" in counted.text
    assert posted(sent, "POST", "/v1/programs/a/access/preview")["rules"] == [
        {"departments": ["Sales", "Ops"], "locations": [], "seniorities": [], "reports_to": None},
        {"departments": [], "locations": [], "seniorities": ["senior"], "reports_to": None},
    ]
    saved = client.post(
        "/console/programs/a/access", data=form | {"action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert posted(sent, "PUT", "/v1/programs/a/access")["anyone"] is False


def test_an_access_rule_the_api_refuses_is_shown_beside_its_field(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        ANSWERS,
        ("PUT", "/v1/programs/a/access"),
        InvalidInputError([("body.rules.0.reports_to", "no such employee")]),
    )
    response = client.post(
        "/console/programs/a/access",
        data={
            "csrf_token": CSRF,
            "who": "restricted",
            "rule_count": "2",
            "rule_1_reports_to": "e-404",
            "action": "save",
        },
    )
    assert response.status_code == 422
    assert 'id="rule_1_reports_to-error"' in response.text


def test_inviting_sends_the_plan_and_says_how_many(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    response = client.post(
        "/console/programs/a/invitations",
        data={
            "csrf_token": CSRF,
            "reminders": "yes",
            "remind_after_days": "3",
            "max_reminders": "2",
        },
    )
    assert posted(sent, "POST", "/v1/programs/a/invitations") == {
        "remind_after_days": 3.0,
        "max_reminders": 2,
    }
    assert "40 people invited." in response.text


def test_forbidding_runs_again_with_the_runs_pins_and_the_pair_forbidden(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    response = client.post(
        "/console/programs/a/matching/runs/r1/forbid",
        data={"csrf_token": CSRF, "mentee": "p1", "mentor": "p2"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/programs/a/matching/runs/r2"
    assert posted(sent, "POST", "/v1/programs/a/matching-runs") == {
        "pins": [{"mentor_participant_id": "p4", "mentee_participant_id": "p3"}],
        "forbids": [{"mentor_participant_id": "p2", "mentee_participant_id": "p1"}],
    }


def test_a_what_if_starts_with_the_latest_runs_rules_and_lists_the_changed_pairs(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    client.post(
        "/console/programs/a/matching/what-if",
        data={"csrf_token": CSRF, "max_changes": "3"},
        follow_redirects=False,
    )
    assert posted(sent, "POST", "/v1/programs/a/matching-runs") == {
        "kind": "what_if",
        "max_changes": 3,
        "pins": [],
        "forbids": [],
    }
    page = client.get("/console/programs/a/matching/runs/w1").text
    assert "Changed pairs" in page
    assert '<tr><th scope="row">Ada Mentee</th><td>Bo Mentor</td><td>p9</td></tr>' in page


def test_ending_a_pair_asks_matching_to_rematch_its_mentee(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    response = client.post(
        "/console/programs/a/pairs/x1/end",
        data={"csrf_token": CSRF, "reason": "not_a_good_fit", "rematch": "yes"},
    )
    assert posted(sent, "POST", "/v1/pairs/x1/end") == {
        "reason": "not_a_good_fit",
        "rematch": True,
    }
    assert "A re-match run is queued" in response.text
    unknown = client.post(
        "/console/programs/a/pairs/zz/end",
        data={"csrf_token": CSRF, "reason": "completed"},
    )
    assert unknown.status_code == 404  # not a pair of this program


def test_the_health_page_names_the_people_and_nudges_the_pair(
    client: TestClient, sent: list[tuple[str, str, Any]]
) -> None:
    page = client.get("/console/programs/a/health").text
    assert "Ada Mentee (mentee) and Bo Mentor (mentor)" in page
    assert "30 days without a session" in page
    assert "/console/programs/a/pairs/x1/nudge" in page
    response = client.post("/console/programs/a/pairs/x1/nudge", data={"csrf_token": CSRF})
    assert ("POST", "/v1/programs/a/pairs/x1/nudge", None) in sent
    assert "Both members of the pair are sent a nudge." in response.text


def test_the_health_page_counts_apart_the_flags_of_pairs_that_have_ended(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = PAIR | {"pair_id": "x2", "status": "ended", "end_reason": "not_a_good_fit"}
    monkeypatch.setitem(
        ANSWERS, ("GET", "/v1/programs/a/pairs"), {"pairs": [PAIR, ended], "next_after": None}
    )
    health = ANSWERS[("GET", "/v1/programs/a/reports/health")]
    monkeypatch.setitem(
        ANSWERS,
        ("GET", "/v1/programs/a/reports/health"),
        health
        | {
            "not_a_good_fit": [{"pair_id": "x2", "concern": None}],
            "low_ratings": [{"pair_id": "x2", "rating": 2, "session_id": "s1"}],
        },
    )

    page = client.get("/console/programs/a/health").text

    assert "1 flag needs your attention. 2 more are about pairs that have ended." in page
    assert "Answered no to “Is this a good fit?”" in page
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "30 days without a session" in rows[0]  # what can be acted on comes first
    assert all("The pair has ended: nothing to do." in row for row in rows[1:3])

    monkeypatch.setitem(
        ANSWERS,
        ("GET", "/v1/programs/a/reports/health"),
        health
        | {
            "inactive_pairs": [],
            "low_ratings": [{"pair_id": "x2", "rating": 2, "session_id": "s"}],
        },
    )
    page = client.get("/console/programs/a/health").text
    assert "Nothing needs your attention. 1 flag is about a pair that has ended." in page


def test_a_mentee_whose_pair_ended_can_be_matched_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = PAIR | {"status": "ended", "end_reason": "not_a_good_fit"}
    monkeypatch.setitem(
        ANSWERS, ("GET", "/v1/programs/a/pairs"), {"pairs": [ended], "next_after": None}
    )
    page = client.get("/console/programs/a/pairs").text
    assert "Not a good fit" in page
    assert "End the pair" not in page
    assert 'action="/console/programs/a/matching/runs"' in page
    assert "Match again" in page
    monkeypatch.setitem(
        ANSWERS,
        ("GET", "/v1/programs/a/pairs"),
        {"pairs": [ended, PAIR | {"pair_id": "x2"}], "next_after": None},
    )
    assert "Match again" not in client.get("/console/programs/a/pairs").text  # paired again
