"""The session feedback form, in-process over faked services: nothing typed is lost.

A form feedback refuses, or cannot take because it does not answer, comes back holding what
was typed (rating, topics, action items, private notes, progress), never the earlier answer
or an empty form; while feedback does not answer, the form is still given, saying the
earlier answer cannot be read; a saved form sends the typed answer and goes to the pair.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.adapters.api import ServiceUnavailable

from .pages import CSRF, FakedServices, faked_services, portal_app, signing_in, text_of
from .test_pair_page import HELD
from .test_usecases import MY_REGISTRATION, PROGRAM

FEEDBACK = "/v1/sessions/s-1/feedback"
DOWN = ServiceUnavailable("feedback", "ConnectTimeout after 10.0 s")
EARLIER = {
    "participant_id": "pa-1",
    "author_role": "mentee",
    "rating": 2,
    "topics": ["python"],
    "action_items": ["read the old notes"],
    "progress": [{"topic": "python", "level": 2}],
    "private_notes": "earlier notes",
    "revision": 1,
}
TYPED = {
    "csrf_token": CSRF,
    "topics": ["promotion"],
    "action_items": "draft the plan\nask for a stretch project",
    "private_notes": "I felt <heard> & encouraged",
    "progress.python": "4",
    "progress.promotion": "",
}
"""A form sent without a rating: feedback refuses it."""


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> FakedServices:
    return faked_services(
        monkeypatch,
        {
            ("GET", "/v1/sessions/s-1"): HELD,
            ("GET", "/v1/programs/p-1"): PROGRAM
            | {"topics": {"skills": ["python"], "goals": ["promotion"]}},
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
            ("GET", FEEDBACK): {"feedback": [EARLIER]},
            ("POST", FEEDBACK): None,
        },
    )


@pytest.fixture
def client(services: FakedServices) -> Iterator[TestClient]:
    del services  # installed first
    with signing_in(portal_app()) as as_:
        yield as_("participant-token")


def _holds_the_typed_answer(page: str) -> None:
    """``page``'s form holds `TYPED`, and nothing of the earlier answer."""
    assert 'name="rating" value="2" required checked' not in page  # not the earlier rating
    assert 'value="promotion" checked' in page
    assert 'value="python" checked' not in page
    assert ">draft the plan\nask for a stretch project</textarea>" in page
    assert ">I felt &lt;heard&gt; &amp; encouraged</textarea>" in page
    assert '<option value="4" selected>' in page  # python's progress, as chosen
    assert "read the old notes" not in page
    assert "earlier notes" not in page


def test_the_form_holds_the_earlier_answer(client: TestClient) -> None:
    page = client.get("/sessions/s-1/feedback")

    assert page.status_code == 200
    assert 'name="rating" value="2" required checked' in page.text
    assert 'value="python" checked' in page.text
    assert ">read the old notes</textarea>" in page.text
    assert ">earlier notes</textarea>" in page.text
    assert '<option value="2" selected>' in page.text  # sent again, the progress stays
    assert "You already gave feedback; sending again replaces it." in page.text


def test_a_refused_form_comes_back_with_what_was_typed(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("POST", FEEDBACK)] = InvalidInputError(
        [("body.rating", "Input should be greater than or equal to 1")]
    )

    page = client.post("/sessions/s-1/feedback", data=TYPED)

    assert page.status_code == 422
    assert "Choose a rating from 1 to 5." in page.text
    _holds_the_typed_answer(page.text)
    assert services.sent == {
        "rating": 0,
        "topics": ["promotion"],
        "action_items": ["draft the plan", "ask for a stretch project"],
        "private_notes": "I felt <heard> & encouraged",
        "progress": [{"topic": "python", "level": 4}],
    }


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        (
            "en",
            "Your feedback was not saved",
            "Your answers are still in the form below: send them again in a few minutes.",
        ),
        (
            "fr",
            "Votre avis n\u2019a pas été enregistré",
            (
                "Vos réponses sont toujours dans le formulaire ci-dessous\u00a0: renvoyez-les "
                "dans quelques minutes."
            ),
        ),
    ],
)
def test_a_form_feedback_cannot_take_now_comes_back_with_what_was_typed(
    services: FakedServices, language: str, title: str, advice: str
) -> None:
    services.answers[("GET", FEEDBACK)] = DOWN
    services.answers[("POST", FEEDBACK)] = DOWN
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post(
            "/sessions/s-1/feedback", data=TYPED | {"rating": "5"}
        )

    assert page.status_code == 503
    shown = html.unescape(text_of(page.text))
    assert title in shown
    assert advice in shown
    assert 'role="alert"' in page.text
    assert 'name="rating" value="5" required checked' in page.text
    _holds_the_typed_answer(page.text)
    assert services.sent["rating"] == 5


def test_the_form_is_given_while_feedback_does_not_answer(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("GET", FEEDBACK)] = DOWN

    page = client.get("/sessions/s-1/feedback")

    assert page.status_code == 200
    assert (
        "Your earlier feedback on this session cannot be read right now. If you gave some, "
        "sending this form replaces it."
    ) in html.unescape(text_of(page.text))
    assert "You already gave feedback" not in page.text
    assert 'action="/sessions/s-1/feedback"' in page.text


def test_a_saved_form_goes_to_the_pair_with_thanks(
    client: TestClient, services: FakedServices
) -> None:
    saved = client.post(
        "/sessions/s-1/feedback", data=TYPED | {"rating": "4"}, follow_redirects=False
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == "/pairs/grp-1"
    assert services.sent["rating"] == 4
    assert services.sent["progress"] == [{"topic": "python", "level": 4}]


def test_a_form_feedback_refuses_by_its_rules_comes_back_with_what_was_typed(
    client: TestClient, services: FakedServices
) -> None:
    # Scheduling said the session was held; feedback has not heard it yet.
    services.answers[("POST", FEEDBACK)] = RuleError(
        "session_not_held", "the session is not held yet (or is not known here yet)"
    )

    page = client.post("/sessions/s-1/feedback", data=TYPED | {"rating": "3"})

    assert page.status_code == 409
    assert 'class="flash"' in page.text
    assert 'name="rating" value="3" required checked' in page.text
    _holds_the_typed_answer(page.text)


def test_each_refused_field_is_marked_and_an_unknown_one_listed_unlinked(
    client: TestClient, services: FakedServices
) -> None:
    services.answers[("POST", FEEDBACK)] = InvalidInputError(
        [
            ("body.private_notes", "String should have at most 5000 characters"),
            ("body.progress.0.level", "Input should be less than or equal to 5"),
            ("body", "Something about the whole request"),
        ]
    )

    page = client.post("/sessions/s-1/feedback", data=TYPED | {"rating": "3"})

    assert page.status_code == 422
    assert '<textarea id="private_notes" name="private_notes" rows="3" aria-describedby=' in (
        page.text
    )
    assert (
        '<span class="field-error" id="private_notes-error">Error: Use at most 5000 characters.'
        in page.text
    )
    assert '<details id="progress" open>' in page.text
    assert '<span class="field-error" id="progress-error">Error: Give 5 or less.' in page.text
    assert (
        '<a href="#private_notes">Private notes (only you see them, optional) — Use at most '
        "5000 characters.</a>"
    ) in page.text
    assert "<li>Something about the whole request</li>" in page.text
    assert 'href="#rating"' not in page.text  # the rating was given


def test_saved_feedback_is_thanked_for(client: TestClient) -> None:
    client.post("/sessions/s-1/feedback", data=TYPED | {"rating": "4"}, follow_redirects=False)

    assert "Thank you: your feedback is saved." in client.get("/sessions/s-1/feedback").text
