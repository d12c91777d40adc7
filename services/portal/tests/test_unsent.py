"""A form a failure cuts short ends on the error page, which gives back what was written.

Any form but the participant's own (which come back holding what was typed): the console's,
registration's, a story's. The page gives the free text the form sent, to copy, and a link
back to the form when the browser said where it was on this portal; never the CSRF token,
the choices or the ids.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

import pytest
from starlette.datastructures import FormData

from portal.adapters.api import ServiceUnavailable
from portal.entrypoints.http.unsent import free_text

from .pages import CSRF, faked_services, portal_app, section, signing_in, text_of

DOWN = ServiceUnavailable("registration", "ConnectTimeout after 10.0 s")
STORY = "How my mentor & I <rebuilt> the on-call rota\n\nIt took three sessions."
FORM = {
    "csrf_token": CSRF,
    "program_id": "p-1",
    "title": "On-call, rebuilt",
    "text": STORY,
    "consent_to_publish": "yes",
}
FORM_PAGE = "http://testserver/me/stories"


def test_the_free_text_of_a_form_is_its_written_values() -> None:
    form = FormData(
        [
            ("csrf_token", "x" * 64),
            ("answers.level", "senior"),
            ("answers.skills", "python"),
            ("answers.skills", "leadership"),
            ("answers.bio", "  I lead a team of five  "),
            ("answers.site", "https://example.com/a/rather/long/address/of/mine"),
            ("answers.echo", "I lead a team of five"),
            ("starts_on", "2027-01-04"),
            ("empty", "   "),
        ]
    )

    assert free_text(form) == (
        "I lead a team of five\n\nhttps://example.com/a/rather/long/address/of/mine"
    )


@pytest.fixture
def everything_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """No service answers."""
    faked_services(monkeypatch, defaultdict(lambda: DOWN))


@pytest.mark.usefixtures("everything_down")
@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("en", "What you wrote was not saved", "Back to the form"),
        ("fr", "Ce que vous avez écrit n\u2019a pas été enregistré", "Retour au formulaire"),
    ],
)
def test_a_form_a_service_cut_short_gives_back_what_was_written(
    language: str, heading: str, back: str
) -> None:
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post(
            "/me/stories", data=FORM, headers={"referer": FORM_PAGE}
        )

    assert page.status_code == 503
    given = section(page.text, "unsent")
    assert heading in html.unescape(text_of(given))
    written = given.split("readonly", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert html.unescape(written) == f"On-call, rebuilt\n\n{STORY}"
    assert f'<a class="button" href="/me/stories">{back}</a>' in given


@pytest.mark.usefixtures("everything_down")
def test_no_link_leaves_the_portal_and_a_page_read_gives_nothing_back() -> None:
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        elsewhere = client.post(
            "/me/stories", data=FORM, headers={"referer": "https://evil.example/me/stories"}
        )
        read = client.get("/me/stories")

    assert elsewhere.status_code == 503
    assert 'id="unsent-text"' in elsewhere.text
    assert "evil.example" not in elsewhere.text
    assert "Back to the form" not in elsewhere.text
    assert read.status_code == 503
    assert 'id="unsent"' not in read.text


def test_a_form_with_nothing_written_gives_nothing_back(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: defaultdict[tuple[str, str], Any] = defaultdict(lambda: DOWN)
    faked_services(monkeypatch, answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post(
            "/me/stories", data={"csrf_token": CSRF, "program_id": "p-1"}
        )

    assert page.status_code == 503
    assert 'id="unsent"' not in page.text
