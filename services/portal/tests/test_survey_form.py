"""A program survey's form, in-process over faked services: my answers are never lost.

The form holds my earlier answers (answering again replaces them); a form feedback refuses,
or cannot take because it does not answer, comes back holding what I chose and wrote, the
refusal beside its question; a saved form goes home with thanks.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.adapters.api import ServiceUnavailable

from .pages import CSRF, FakedServices, faked_services, portal_app, signing_in, text_of
from .test_usecases import PROGRAM

SURVEYS = "/v1/programs/p-1/surveys"
MID = f"{SURVEYS}/mid_program"
DOWN = ServiceUnavailable("feedback", "ReadTimeout after 10.0 s")
EARLIER = {
    "growth_rating": 2,
    "relationship_rating": 3,
    "skills_developing": ["python"],
    "recommend_score": 6,
    "would_join_again": False,
    "comments": "earlier comments",
}
OPEN = {
    "kind": "mid_program",
    "opens_at": "2026-12-01T00:00:00Z",
    "closes_at": "2027-01-15T00:00:00Z",
    "status": "open",
    "answered": True,
    "my_answers": EARLIER,
}
TYPED = {
    "csrf_token": CSRF,
    "growth_rating": "5",
    "relationship_rating": "4",
    "recommend_score": "10",
    "skills_developing": ["promotion"],
    "comments": "It <really> helped & I would do it again",
}
"""A form sent without "would you join again?"."""


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> FakedServices:
    return faked_services(
        monkeypatch,
        {
            ("GET", "/v1/programs/p-1"): PROGRAM
            | {"topics": {"skills": ["python", "promotion"], "goals": []}},
            ("GET", SURVEYS): {"program_id": "p-1", "surveys": [OPEN]},
            ("POST", MID): None,
        },
    )


@pytest.fixture
def client(services: FakedServices) -> Iterator[TestClient]:
    del services  # installed first
    with signing_in(portal_app()) as as_:
        yield as_("participant-token")


def _checked(page: str, name: str, value: str) -> bool:
    return f'name="{name}" value="{value}" required checked' in page or (
        f'name="{name}" value="{value}" checked' in page
    )


def _holds_the_typed_answers(page: str) -> None:
    assert _checked(page, "growth_rating", "5")
    assert _checked(page, "relationship_rating", "4")
    assert _checked(page, "recommend_score", "10")
    assert 'value="promotion" checked' in page
    assert 'value="python" checked' not in page
    assert ">It &lt;really&gt; helped &amp; I would do it again</textarea>" in page
    assert not _checked(page, "would_join_again", "no")  # not the earlier answer
    assert "earlier comments" not in page


def test_the_form_holds_my_earlier_answers(client: TestClient) -> None:
    page = client.get("/programs/p-1/surveys/mid_program")

    assert page.status_code == 200
    assert _checked(page.text, "growth_rating", "2")
    assert _checked(page.text, "relationship_rating", "3")
    assert _checked(page.text, "recommend_score", "6")
    assert _checked(page.text, "would_join_again", "no")
    assert 'value="python" checked' in page.text
    assert ">earlier comments</textarea>" in page.text
    assert "You have answered it; you can change your answers until" in page.text


def test_a_refused_form_comes_back_with_what_was_chosen_and_written(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("POST", MID)] = InvalidInputError(
        [("body.would_join_again", "Input should be a valid boolean")]
    )

    page = client.post("/programs/p-1/surveys/mid_program", data=TYPED)

    assert page.status_code == 422
    _holds_the_typed_answers(page.text)
    assert 'id="would_join_again" aria-describedby="would_join_again-error"' in page.text
    assert '<a href="#would_join_again">Would you join again? — ' in page.text
    assert services.sent == {
        "growth_rating": 5,
        "relationship_rating": 4,
        "recommend_score": 10,
        "would_join_again": None,
        "skills_developing": ["promotion"],
        "comments": "It <really> helped & I would do it again",
    }


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Your answers were not saved"), ("fr", "Vos réponses n\u2019ont pas été enregistrées")],
)
def test_a_form_feedback_cannot_take_now_comes_back_with_what_was_chosen_and_written(
    services: FakedServices, language: str, title: str
) -> None:
    services.answers[("POST", MID)] = DOWN
    services.answers[("GET", SURVEYS)] = DOWN
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post(
            "/programs/p-1/surveys/mid_program", data=TYPED | {"would_join_again": "yes"}
        )

    assert page.status_code == 503
    assert title in html.unescape(text_of(page.text))
    assert 'role="alert"' in page.text
    _holds_the_typed_answers(page.text)
    assert _checked(page.text, "would_join_again", "yes")
    assert services.sent["would_join_again"] is True


def test_a_saved_form_goes_home_with_thanks(client: TestClient, services: FakedServices) -> None:
    saved = client.post(
        "/programs/p-1/surveys/mid_program",
        data=TYPED | {"would_join_again": "no"},
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == "/"
    assert services.sent["would_join_again"] is False
    thanked = client.get("/programs/p-1/surveys/mid_program")
    assert "Thank you: your answers are saved." in thanked.text


def test_a_form_feedback_refuses_by_its_rules_comes_back_with_what_was_chosen(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("POST", MID)] = RuleError(
        "program_not_known", "the program is not known here yet; try again"
    )
    services.answers[("GET", SURVEYS)] = RuleError(
        "program_not_known", "the program is not known here yet; try again"
    )

    page = client.post(
        "/programs/p-1/surveys/mid_program", data=TYPED | {"would_join_again": "yes"}
    )

    assert page.status_code == 409
    assert 'class="flash"' in page.text
    _holds_the_typed_answers(page.text)
    assert _checked(page.text, "would_join_again", "yes")


def test_a_refused_skill_is_marked_beside_the_skills(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("POST", MID)] = InvalidInputError(
        [("body.skills_developing.0", "String should match pattern '^[a-z0-9][a-z0-9_.-]*$'")]
    )

    page = client.post("/programs/p-1/surveys/mid_program", data=TYPED | {"would_join_again": "no"})

    assert page.status_code == 422
    assert '<fieldset id="skills_developing" aria-describedby="skills_developing-error"' in (
        page.text
    )
    assert '<a href="#skills_developing">Which skills are you developing? (optional) — ' in (
        page.text
    )


def test_an_unknown_survey_is_not_found(client: TestClient) -> None:
    assert client.post("/programs/p-1/surveys/sometime", data=TYPED).status_code == 404
