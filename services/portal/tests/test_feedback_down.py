"""The pair, sessions and plan pages while feedback does not answer, in-process.

Over the faked services of `test_pair_page`: feedback's pair routes (agreement, next agenda,
fit answers, goals) fail with `ServiceUnavailable`. The page is not the 503 page: who the
pair is, the sessions link and why they were matched are shown, and the cards feedback fills
say they cannot be read now, never "no agreement yet", and offer no form to write one (the
fit card where the question could be open: after the first held session, one pair's page). A
refusal from feedback (403) is still the 403 page.
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from mentorship_kit.errors import ForbiddenError, NotFoundError
from portal.adapters.api import ServiceUnavailable

from .pages import portal_app, signing_in, text_of
from .test_pair_page import (  # noqa: F401 - answers: the fixture, shared
    GROUP_MEMBERS,
    HELD,
    _as_groups_mentor,
    _feedback_by_mentee,
    answers,
)
from .test_usecases import SERIES, matched

ROUTES = ("agreement", "next-agenda", "fit", "goals")
DOWN = ServiceUnavailable("feedback", "ConnectTimeout after 10.0 s")


def _feedback_down(table: dict[str, Any], routes: tuple[str, ...] = ROUTES) -> None:
    """Feedback's ``routes`` of the pair grp-1 do not answer."""
    for route in routes:
        table[f"/v1/pairs/grp-1/{route}"] = DOWN


def _card(page: str, heading_id: str) -> str:
    """The text of the card headed by ``heading_id``, white space collapsed, unescaped."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return html.unescape(text_of(page[start : page.index("</section>", start)]))


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            (
                (
                    "The agreement cannot be read right now, so it cannot be written or "
                    "acknowledged here either. Try again later."
                ),
                "The next session's agenda cannot be read right now. Try again later.",
                "No agreement yet",
                (
                    "Your answer to the fit question cannot be read right now, so the question "
                    "cannot be answered here either. Try again later."
                ),
            ),
        ),
        (
            "fr",
            (
                (
                    "L\u2019accord ne peut pas être lu pour le moment\u00a0: il ne peut donc pas "
                    "non plus être rédigé ni accepté ici. Réessayez plus tard."
                ),
                (
                    "L\u2019ordre du jour de la prochaine séance ne peut pas être lu pour le "
                    "moment. Réessayez plus tard."
                ),
                "Pas encore d\u2019accord",
                (
                    "Votre réponse à la question d\u2019adéquation ne peut pas être lue pour le "
                    "moment\u00a0: il n\u2019est donc pas non plus possible d\u2019y répondre ici. "
                    "Réessayez plus tard."
                ),
            ),
        ),
    ],
)
def test_a_pairs_page_renders_with_a_note_when_feedback_does_not_answer(
    answers: dict[str, Any],  # noqa: F811
    language: str,
    texts: tuple[str, str, str, str],
) -> None:
    agreement_note, agenda_note, not_written, fit_note = texts
    # A held session: the fit question would be open, were feedback to say it is unanswered.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"sessions": [HELD]}
    answers["/v1/me/pairs"] = {"pairs": [matched("grp-1")]}
    _feedback_down(answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).get("/pairs/grp-1")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert agreement_note in _card(page.text, "agreement")
    assert agenda_note in _card(page.text, "agenda")
    assert not_written not in page.text
    assert 'action="/pairs/grp-1/agreement"' not in page.text  # no "write the agreement"
    assert 'action="/pairs/grp-1/fit"' not in page.text  # not known to be unanswered
    assert fit_note in _card(page.text, "fit")  # where the question would be asked
    # The rest of the page: who, the sessions link, why matched.
    assert "Grace Hopper" in _card(page.text, "who")
    assert 'href="/pairs/grp-1/sessions"' in page.text
    assert "%" in _card(page.text, "why")


def test_only_the_card_feedback_did_not_answer_for_says_it_cannot_be_read(
    answers: dict[str, Any],  # noqa: F811
) -> None:
    # The plan's call times out; the agreement, agenda and fit answers are read.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"sessions": [HELD]}
    answers["/v1/me/pairs"] = {"pairs": [matched("grp-1")]}
    _feedback_down(answers, ("goals",))
    answers["/v1/me/calendar"] = {"url": "https://cal/f.ics", "webcal_url": "webcal://cal/f.ics"}
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        pair = client.get("/pairs/grp-1")
        plan = client.get("/pairs/grp-1/plan")
        sessions = client.get("/pairs/grp-1/sessions")

    assert pair.status_code == 200
    assert "cannot be read" not in text_of(pair.text)
    assert "No agreement yet" in _card(pair.text, "agreement")
    assert 'action="/pairs/grp-1/agreement"' in pair.text  # it can be written
    assert 'action="/pairs/grp-1/fit"' in pair.text  # known to be unanswered: asked
    assert 'aria-labelledby="agenda"' not in pair.text  # none yet: no card, no note
    assert plan.status_code == 200
    assert "The development plan cannot be read right now" in html.unescape(text_of(plan.text))
    assert 'action="/pairs/grp-1/goals"' not in plan.text
    assert 'id="agenda-unavailable"' not in sessions.text


def test_the_fit_note_is_shown_only_where_the_question_would_be_asked(
    answers: dict[str, Any],  # noqa: F811
) -> None:
    _feedback_down(answers)
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        before_first_session = client.get("/pairs/grp-1")  # no session held yet
        _as_groups_mentor(answers)
        answers["/v1/pairs/grp-1/sessions"] |= {"sessions": [HELD]}
        whole_group = client.get("/pairs/grp-1")  # its mentor: no one pair's question
        mentees_view = client.get("/pairs/grp-1?mentee=pa-1")  # her answers' own note

    for page in (before_first_session, whole_group, mentees_view):
        assert page.status_code == 200
        assert 'id="fit-unavailable"' not in page.text
        assert 'aria-labelledby="fit"' not in page.text
    assert "cannot be read right now" in _card(mentees_view.text, "fit-answers")


def test_a_groups_mentee_gets_the_fit_note_after_the_first_session_when_feedback_is_down(
    answers: dict[str, Any],  # noqa: F811
) -> None:
    # Ada (pa-1) is one of the two mentees of the group grp-1; a session was held.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS, "sessions": [HELD]}
    answers["/v1/participants/pa-2/profile"] = NotFoundError("erased")
    _feedback_down(answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")

    assert page.status_code == 200
    assert "Your answer to the fit question cannot be read right now" in _card(page.text, "fit")
    assert 'action="/pairs/grp-1/fit"' not in page.text


def test_a_groups_mentor_reads_a_mentees_view_with_a_note_when_feedback_does_not_answer(
    answers: dict[str, Any],  # noqa: F811
) -> None:
    _as_groups_mentor(answers)
    _feedback_down(answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1?mentee=pa-1")

    assert page.status_code == 200
    agreement = _card(page.text, "agreement")
    assert "Agreement with Ada Lovelace" in agreement
    assert "The agreement cannot be read right now" in agreement
    assert "No agreement yet" not in agreement
    assert "I have read it and agree" not in page.text  # no acknowledgement form
    assert "Your answers to the fit question cannot be read right now. Try again later." in _card(
        page.text, "fit-answers"
    )
    assert "Neither of you has answered yet" not in page.text
    assert "cannot be read right now" in _card(page.text, "agenda")
    assert "Ada Lovelace" in _card(page.text, "who")


@pytest.mark.parametrize("mentee", [None, "pa-1"])
def test_the_sessions_and_plan_pages_render_with_a_note_when_feedback_does_not_answer(
    answers: dict[str, Any],  # noqa: F811
    mentee: str | None,
) -> None:
    if mentee:
        _as_groups_mentor(answers)
        answers["/v1/pairs/grp-1/sessions"] |= {"sessions": [HELD]}
    _feedback_down(answers)
    answers["/v1/me/calendar"] = {"url": "https://cal/f.ics", "webcal_url": "webcal://cal/f.ics"}
    params = {"mentee": mentee} if mentee else {}
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        sessions = client.get("/pairs/grp-1/sessions", params=params)
        plan = client.get("/pairs/grp-1/plan", params=params)

    assert sessions.status_code == 200
    assert 'id="agenda-unavailable"' in sessions.text
    assert "No agenda yet" not in sessions.text
    if mentee:  # what she said of the held session: not "has not given feedback yet"
        assert "What Ada Lovelace said of this session cannot be read right now." in (
            html.unescape(text_of(sessions.text))
        )
        assert "has not given feedback" not in sessions.text
    assert plan.status_code == 200
    assert (
        "The development plan cannot be read right now, so no goal can be added or updated "
        "here either. Try again later."
    ) in html.unescape(text_of(plan.text))
    assert "No goal yet." not in plan.text
    assert 'action="/pairs/grp-1/goals"' not in plan.text  # no "add a goal"


def test_a_mentees_sessions_say_her_feedback_cannot_be_read_when_only_that_fails(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _as_groups_mentor(answers)
    answers["/v1/pairs/grp-1/sessions"] |= {"sessions": [HELD]}
    answers["/v1/sessions/s-1/feedback"] = DOWN
    answers["/v1/me/calendar"] = {"url": "https://cal/f.ics", "webcal_url": "webcal://cal/f.ics"}
    _feedback_by_mentee(monkeypatch, answers)
    with signing_in(portal_app()) as as_:
        sessions = as_("participant-token").get("/pairs/grp-1/sessions?mentee=pa-1")

    assert sessions.status_code == 200
    assert "Ada&#39;s kickoff" in sessions.text  # her agenda, read
    assert "What Ada Lovelace said of this session cannot be read right now." in (
        html.unescape(text_of(sessions.text))
    )


@pytest.mark.parametrize("path", ["/pairs/grp-1", "/pairs/grp-1/plan", "/pairs/grp-1/sessions"])
@pytest.mark.parametrize(
    "down", [(), ("agreement", "next-agenda", "fit")], ids=["refused", "refused-beside-down"]
)
def test_a_refusal_from_feedback_is_still_the_403_page_even_beside_one_that_did_not_answer(
    answers: dict[str, Any],  # noqa: F811
    path: str,
    down: tuple[str, ...],
) -> None:
    _feedback_down(answers, down)
    answers["/v1/pairs/grp-1/goals"] = ForbiddenError("not a member of that pair")
    answers["/v1/me/calendar"] = {"url": "https://cal/f.ics", "webcal_url": "webcal://cal/f.ics"}
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get(path)
    assert page.status_code == 403
