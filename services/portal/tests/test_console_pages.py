"""Every console page answered in-process for a signed-in manager, over faked service answers.

Fast (no stack): each route resolves its parameters and renders; a refusal of the services
(403) is the portal's 403 page; forms without the CSRF token are refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError
from portal.adapters import api
from portal.app import build_app
from portal.settings import PortalSettings

from .test_console import launch, program

SECRET = "s" * 40
CSRF = "csrf-token-of-the-test"
RUN = {
    "run_id": "r1",
    "program_id": "a",
    "kind": "match",
    "status": "proposed",
    "stage": "done",
    "requested_at": "2026-12-03T14:00:00Z",
    "summary": {
        "solver_status": "optimal",
        "mentees_considered": 1,
        "mentors_considered": 1,
        "mentees_matched": 1,
        "unmatched": 0,
        "parts": 1,
    },
}
PEOPLE = [
    {
        "participant_id": pid,
        "employee_id": pid,
        "name": name,
        "email": f"{pid}@example.com",
        "status": "active",
        "role": role,
        "registered_at": "2026-12-01T10:00:00Z",
    }
    for pid, name, role in (("p1", "Ada Mentee", "mentee"), ("p2", "Bo Mentor", "mentor"))
]
ANSWERS: dict[tuple[str, str], Any] = {
    ("GET", "/v1/programs"): {"programs": [program("a"), program("b")]},
    ("GET", "/v1/programs/a"): program("a"),
    ("GET", "/v1/programs/a/launch"): launch("a", 2),
    ("GET", "/v1/programs/b/launch"): ForbiddenError("not yours"),
    ("GET", "/v1/programs/a/questionnaire"): {
        "program_id": "a",
        "version": 1,
        "created_at": "2026-12-01T00:00:00Z",
        "questions": [
            {
                "key": "role",
                "prompt": "Your role?",
                "kind": "single_choice",
                "meaning": "role",
                "choices": [
                    {"key": "mentor", "label": "Mentor"},
                    {"key": "mentee", "label": "Mentee"},
                ],
            }
        ],
    },
    ("GET", "/v1/programs/a/registrations"): {"registrations": PEOPLE, "next_after": None},
    ("GET", "/v1/programs/a/matching-runs"): {"runs": [RUN]},
    ("GET", "/v1/matching-runs/r1"): RUN,
    ("GET", "/v1/matching-runs/r1/proposal"): {
        "run_id": "r1",
        "part": 1,
        "parts": 1,
        "pairs": [
            {
                "mentor_participant_id": "p2",
                "mentee_participant_id": "p1",
                "score": 2.5,
                "contributions": {"skills": 2.0, "goals": 0.5},
            }
        ],
        "unmatched": [],
    },
    ("GET", "/v1/matching-runs/r1/why-not"): {
        "mentee_participant_id": "p1",
        "mentor_participant_id": "p2",
        "paired": True,
        "can_be_paired": True,
        "summary": "The run pairs them.",
    },
    ("GET", "/v1/programs/a/pairs"): {"pairs": []},
    ("GET", "/v1/question-pool"): [
        {
            "source": "standard",
            "question": {"key": "interests", "prompt": "Your interests?", "kind": "free_text"},
        }
    ],
    ("GET", "/v1/programs/a/questionnaire/versions"): {
        "program_id": "a",
        "current_version": 1,
        "versions": [
            {
                "version": 1,
                "created_at": "2026-12-01T00:00:00Z",
                "questions": 1,
                "added": ["role"],
                "removed": [],
                "changed": [],
                "moved": False,
            }
        ],
    },
}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    async def answer(_: Any, method: str, path: str, token: str, **__: Any) -> Any:
        assert token == "manager-token"
        if "/reports/" in path:
            return {
                "program_id": "a",
                "pairs": 1,
                "match_rate": 1.0,
                "registrations_by_day": [{"day": "2026-12-01", "count": 3}],
                "score_distribution": [{"low": 0.5, "high": 1.0, "pairs": 1}],
            }
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


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/programs/new",
        "/console/programs/a",
        "/console/programs/a/settings",
        "/console/programs/a/questionnaire",
        "/console/programs/a/questionnaire/questions/role",
        "/console/programs/a/questionnaire/preview",
        "/console/programs/a/questionnaire/versions",
        "/console/programs/a/questionnaire/versions/1",
        "/console/programs/a/registrations?role=mentee&q=ada",
        "/console/programs/a/matching",
        "/console/programs/a/matching/settings",
        "/console/programs/a/matching/runs/r1?mentee=p1&mentor=p2&sort=mentor",
        "/console/programs/a/pairs",
        "/console/programs/a/reports",
    ],
)
def test_every_console_page_renders_for_a_manager(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert "<main" in response.text
    assert "<h1>" in response.text


def test_the_home_lists_only_the_programs_the_services_let_the_caller_manage(
    client: TestClient,
) -> None:
    page = client.get("/console").text
    assert "Program a" in page
    assert "Program b" not in page
    assert "2 steps left" in page


def test_a_program_the_services_refuse_is_the_403_page(client: TestClient) -> None:
    response = client.get("/console/programs/b")
    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_the_registrations_export_is_csv_of_the_rows_shown(client: TestClient) -> None:
    response = client.get("/console/programs/a/registrations.csv?role=mentor")
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("p2,Bo Mentor,")


def test_console_forms_need_the_csrf_token(client: TestClient) -> None:
    response = client.post("/console/programs/a/lifecycle", data={"to": "closed"})
    assert response.status_code == 403
    accepted = client.post(
        "/console/programs/a/launch/not_a_step", data={"csrf_token": CSRF}, follow_redirects=False
    )
    assert accepted.status_code == 404


def test_the_reports_page_draws_each_chart_with_a_table_and_links_every_csv(
    client: TestClient,
) -> None:
    page = client.get("/console/programs/a/reports").text
    assert page.count('<svg class="chart" role="img"') >= 1
    assert page.count('<svg class="chart" role="img"') == page.count("as a table</summary>")
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    for name in ("registration", "pairing", "outcomes", "mentors", "skills-growth"):
        assert f'href="/console/programs/a/reports/{name}.csv"' in page, name


def test_the_reports_page_asks_for_a_page_of_mentors_and_links_the_next(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, str] | None] = []

    async def answer(_: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        if path.endswith("/reports/mentors"):
            params = kwargs.get("params")
            asked.append(dict(params) if params else None)
            last = bool(params and params.get("cursor"))
            return {
                "program_id": "a",
                "mentors": [{"mentor_participant_id": "p9", "sessions_held": 3}],
                "next_cursor": None if last else "cursor+/1",
            }
        if "/reports/" in path:
            return {"program_id": "a"}
        return ANSWERS[(method, path)]

    monkeypatch.setattr(api.ServiceClient, "call", answer)
    first = client.get("/console/programs/a/reports").text
    assert asked == [{"limit": "50"}]
    assert 'href="/console/programs/a/reports?mentors_cursor=cursor%2B/1#mentors"' in first
    assert "Next mentors" in first
    assert "First mentors" not in first
    assert "Next cursor" not in first

    last = client.get("/console/programs/a/reports", params={"mentors_cursor": "cursor+/1"}).text
    assert asked[-1] == {"limit": "50", "cursor": "cursor+/1"}
    assert "Next mentors" not in last
    assert 'href="/console/programs/a/reports#mentors"' in last


def test_every_pool_question_refused_is_said_beside_the_pool_and_in_the_summary(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registration refuses each key on its own (not in the pool, already asked)."""
    refusal = InvalidInputError(
        [
            ("keys[0]", "'interests' is already asked"),
            ("keys[1]", "'gone' is not in the question pool"),
        ]
    )
    monkeypatch.setitem(ANSWERS, ("POST", "/v1/programs/a/questionnaire/questions"), refusal)

    response = client.post(
        "/console/programs/a/questionnaire/pool",
        data={"csrf_token": CSRF, "pool_key": ["interests", "gone"]},
    )

    assert response.status_code == 422
    page = response.text
    beside = page.split('id="pool-error"', 1)[1].split("</div>", 1)[0]
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    for said in (
        "&#39;interests&#39; is already asked",
        "&#39;gone&#39; is not in the question pool",
    ):
        assert said in beside
        assert f'<a href="#pool">{said}</a>' in summary


def _skills_report_answers(questionnaire: Any) -> Any:
    """The service answers with a skills report counting topics by key."""

    async def answer(_: Any, method: str, path: str, token: str, **__: Any) -> Any:
        if path.endswith("/reports/skills-growth"):
            return {"program_id": "a", "growth": [{"skill": "stakeholder_management", "n": 6}]}
        if path.endswith("/reports/skills"):
            return {
                "program_id": "a",
                "topics": [
                    {"topic": "stakeholder_management", "mentions": 7},
                    {"topic": "public_speaking", "mentions": 3},
                ],
                "goals_by_topic": [{"topic": "stakeholder_management", "goals": 2, "completed": 1}],
            }
        if "/reports/" in path:
            return {"program_id": "a"}
        if path == "/v1/programs/a/questionnaire":
            if isinstance(questionnaire, Exception):
                raise questionnaire
            return questionnaire
        return ANSWERS[(method, path)]

    return answer


def test_the_reports_page_names_topics_as_the_questionnaire_does(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    questionnaire = json.loads(json.dumps(ANSWERS[("GET", "/v1/programs/a/questionnaire")]))
    questionnaire["questions"].append(  # the same key, for something else, asked first
        {
            "key": "current_focus",
            "prompt": "What do you do now?",
            "kind": "single_choice",
            "choices": [{"key": "stakeholder_management", "label": "Account management"}],
        }
    )
    questionnaire["questions"].append(
        {
            "key": "skills_to_grow",
            "prompt": "Which skills?",
            "kind": "multiple_choice",
            "meaning": "skills_wanted",
            "choices": [{"key": "stakeholder_management", "label": "Managing stakeholders"}],
        }
    )
    monkeypatch.setattr(api.ServiceClient, "call", _skills_report_answers(questionnaire))

    page = client.get("/console/programs/a/reports").text

    chart = page.split('id="chart-topics"', 1)[1].split("</section>", 1)[0]
    assert "<title>Managing stakeholders</title>Managing stak…" in chart  # cut, whole on hover
    assert '<th scope="row">Managing stakeholders</th>' in chart
    assert '<th scope="row">Public speaking</th>' in chart  # no label: the key as words
    assert "stakeholder_management" not in page
    skills = page.split('id="skills"', 1)[1].split("</section>", 1)[0]
    assert "<td>Managing stakeholders</td>" in skills
    growth = page.split('id="skills-growth"', 1)[1].split("</section>", 1)[0]
    assert "<td>Managing stakeholders</td>" in growth
    assert "Account management" not in page


def test_the_reports_page_shows_topics_as_words_when_the_questionnaire_is_unread(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        api.ServiceClient,
        "call",
        _skills_report_answers(api.ServiceUnavailable("registration", "timed out")),
    )

    page = client.get("/console/programs/a/reports")

    assert page.status_code == 200
    assert '<th scope="row">Stakeholder management</th>' in page.text
