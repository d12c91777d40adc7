"""The fit question's form, in-process over faked services: what was chosen and written is kept.

An answer feedback refuses or cannot take because it does not answer comes back on the pair's
page holding the choice, the concern and the comment, the refusal beside its field or a note
that nothing was saved, even while feedback cannot say whether the question was answered. A
form sent without a yes or a no is never taken for a "no" (which would end the pairing).
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from mentorship_kit.errors import InvalidInputError, RuleError

from .pages import CSRF, FakedServices, portal_app, signing_in, text_of
from .pair_forms import feedback_down, pair_page_services
from .test_pair_page import HELD, answers  # noqa: F401 - answers: the fixture
from .test_usecases import SERIES

FIT = "/v1/pairs/grp-1/fit"
WRITTEN = {
    "csrf_token": CSRF,
    "good_fit": "no",
    "concern": "availability",
    "reason": "Our <calendars> & time zones never meet",
}


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],  # noqa: F811
) -> FakedServices:
    """The pair page's answers after a first held session, and feedback taking answers."""
    held = answers | {"/v1/pairs/grp-1/sessions": SERIES | {"sessions": [HELD]}}
    return pair_page_services(monkeypatch, held, {("POST", FIT): {}})


def _holds_what_was_sent(page: str) -> None:
    assert 'name="good_fit" value="no" checked' in page
    assert 'name="good_fit" value="yes" required checked' not in page
    assert '<option value="availability" selected>' in page
    assert ">Our &lt;calendars&gt; &amp; time zones never meet</textarea>" in page


def test_the_question_is_asked_afresh_after_the_first_session(services: FakedServices) -> None:
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")

    assert page.status_code == 200
    assert 'id="fit"' in page.text
    assert " checked" not in page.text.split('id="fit"', 1)[1].split("</form>", 1)[0]
    assert "Your answer was not saved" not in page.text


def test_a_refused_answer_comes_back_with_what_was_sent(services: FakedServices) -> None:
    services.answers[("POST", FIT)] = InvalidInputError(
        [("body.reason", "String should have at most 1000 characters")]
    )
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/fit", data=WRITTEN)

    assert page.status_code == 422
    assert "<title>Error: My match" in page.text
    _holds_what_was_sent(page.text)
    assert 'aria-describedby="fit-reason-error" aria-invalid="true"' in page.text
    assert 'id="fit-reason-error">Error: Use at most 1000 characters.' in page.text
    assert '<a href="#fit-reason">Anything to add (optional) — Use at most 1000' in page.text
    assert services.sent == {
        "good_fit": False,
        "concern": "availability",
        "reason": "Our <calendars> & time zones never meet",
    }


def test_neither_yes_nor_no_is_sent_as_no_choice_and_refused_by_name(
    services: FakedServices,
) -> None:
    services.answers[("POST", FIT)] = InvalidInputError(
        [("body.good_fit", "Input should be a valid boolean")]
    )
    unanswered = {key: value for key, value in WRITTEN.items() if key != "good_fit"}
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/fit", data=unanswered)

    assert services.sent == {"good_fit": None, "reason": "Our <calendars> & time zones never meet"}
    assert page.status_code == 422
    assert 'id="fit-good_fit" aria-describedby="fit-good_fit-error"' in page.text
    assert 'id="fit-good_fit-error">Error: Answer yes or no.' in page.text
    assert '<option value="availability" selected>' in page.text  # the concern is kept


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Your answer was not saved"), ("fr", "Votre réponse n\u2019a pas été enregistrée")],
)
def test_an_answer_feedback_cannot_take_comes_back_with_what_was_sent(
    services: FakedServices, language: str, title: str
) -> None:
    feedback_down(services)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post("/pairs/grp-1/fit", data=WRITTEN)

    assert page.status_code == 503
    assert title in html.unescape(text_of(page.text))
    assert 'role="alert"' in page.text
    _holds_what_was_sent(page.text)
    assert 'id="fit-unavailable"' not in page.text  # the form, not "cannot be read"


def test_an_answer_refused_by_the_rules_comes_back_with_what_was_sent(
    services: FakedServices,
) -> None:
    services.answers[("POST", FIT)] = RuleError(
        "pair_not_known", "the pair is not known here yet; try again"
    )
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/fit", data=WRITTEN)

    assert page.status_code == 409
    assert 'class="flash"' in page.text
    _holds_what_was_sent(page.text)


def test_a_saved_answer_goes_back_to_the_pair_with_thanks(services: FakedServices) -> None:
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        saved = client.post(
            "/pairs/grp-1/fit", data=WRITTEN | {"good_fit": "yes"}, follow_redirects=False
        )
        page = client.get("/pairs/grp-1")

    assert saved.status_code == 303
    assert saved.headers["location"] == "/pairs/grp-1"
    assert services.sent == {"good_fit": True, "reason": "Our <calendars> & time zones never meet"}
    assert "Thank you: your answer is saved." in page.text
