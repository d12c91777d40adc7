"""The add-a-goal form of a development plan, in-process over faked services.

A goal feedback refuses (too many milestones, say) or cannot take because it does not answer
comes back on the plan holding what was written, the refusal beside its field or a note that
nothing was added, even while feedback cannot say what the plan holds; an added goal goes
back to the plan with a message.
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from mentorship_kit.errors import InvalidInputError
from portal.entrypoints.http.held_answers import GoalAnswer, field_of

from .pages import CSRF, FakedServices, portal_app, signing_in, text_of
from .pair_forms import feedback_down, pair_page_services
from .test_pair_page import answers  # noqa: F401 - the pair page's answers: the fixture

GOALS = "/v1/pairs/grp-1/goals"
MILESTONES = "\n".join(f"Step <{n}> & more" for n in range(1, 23))
WRITTEN = {
    "csrf_token": CSRF,
    "title": "Lead the <design> guild",
    "topic": "promotion",
    "milestones": MILESTONES,
}


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],  # noqa: F811
) -> FakedServices:
    """The pair page's answers (a program with two topics), and feedback taking goals."""
    topics = {"skills": ["python"], "goals": ["promotion"]}
    program = answers["/v1/programs/p-1"] | {"topics": topics}
    return pair_page_services(
        monkeypatch, answers | {"/v1/programs/p-1": program}, {("POST", GOALS): {}}
    )


def _holds_what_was_written(page: str) -> None:
    assert 'value="Lead the &lt;design&gt; guild"' in page
    assert '<option value="promotion" selected>' in page
    assert '<option value="python" selected>' not in page
    assert ">Step &lt;1&gt; &amp; more\n" in page
    assert "Step &lt;22&gt; &amp; more</textarea>" in page


def test_a_refused_goal_comes_back_with_what_was_written(services: FakedServices) -> None:
    services.answers[("POST", GOALS)] = InvalidInputError(
        [("body.milestones", "List should have at most 20 items after validation, not 22")]
    )
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").post("/pairs/grp-1/goals", data=WRITTEN)

    assert page.status_code == 422
    assert "<title>Error: Development plan" in page.text
    _holds_what_was_written(page.text)
    assert 'aria-describedby="goal-milestones-error" aria-invalid="true"' in page.text
    assert '<a href="#goal-milestones">' in page.text
    assert len(services.sent["milestones"]) == 22


def test_a_milestone_refused_by_its_index_is_shown_beside_the_milestones() -> None:
    goal_field = field_of(GoalAnswer())

    assert goal_field("body.milestones.3.constrained-str") == "milestones"
    assert goal_field("body.milestones") == "milestones"
    assert goal_field("body.title") == "title"
    assert goal_field("query.mentee") == ""


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "The goal was not added"), ("fr", "L\u2019objectif n\u2019a pas été ajouté")],
)
def test_a_goal_feedback_cannot_take_comes_back_with_what_was_written(
    services: FakedServices, language: str, title: str
) -> None:
    feedback_down(services)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).post("/pairs/grp-1/goals", data=WRITTEN)

    assert page.status_code == 503
    assert title in html.unescape(text_of(page.text))
    assert 'role="alert"' in page.text
    _holds_what_was_written(page.text)


def test_an_added_goal_goes_back_to_the_plan(services: FakedServices) -> None:
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        added = client.post(
            "/pairs/grp-1/goals",
            data=WRITTEN | {"milestones": " One \n\n Two "},
            follow_redirects=False,
        )
        plan = client.get("/pairs/grp-1/plan")

    assert added.status_code == 303
    assert added.headers["location"] == "/pairs/grp-1/plan"
    assert "The goal is added." in plan.text
    assert services.sent == {
        "topic": "promotion",
        "title": "Lead the <design> guild",
        "milestones": ["One", "Two"],
    }


def test_the_plan_offers_an_empty_form_otherwise(services: FakedServices) -> None:
    del services  # installed
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1/plan")

    assert page.status_code == 200
    assert 'name="title" required maxlength="200" value=""' in page.text
    assert "selected" not in page.text.split('id="goal-topic"')[1].split("</select>")[0]
