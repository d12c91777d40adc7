"""A form a failure cuts short ends on the error page, which gives back what was written.

Any form but the participant's own (which come back holding what was typed): the console's,
registration's, a story's. The page gives the free text the form sent, to copy, and a link
back to the form when the portal shows a page at the address it was sent to; never the CSRF
token, the choices or the ids. Whether a service did not answer or the portal failed.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

import pytest
from starlette.datastructures import FormData
from starlette.testclient import TestClient

from portal.adapters.api import ServiceUnavailable
from portal.entrypoints.http.unsent import free_text

from .pages import (
    CSRF,
    faked_services,
    portal_app,
    section,
    session_cookie,
    signing_in,
    text_of,
)

DOWN = ServiceUnavailable("registration", "ConnectTimeout after 10.0 s")
STORY = "How my mentor & I <rebuilt> the on-call rota\n\nIt took three sessions."
FORM = {
    "csrf_token": CSRF,
    "program_id": "p-1",
    "title": "On-call, rebuilt",
    "text": STORY,
    "consent_to_publish": "yes",
}


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


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("en", "What you wrote was not saved", "Back to the form"),
        ("fr", "Ce que vous avez écrit n\u2019a pas été enregistré", "Retour au formulaire"),
    ],
)
@pytest.mark.parametrize("failure", [DOWN, KeyError("a bug")], ids=["down", "failed"])
def test_a_form_a_failure_cut_short_gives_back_what_was_written(
    monkeypatch: pytest.MonkeyPatch, language: str, heading: str, back: str, failure: Exception
) -> None:
    faked_services(monkeypatch, defaultdict(lambda: failure))
    # No Referer is sent (the portal asks for none): the way back is the form's own address.
    with TestClient(portal_app(), raise_server_exceptions=False) as client:
        client.cookies.set("portal_session", session_cookie("participant-token", language))
        page = client.post("/me/stories", data=FORM)

    assert page.status_code == (503 if failure is DOWN else 500)
    given = section(page.text, "unsent")
    assert heading in html.unescape(text_of(given))
    written = given.split("readonly", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert html.unescape(written) == f"On-call, rebuilt\n\n{STORY}"
    assert f'<a class="button" href="/me/stories">{back}</a>' in given


@pytest.mark.usefixtures("everything_down")
def test_a_form_sent_to_an_actions_address_has_no_link_and_a_page_read_gives_nothing_back() -> None:
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        action = client.post(
            "/console/programs/p-1/agenda",
            data={"csrf_token": CSRF, "agenda": "Kick-off: say hello and set goals"},
        )
        read = client.get("/me/stories")

    assert action.status_code == 503
    assert "Kick-off: say hello and set goals</textarea>" in action.text
    assert "Back to the form" not in action.text  # no page at the agenda's address
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
