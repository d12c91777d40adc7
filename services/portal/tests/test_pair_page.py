"""The pair page answered in-process over faked service answers: who my partner is.

The directory's name, title and department and what they offer and want (by the
questionnaire's labels); a partner the directory does not know, with the registration's name
and department and a note; a profile registration cannot show yet; in French too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError

from .pages import CSRF, fake_services, portal_app, signing_in
from .test_usecases import MENTOR_PROFILE, MY_REGISTRATION, PROGRAM, SERIES, matched

PROFILE = "/v1/participants/m-1/profile"
QUESTIONNAIRE = {
    "version": 1,
    "questions": [
        {
            "key": "skills_to_mentor",
            "prompt": "Skills?",
            "kind": "multiple_choice",
            "choices": [
                {"key": "leadership", "label": "Leading a team"},
                {"key": "promotion", "label": "Getting promoted"},
            ],
        }
    ],
}


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    table: dict[str, Any] = {
        "/v1/pairs/grp-1/sessions": SERIES,
        "/v1/programs/p-1": PROGRAM,
        "/v1/programs/p-1/registrations/me": MY_REGISTRATION,
        "/v1/programs/p-1/questionnaire": QUESTIONNAIRE,
        PROFILE: MENTOR_PROFILE,
        "/v1/participants/pa-1/profile": ForbiddenError("nobody's own partner"),
        "/v1/pairs/grp-1/agreement": NotFoundError("none"),
        "/v1/pairs/grp-1/next-agenda": NotFoundError("none"),
        "/v1/pairs/grp-1/fit": {"answers": []},
        "/v1/pairs/grp-1/goals": {"goals": []},
        "/v1/me/pairs": {"pairs": []},
    }

    async def answer(_: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert (method, token) == ("GET", "participant-token"), (method, path)
        found = table[path]
        if isinstance(found, Exception):
            raise found
        return found

    fake_services(monkeypatch, answer)
    return table


@pytest.fixture
def client(answers: dict[str, Any]) -> Iterator[TestClient]:
    del answers  # installed first
    with signing_in(portal_app()) as as_:
        yield as_("participant-token")


def _who(page: str) -> str:
    start = page.index('aria-labelledby="who"')
    return page[start : page.index("</section>", start)]


def test_the_partner_is_named_placed_and_described_from_the_directory(
    client: TestClient,
) -> None:
    page = client.get("/pairs/grp-1")
    assert page.status_code == 200
    who = _who(page.text)
    assert '<h3 class="partner-name">Grace Hopper</h3>' in who
    assert "<dt>Title</dt><dd>Principal Engineer</dd>" in who
    assert "<dt>Department</dt><dd>Platform</dd>" in who
    assert "<dt>What they offer</dt><dd>Leading a team, Getting promoted</dd>" in who
    assert "<dt>What they want</dt><dd>Nothing listed</dd>" in who
    assert "Not in the organisation" not in who
    assert "m-1" not in who  # a person, not a participant id


def test_a_partner_the_directory_does_not_know_reads_in_french(
    client: TestClient, answers: dict[str, Any]
) -> None:
    answers[PROFILE] = MENTOR_PROFILE | {
        "name": "Grace H.",
        "title": None,
        "department": "flight_software",
        "in_directory": False,
        "skills_offered": [],
        "goals_achieved": [],
        "skills_wanted": ["public_speaking"],
    }
    client.post(
        "/language",
        data={"csrf_token": CSRF, "language": "fr", "next": "/pairs/grp-1"},
        follow_redirects=False,
    )
    who = _who(client.get("/pairs/grp-1").text)
    assert "Grace H." in who
    assert "<dt>Poste</dt>" not in who
    assert "<dt>Service</dt><dd>Flight software</dd>" in who
    assert "<dt>Ce qu\u2019elle ou il offre</dt><dd>Rien d\u2019indiqué</dd>" in who
    assert "<dd>public speaking</dd>" in who
    assert "Absent·e de l\u2019annuaire de l\u2019organisation" in who


@pytest.mark.parametrize("refusal", [ForbiddenError("not yet"), NotFoundError("erased")])
def test_a_profile_registration_cannot_show_leaves_the_page_open_with_a_notice(
    client: TestClient, answers: dict[str, Any], refusal: Exception
) -> None:
    answers[PROFILE] = refusal
    page = client.get("/pairs/grp-1")
    assert page.status_code == 200
    who = _who(page.text)
    assert "Their profile cannot be shown right now" in who
    assert "<dt>Role</dt><dd>Mentor</dd>" in who


def test_the_mentee_is_led_to_her_skills_and_the_mentor_rates_hers_on_the_pair_page(
    client: TestClient, answers: dict[str, Any]
) -> None:
    mentee_view = client.get("/pairs/grp-1").text
    assert 'href="/programs/p-1/skills">My skills</a>' in mentee_view
    assert 'id="mentee-skills"' not in mentee_view

    answers["/v1/programs/p-1/registrations/me"] = MY_REGISTRATION | {
        "participant_id": "m-1",
        "role": "mentor",
    }
    answers["/v1/participants/pa-1/profile"] = MENTOR_PROFILE | {
        "participant_id": "pa-1",
        "skills_wanted": ["leadership", "promotion"],
    }
    answers["/v1/programs/p-1/participants/pa-1/skills/calibration"] = ForbiddenError("not yet")
    fresh = client.get("/pairs/grp-1").text
    assert "Not rated yet." in fresh  # feedback cannot show the calibration yet: no levels

    rows = [
        {"skill": "leadership", "self": None, "mentor": 4, "manager": None},
        {"skill": "promotion", "self": None, "mentor": 2, "manager": None},
    ]
    answers["/v1/programs/p-1/participants/pa-1/skills/calibration"] = {
        "participant_id": "pa-1",
        "moments": {"midpoint": [row | {"peers_answered": 0} for row in rows]},
    }
    mentor_view = client.get("/pairs/grp-1").text
    start = mentor_view.index('id="mentee-skills-card"')
    card = mentor_view[start : mentor_view.index('href="/pairs/grp-1/skills#calibration', start)]
    midpoint = card[card.index('id="mentor-midpoint"') : card.index('id="mentor-end"')]
    assert 'action="/pairs/grp-1/skills/mentor/midpoint#mentor-midpoint"' in midpoint
    assert '<input type="hidden" name="back" value="pair">' in midpoint
    assert "<legend>Leading a team</legend>" in midpoint  # the questionnaire's label
    assert re.findall(r'name="level\.(\w+)" value="(\d)" checked', midpoint) == [
        ("leadership", "4"),
        ("promotion", "2"),
    ]
    assert 'action="/pairs/grp-1/skills/mentor/end#mentor-end"' in card
    assert 'href="/programs/p-1/skills"' not in mentor_view


def test_a_groups_mentor_gets_a_link_to_rate_each_mentee_and_feedbacks_refusal_no_failure(
    client: TestClient, answers: dict[str, Any]
) -> None:
    # One mentor, two mentees: the series is the group's; feedback knows no pair by its id.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {
        "members": [
            {"participant_id": "pa-1", "role": "mentee"},
            {"participant_id": "m-1", "role": "mentor"},
            {"participant_id": "pa-2", "role": "mentee"},
        ]
    }
    # Feedback names no one pair by a group's id: a 422 on query.mentee (a 404 before).
    answers["/v1/pairs/grp-1/fit"] = NotFoundError("no pair grp-1")
    answers["/v1/pairs/grp-1/goals"] = InvalidInputError([("query.mentee", "which mentee")])
    answers["/v1/pairs/grp-1/agreement"] = InvalidInputError([("query.mentee", "which")])
    answers["/v1/programs/p-1/registrations/me"] = MY_REGISTRATION | {
        "participant_id": "m-1",
        "role": "mentor",
    }
    answers["/v1/participants/pa-1/profile"] = MENTOR_PROFILE | {
        "participant_id": "pa-1",
        "role": "mentee",
        "name": "Ada Lovelace",
    }
    answers["/v1/participants/pa-2/profile"] = NotFoundError("erased")

    page = client.get("/pairs/grp-1")

    assert page.status_code == 200
    start = page.text.index('id="mentee-skills-card"')
    card = page.text[start : page.text.index("</section>", start)]
    assert '<h2 id="mentee-skills">Your mentees\' skills</h2>' in card
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', card) == [
        ("/pairs/grp-1/skills?mentee=pa-1", "Rate Ada Lovelace"),
        ("/pairs/grp-1/skills?mentee=pa-2", "Rate mentee 2"),  # no profile: numbered
    ]
    assert "<form" not in card  # each mentee is rated on their own page


GROUP_MEMBERS = [
    {"participant_id": "pa-1", "role": "mentee"},
    {"participant_id": "m-1", "role": "mentor"},
    {"participant_id": "pa-2", "role": "mentee"},
]


def _as_groups_mentor(answers: dict[str, Any]) -> None:
    """The caller mentors the group grp-1 of two mentees; only Ada's profile can be shown."""
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS}
    answers["/v1/programs/p-1/registrations/me"] = MY_REGISTRATION | {
        "participant_id": "m-1",
        "role": "mentor",
    }
    answers["/v1/participants/pa-1/profile"] = MENTOR_PROFILE | {
        "participant_id": "pa-1",
        "role": "mentee",
        "name": "Ada Lovelace",
    }
    answers["/v1/participants/pa-2/profile"] = NotFoundError("erased")
    answers["/v1/me/pairs"] = {
        "pairs": [
            matched(f"pr-{n}", "grp-1")
            | {
                "participant_id": "m-1",
                "role": "mentor",
                "partner_participant_ids": ["pa-1", "pa-2"],  # a group: everyone in it
                "mentee_participant_id": mentee,
            }
            for n, mentee in ((1, "pa-1"), (2, "pa-2"))
        ]
    }


def _why(page: str) -> str:
    start = page.index('aria-labelledby="why"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("en", ["With Ada Lovelace", "With mentee 2"]),
        ("fr", ["Avec Ada Lovelace", "Avec le mentoré 2"]),
    ],
)
def test_a_groups_explanations_name_each_mentee_not_their_participant_id(
    answers: dict[str, Any], language: str, headings: list[str]
) -> None:
    _as_groups_mentor(answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).get("/pairs/grp-1")

    assert page.status_code == 200
    why = _why(page.text)
    assert [h.strip() for h in re.findall(r"<h3>([^<]+)</h3>", why)] == headings
    assert "pa-1" not in why
    assert "pa-2" not in why  # no profile: numbered as on its "Rate mentee 2" link


def test_a_pairs_unnamed_partner_is_your_mentor_or_your_mentee(answers: dict[str, Any]) -> None:
    # Two explanations of the one series (each gets a heading); the mentor has no profile.
    answers[PROFILE] = NotFoundError("erased")
    answers["/v1/me/pairs"] = {"pairs": [matched("grp-1"), matched("pr-2", "grp-1")]}
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")
    why = _why(page.text)
    assert [h.strip() for h in re.findall(r"<h3>([^<]+)</h3>", why)] == ["With your mentor"] * 2
    assert "m-1" not in why


FEEDBACK_OF_PA_1: dict[str, Any] = {
    "/v1/pairs/grp-1/agreement": {
        "expectations": "Ada's own expectations",
        "meeting_frequency": "Every two weeks",
        "confidentiality": "Between us",
        "version": 1,
        "acknowledged_by": ["pa-1"],
    },
    "/v1/pairs/grp-1/next-agenda": {"kind": "kickoff", "title": "Ada's kickoff", "purpose": "."},
    "/v1/pairs/grp-1/fit": {"answers": [{"participant_id": "pa-1", "good_fit": True}]},
    "/v1/pairs/grp-1/goals": {
        "goals": [
            {
                "goal_id": "g-1",
                "topic": "leadership",
                "title": "Ada's goal: lead the guild",
                "progress_percent": 20,
                "completed": False,
            }
        ]
    },
}


WRITES = {
    ("PUT", "/v1/pairs/grp-1/agreement"),
    ("POST", "/v1/pairs/grp-1/agreement/acknowledge"),
    ("POST", "/v1/pairs/grp-1/fit"),
    ("POST", "/v1/pairs/grp-1/goals"),
}
"""Feedback's pair routes the portal's forms write to."""
REFUSAL = "a group's id: say which of its mentees"


def _feedback_by_mentee(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
    writes: list[tuple[str, str, Any, Any]] | None = None,
    feedback: dict[str, Any] = FEEDBACK_OF_PA_1,
) -> list[tuple[str, Any]]:
    """Feedback's pair routes as they answer a group's id: per ``?mentee=``, else a 422.

    Every other call is answered from ``answers``; returns the pair routes' reads (path,
    query) as they are sent, and adds their writes (method, path, query, body) to ``writes``.
    """
    sent: list[tuple[str, Any]] = []

    async def answer(_: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == "participant-token", (method, path)
        if (method, path) in WRITES:
            assert writes is not None, (method, path)
            writes.append((method, path, kwargs.get("params"), kwargs.get("json")))
            if kwargs.get("params") == {"mentee": "pa-1"}:
                return {}
            raise InvalidInputError([("query.mentee", REFUSAL)])
        assert method == "GET", (method, path)
        if path in feedback:
            sent.append((path, kwargs.get("params")))
            if kwargs.get("params") == {"mentee": "pa-1"}:
                return feedback[path]
            raise InvalidInputError([("query.mentee", REFUSAL)])
        found = answers[path]
        if isinstance(found, Exception):
            raise found
        return found

    fake_services(monkeypatch, answer)
    return sent


def test_a_groups_mentee_sees_her_own_agreement_agenda_and_plan_asked_with_mentee(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ada (pa-1) is one of the two mentees of the group grp-1.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS}
    answers["/v1/participants/pa-2/profile"] = MENTOR_PROFILE | {"role": "mentee"}
    sent = _feedback_by_mentee(monkeypatch, answers)

    page = client.get("/pairs/grp-1")

    assert page.status_code == 200
    assert sorted(sent) == [
        ("/v1/pairs/grp-1/agreement", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/fit", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/goals", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/next-agenda", {"mentee": "pa-1"}),
    ]
    assert "<dt>Expectations</dt><dd>Ada&#39;s own expectations</dd>" in page.text
    assert "You acknowledged it; waiting for your partner." in page.text
    assert "Ada&#39;s kickoff" in page.text
    assert 'id="fit"' not in page.text  # she answered already
    plan = client.get("/pairs/grp-1/plan")
    assert "Ada&#39;s goal: lead the guild" in plan.text


def test_a_groups_mentor_without_a_pick_asks_only_each_mentees_agreement_and_each_mentee(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_groups_mentor(answers)
    sent = _feedback_by_mentee(monkeypatch, answers)

    page = client.get("/pairs/grp-1")

    assert page.status_code == 200
    # Never the group's id alone (always feedback's 422): each mentee's agreement by her id.
    assert sorted(sent, key=str) == [
        ("/v1/pairs/grp-1/agreement", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/agreement", {"mentee": "pa-2"}),
    ]
    assert "No agreement yet." not in page.text
    assert 'action="/pairs/grp-1/agreement' not in page.text
    assert '<h2 id="agreement">Your mentees\' agreements</h2>' in page.text
    assert _mentee_pages(page.text) == [
        ("/pairs/grp-1?mentee=pa-1", "Ada Lovelace", False),
        ("/pairs/grp-1?mentee=pa-2", "Mentee 2", False),  # no profile: numbered
    ]
    plan = client.get("/pairs/grp-1/plan")
    assert "Each of your mentees has their own plan: choose whose to read above." in plan.text
    assert "No goal yet." not in plan.text
    assert [href for href, _, _ in _mentee_pages(plan.text)] == [
        "/pairs/grp-1/plan?mentee=pa-1",
        "/pairs/grp-1/plan?mentee=pa-2",
    ]


def _mentee_pages(page: str) -> list[tuple[str, str, bool]]:
    """The mentor's links to each mentee's view: (address, text, whether it is the current)."""
    start = page.index('id="mentee-pages"')
    found = re.findall(
        r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>',
        page[start : page.index("</ul>", start)],
    )
    return [(href.replace("&amp;", "&"), text, bool(current)) for href, current, text in found]


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "Agreement with Ada Lovelace",
                "<dt>Expectations</dt><dd>Ada&#39;s own expectations</dd>",
                "Ada Lovelace acknowledged it; you have not yet.",
                (
                    "Ada Lovelace writes and changes it on their own pages; you acknowledge each "
                    "version here."
                ),
                "Ada&#39;s kickoff",
                "Is this a good fit? Ada Lovelace and you",
                "<li>Ada Lovelace: a good fit.</li>",
                "<li>You: not a good fit (We cannot find time).</li>",
                "Development plan of Ada Lovelace",
            ],
        ),
        (
            "fr",
            [
                "Accord avec Ada Lovelace",
                "<dt>Attentes</dt><dd>Ada&#39;s own expectations</dd>",
                (
                    "Ada Lovelace l\u2019écrit et le modifie sur ses propres pages\u202f; vous "
                    "acceptez ici chaque version."
                ),
                "Le binôme convient-il\u202f? Ada Lovelace et vous",
                "<li>Ada Lovelace\u00a0: le binôme convient.</li>",
                "Plan de développement de Ada Lovelace",
            ],
        ),
    ],
)
def test_a_groups_mentor_reads_the_picked_mentees_agreement_fit_and_agenda_read_only(
    client: TestClient,
    answers: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    texts: list[str],
) -> None:
    _as_groups_mentor(answers)
    feedback = FEEDBACK_OF_PA_1 | {
        "/v1/pairs/grp-1/fit": {
            "answers": [
                {"participant_id": "pa-1", "good_fit": True},
                {"participant_id": "m-1", "good_fit": False, "concern": "availability"},
            ]
        }
    }
    sent = _feedback_by_mentee(monkeypatch, answers, feedback=feedback)
    client.post(
        "/language",
        data={"csrf_token": CSRF, "language": language, "next": "/"},
        follow_redirects=False,
    )

    page = client.get("/pairs/grp-1?mentee=pa-1")

    assert page.status_code == 200
    assert sorted(sent) == [
        ("/v1/pairs/grp-1/agreement", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/fit", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/goals", {"mentee": "pa-1"}),
        ("/v1/pairs/grp-1/next-agenda", {"mentee": "pa-1"}),
    ]
    for text in texts:
        assert text in page.text, text
    # Read-only but for her own acknowledgement (of the mentee's pair): no agreement or fit
    # form; the pick is marked and kept.
    assert re.findall(r'<form method="post" action="(/pairs/[^"]+)"', page.text) == [
        "/pairs/grp-1/agreement/acknowledge?mentee=pa-1"
    ]
    assert [current for _, _, current in _mentee_pages(page.text)] == [True, False]
    assert 'href="/pairs/grp-1/plan?mentee=pa-1"' in page.text
    assert 'name="next" value="/pairs/grp-1?mentee=pa-1"' in page.text  # the language switch
    assert "pa-1" not in _why(page.text)


def test_a_groups_mentor_reads_the_picked_mentees_plan_without_its_forms(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_groups_mentor(answers)
    goals = {
        "goals": [
            {
                "goal_id": "g-1",
                "topic": "leadership",
                "title": "Ada's goal: lead the guild",
                "progress_percent": 50,
                "completed": False,
                "milestones": [
                    {"title": "Run one meeting", "reached": True},
                    {"title": "Run the guild", "reached": False},
                ],
            }
        ]
    }
    feedback = FEEDBACK_OF_PA_1 | {"/v1/pairs/grp-1/goals": goals}
    sent = _feedback_by_mentee(monkeypatch, answers, feedback=feedback)

    plan = client.get("/pairs/grp-1/plan?mentee=pa-1")

    assert plan.status_code == 200
    assert ("/v1/pairs/grp-1/goals", {"mentee": "pa-1"}) in sent
    assert "<h1>Development plan of Ada Lovelace</h1>" in plan.text
    assert "Ada&#39;s goal: lead the guild" in plan.text
    assert '<li>Run one meeting: <span class="badge ok">Reached</span></li>' in plan.text
    assert '<li>Run the guild: <span class="badge">Not reached yet</span></li>' in plan.text
    french = client.get("/pairs/grp-1/plan?mentee=pa-1", headers={"accept-language": "fr"})
    assert '<li>Run one meeting\u00a0: <span class="badge ok">Franchie</span></li>' in french.text
    assert '<form method="post" action="/goals/' not in plan.text  # no progress form
    assert 'action="/pairs/grp-1/goals"' not in plan.text  # no goal form
    assert 'href="/pairs/grp-1?mentee=pa-1"' in plan.text  # back to her agreement
    assert _mentee_pages(plan.text)[0] == ("/pairs/grp-1/plan?mentee=pa-1", "Ada Lovelace", True)


@pytest.mark.parametrize("path", ["/pairs/grp-1", "/pairs/grp-1/plan"])
@pytest.mark.parametrize("mentee", ["pa-9", "m-1", "not an id"])
def test_a_mentee_not_in_the_group_is_the_404_page_and_feedback_is_not_asked(
    client: TestClient,
    answers: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    mentee: str,
) -> None:
    _as_groups_mentor(answers)
    sent = _feedback_by_mentee(monkeypatch, answers)
    page = client.get(path, params={"mentee": mentee})
    assert page.status_code == 404
    assert sent == []


def test_a_groups_mentee_naming_another_mentee_gets_feedbacks_403_page(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ada (pa-1), a mentee of the group, asks for pa-2's pair: feedback refuses (403).
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS}
    answers["/v1/participants/pa-2/profile"] = MENTOR_PROFILE | {"role": "mentee"}
    for route in ("agreement", "fit", "goals", "next-agenda"):
        answers[f"/v1/pairs/grp-1/{route}"] = ForbiddenError("not a member of that pair")
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1?mentee=pa-2")
    assert page.status_code == 403
    assert "Ada&#39;s" not in page.text


def test_a_groups_mentee_reads_only_her_own_explanation_never_another_mentees_name(
    answers: dict[str, Any],
) -> None:
    # Ada (pa-1) and Bea (pa-2) are mentees of Grace's group. Matching lists everyone a group's
    # member meets as partners; Ada has two explanations of the group (an ended pair and the
    # current one), so each gets a heading: her mentor's name, never Bea's.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS}
    answers["/v1/participants/pa-2/profile"] = MENTOR_PROFILE | {
        "participant_id": "pa-2",
        "role": "mentee",
        "name": "Bea Other",
    }
    answers["/v1/me/pairs"] = {
        "pairs": [
            matched(pair_id, "grp-1") | {"partner_participant_ids": ["m-1", "pa-2"]}
            for pair_id in ("pr-1", "pr-0")
        ]
    }
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        page = client.get("/pairs/grp-1")
        assert page.status_code == 200
        why = _why(page.text)
        assert [h.strip() for h in re.findall(r"<h3>([^<]+)</h3>", why)] == [
            "With Grace Hopper"
        ] * 2
        assert "Bea" not in why
        assert "pa-2" not in why

        # One explanation (the usual case): no heading, hers only.
        answers["/v1/me/pairs"]["pairs"].pop()
        why = _why(client.get("/pairs/grp-1").text)
        assert "<h3>" not in why
        assert "Bea" not in why
        assert why.count("You fit") == 1


def test_a_pairs_mentee_asks_by_the_pairs_id_alone(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _feedback_by_mentee(monkeypatch, answers)
    assert client.get("/pairs/grp-1").status_code == 200
    assert {query for _, query in sent} == {None}


HELD = {
    "session_id": "s-1",
    "pair_id": "grp-1",
    "program_id": "p-1",
    "sequence": 1,
    "participant_ids": ["pa-1", "m-1", "pa-2"],
    "starts_at": "2026-12-01T10:00:00Z",
    "ends_at": "2026-12-01T11:00:00Z",
    "duration_minutes": 60,
    "status": "held",
}
"""A held session: the fit question is open from then on."""
AGREEMENT_FIELDS = {
    "expectations": "Weekly progress",
    "meeting_frequency": "Every week",
    "confidentiality": "Between us",
    "boundaries": "",
}
GOAL = {"topic": "leadership", "title": "Lead the guild", "milestones": "Run one meeting"}


def _flash(page: str) -> str:
    found = re.search(r'<p class="flash">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_a_groups_mentee_writes_her_own_agreement_fit_and_goals_with_mentee(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ada (pa-1), one of the group's two mentees, after its first held session: her agreement
    # waits for her acknowledgement and she has not answered the fit question.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS, "sessions": [HELD]}
    answers["/v1/participants/pa-2/profile"] = MENTOR_PROFILE | {"role": "mentee"}
    agreement = FEEDBACK_OF_PA_1["/v1/pairs/grp-1/agreement"] | {"acknowledged_by": ["m-1"]}
    feedback = FEEDBACK_OF_PA_1 | {
        "/v1/pairs/grp-1/agreement": agreement,
        "/v1/pairs/grp-1/fit": {"answers": []},
    }
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes, feedback)

    page = client.get("/pairs/grp-1")
    assert "I have read it and agree" in page.text
    assert 'id="fit"' in page.text
    assert 'action="/pairs/grp-1/agreement"' in page.text
    # Whatever mentee a form names (here: the other one), the portal names her from her
    # registration.
    flashes = [
        _flash(
            client.post(
                url, data={"csrf_token": CSRF, "mentee": "pa-2"} | fields, params={"mentee": "pa-2"}
            ).text
        )
        for url, fields in (
            ("/pairs/grp-1/agreement/acknowledge", {"version": "1"}),
            ("/pairs/grp-1/agreement", AGREEMENT_FIELDS),
            ("/pairs/grp-1/fit", {"good_fit": "yes"}),
            ("/pairs/grp-1/goals", GOAL),
        )
    ]

    assert [(method, path, query) for method, path, query, _ in writes] == [
        ("POST", "/v1/pairs/grp-1/agreement/acknowledge", {"mentee": "pa-1"}),
        ("PUT", "/v1/pairs/grp-1/agreement", {"mentee": "pa-1"}),
        ("POST", "/v1/pairs/grp-1/fit", {"mentee": "pa-1"}),
        ("POST", "/v1/pairs/grp-1/goals", {"mentee": "pa-1"}),
    ]
    assert [body for *_, body in writes] == [
        {"version": 1},
        AGREEMENT_FIELDS,
        {"good_fit": True},
        {"topic": "leadership", "title": "Lead the guild", "milestones": ["Run one meeting"]},
    ]
    assert REFUSAL not in "".join(flashes)  # feedback never refused her
    assert flashes[2:] == ["Thank you: your answer is saved.", "The goal is added."]


def test_a_pairs_mentee_writes_by_the_pairs_id_alone(
    client: TestClient, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes)

    client.post("/pairs/grp-1/fit", data={"csrf_token": CSRF, "good_fit": "yes"})
    client.post("/pairs/grp-1/goals", data={"csrf_token": CSRF} | GOAL)

    assert [(path, query) for _, path, query, _ in writes] == [
        ("/v1/pairs/grp-1/fit", None),
        ("/v1/pairs/grp-1/goals", None),
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "this page cannot write them for one of them."),
        ("fr", "cette page ne peut pas les écrire pour l\u2019un d\u2019eux."),
    ],
)
def test_a_groups_mentor_is_offered_no_one_pairs_form_and_told_why_if_posting(
    answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch, language: str, message: str
) -> None:
    _as_groups_mentor(answers)
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS, "sessions": [HELD]}
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes)

    with signing_in(portal_app()) as as_:
        client = as_("participant-token", lang=language)
        page = client.get("/pairs/grp-1")
        # A form kept open from before (or made by hand) is refused here, before feedback.
        posted = client.post("/pairs/grp-1/agreement", data={"csrf_token": CSRF} | AGREEMENT_FIELDS)
        plan = client.get("/pairs/grp-1/plan")

    assert 'id="fit"' not in page.text  # after a held session, still not asked
    assert "/agreement" not in page.text  # neither written nor acknowledged from here
    assert writes == []
    assert message in _flash(posted.text)
    assert "/goals" not in plan.text
