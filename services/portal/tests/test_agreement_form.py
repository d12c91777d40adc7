"""The pair's agreement form, in-process over faked services: what was written is kept.

An agreement feedback refuses (a field too long, say) or cannot take because it does not
answer comes back on the pair's page holding what was written, the form open, the refusal
beside its field or a note that nothing was saved; even while feedback cannot say what the
agreement is. A saved agreement goes back to the card with a message.
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from mentorship_kit.errors import InvalidInputError, RuleError

from .pages import CSRF, FakedServices, portal_app, signing_in, text_of
from .pair_forms import feedback_down, pair_page_services
from .test_pair_page import answers  # noqa: F401 - the pair page's answers: the fixture

AGREEMENT = "/v1/pairs/grp-1/agreement"
WRITTEN = {
    "csrf_token": CSRF,
    "expectations": "Honest <feedback> & a plan",
    "meeting_frequency": "Every other Tuesday",
    "confidentiality": "What we say stays here",
    "boundaries": "No calls after 18:00",
}


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],  # noqa: F811
) -> FakedServices:
    """The pair page's answers, and feedback's agreement route taking writes."""
    return pair_page_services(monkeypatch, answers, {("PUT", AGREEMENT): {}})


def _holds_what_was_written(page: str) -> None:
    assert "<details open>" in page
    assert ">Honest &lt;feedback&gt; &amp; a plan</textarea>" in page
    assert 'value="Every other Tuesday"' in page
    assert ">What we say stays here</textarea>" in page
    assert ">No calls after 18:00</textarea>" in page


def test_a_refused_agreement_comes_back_with_what_was_written(services: FakedServices) -> None:
    services.answers[("PUT", AGREEMENT)] = InvalidInputError(
        [("body.expectations", "String should have at most 2000 characters")]
    )
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/agreement", data=WRITTEN)

    assert page.status_code == 422
    _holds_what_was_written(page.text)
    assert 'aria-describedby="expectations-error" aria-invalid="true"' in page.text
    assert (
        '<span class="field-error" id="expectations-error">Error: Use at most 2000 characters.'
        in page.text
    )
    assert services.sent == {key: value for key, value in WRITTEN.items() if key != "csrf_token"}


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "The agreement was not saved"), ("fr", "L\u2019accord n\u2019a pas été enregistré")],
)
def test_an_agreement_feedback_cannot_take_comes_back_with_what_was_written(
    services: FakedServices, language: str, title: str
) -> None:
    feedback_down(services)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post("/pairs/grp-1/agreement", data=WRITTEN)

    assert page.status_code == 503
    assert title in html.unescape(text_of(page.text))
    assert 'role="alert"' in page.text
    _holds_what_was_written(page.text)
    assert 'id="agreement-unavailable"' not in page.text  # the form, not "cannot be read"


def test_a_saved_agreement_goes_back_to_the_card(services: FakedServices) -> None:
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        saved = client.post("/pairs/grp-1/agreement", data=WRITTEN, follow_redirects=False)
        card = client.get("/pairs/grp-1")

    assert saved.status_code == 303
    assert saved.headers["location"] == "/pairs/grp-1#agreement"
    assert services.sent["meeting_frequency"] == "Every other Tuesday"
    assert "The agreement is saved." in card.text


def test_an_agreement_refused_by_the_rules_comes_back_with_what_was_written(
    services: FakedServices,
) -> None:
    services.answers[("PUT", AGREEMENT)] = RuleError(
        "pair_not_known", "the pair is not known here yet; try again"
    )
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/agreement", data=WRITTEN)

    assert page.status_code == 409
    assert 'class="flash"' in page.text
    _holds_what_was_written(page.text)


def test_the_form_holds_the_agreement_as_stored_otherwise(services: FakedServices) -> None:
    services.answers[("GET", AGREEMENT)] = {
        "pair_id": "grp-1",
        "version": 2,
        "expectations": "Stored expectations",
        "meeting_frequency": "Monthly",
        "confidentiality": "Stored confidentiality",
        "boundaries": "",
        "acknowledged_by": [],
        "acknowledged_by_both": False,
        "updated_at": "2026-12-01T10:00:00Z",
    }
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")

    assert page.status_code == 200
    assert "<details>" in page.text  # closed until asked for
    assert ">Stored expectations</textarea>" in page.text
    assert 'id="meeting_frequency" name="meeting_frequency" required value="Monthly"' in page.text
    assert ">Stored confidentiality</textarea>" in page.text
    assert '<textarea id="boundaries" name="boundaries" rows="2"></textarea>' in page.text
