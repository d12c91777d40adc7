"""A group's mentor acknowledges a mentee's agreement and reads her sessions, in-process.

Over the faked services of `test_pair_page`: feedback's pair routes answer a group's id per
``?mentee=`` (pa-1's pair) and refuse it without one. The mentor (m-1) of the group grp-1
(mentees pa-1, Ada Lovelace, and pa-2, whose profile cannot be shown) acknowledges pa-1's
agreement from her per-mentee view; the sessions page takes the same ``?mentee=``: the
group's sessions, with that mentee's next agenda and what she said of each held session.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentorship_kit.errors import ForbiddenError, NotFoundError
from portal.adapters import api
from portal.adapters.api import ServiceUnavailable

from .pages import CSRF, portal_app, signing_in, text_of
from .test_pair_page import (
    FEEDBACK_OF_PA_1,
    GROUP_MEMBERS,
    HELD,
    _as_groups_mentor,
    _feedback_by_mentee,
    _flash,
    _mentee_pages,
    answers,  # noqa: F401 - the fixture, shared
)
from .test_usecases import MENTOR_PROFILE, SERIES

ACKNOWLEDGE = "/pairs/grp-1/agreement/acknowledge"
AGREEMENT_OF_PA_1 = FEEDBACK_OF_PA_1["/v1/pairs/grp-1/agreement"]
"""Ada's agreement, version 1, acknowledged by her alone."""
HELD_2 = HELD | {
    "session_id": "s-2",
    "sequence": 2,
    "starts_at": "2026-12-08T10:00:00Z",
    "ends_at": "2026-12-08T11:00:00Z",
}
ADA_ON_S_1 = {
    "participant_id": "pa-1",
    "author_role": "mentee",
    "rating": 4,
    "action_items": ["Draft the guild's charter"],
    "private_notes": None,
    "revision": 1,
}
MINE_ON_S_1 = ADA_ON_S_1 | {"participant_id": "m-1", "author_role": "mentor", "rating": 2}
BEA_ON_S_2 = ADA_ON_S_1 | {"participant_id": "pa-2", "rating": 1, "action_items": ["Bea's"]}
CALENDAR = {"url": "https://cal.example/feed.ics", "webcal_url": "webcal://cal.example/feed.ics"}


def _card(page: str, heading_id: str) -> str:
    """The text of the card headed by ``heading_id``, white space collapsed, unescaped."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return html.unescape(text_of(page[start : page.index("</section>", start)]))


def _ack_form(page: str) -> str | None:
    """Where the agreement card's acknowledgement posts (None: not offered)."""
    found = re.search(r'<form method="post" action="(/pairs/[^"]+/acknowledge[^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every service call's path from now on, in order (the fake installed still answers)."""
    calls: list[str] = []
    inner = api.ServiceClient.call

    async def call(client: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        calls.append(path)
        return await inner(client, method, path, token, **kwargs)

    monkeypatch.setattr(api.ServiceClient, "call", call)
    return calls


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            (
                "Version 1. Ada Lovelace acknowledged it; you have not yet.",
                (
                    "Ada Lovelace writes and changes it on their own pages; you acknowledge each "
                    "version here."
                ),
                "You acknowledged the agreement.",
            ),
        ),
        (
            "fr",
            (
                "Version 1. Ada Lovelace l\u2019a accepté\u202f; vous pas encore.",
                (
                    "Ada Lovelace l\u2019écrit et le modifie sur ses propres pages\u202f; vous "
                    "acceptez ici chaque version."
                ),
                "Vous avez accepté l\u2019accord.",
            ),
        ),
    ],
)
def test_a_groups_mentor_acknowledges_the_picked_mentees_agreement_and_comes_back_to_it(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    texts: tuple[str, str, str],
) -> None:
    status, hint, flash = texts
    _as_groups_mentor(answers)
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes)

    with signing_in(portal_app()) as as_:
        client = as_("participant-token", lang=language)
        page = client.get("/pairs/grp-1?mentee=pa-1")
        target = _ack_form(page.text)
        assert target == f"{ACKNOWLEDGE}?mentee=pa-1"
        answer = client.post(
            target, data={"csrf_token": CSRF, "version": "1"}, follow_redirects=False
        )
        shown = client.get(answer.headers["location"])

    card = _card(page.text, "agreement")
    assert status in card
    assert hint in card
    assert 'action="/pairs/grp-1/agreement"' not in page.text  # she writes it, not him
    # The pair of the mentee picked, named by her participant id; back to her view (PRG).
    assert writes == [
        ("POST", "/v1/pairs/grp-1/agreement/acknowledge", {"mentee": "pa-1"}, {"version": 1})
    ]
    assert answer.status_code == 303
    assert answer.headers["location"] == "/pairs/grp-1?mentee=pa-1#agreement"
    assert html.unescape(_flash(shown.text)) == flash


@pytest.mark.parametrize(
    ("acknowledged_by", "status"),
    [
        (["pa-1", "m-1"], "Both of you acknowledged it."),
        (["m-1"], "You acknowledged it; waiting for Ada Lovelace."),
    ],
)
def test_a_mentor_who_acknowledged_the_version_is_offered_no_form(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    acknowledged_by: list[str],
    status: str,
) -> None:
    _as_groups_mentor(answers)
    agreement = AGREEMENT_OF_PA_1 | {
        "acknowledged_by": acknowledged_by,
        "acknowledged_by_both": len(acknowledged_by) == 2,
    }
    feedback = FEEDBACK_OF_PA_1 | {"/v1/pairs/grp-1/agreement": agreement}
    _feedback_by_mentee(monkeypatch, answers, feedback=feedback)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1?mentee=pa-1")
    assert status in _card(page.text, "agreement")
    assert _ack_form(page.text) is None


@pytest.mark.parametrize(
    ("mentee", "calls"),
    [
        ("not an id", []),  # malformed: no service is asked
        ("pa-9", ["/v1/pairs/grp-1/sessions"]),  # not of the group: scheduling's series only
        ("m-1", ["/v1/pairs/grp-1/sessions"]),  # the mentor herself is no mentee
    ],
)
def test_acknowledging_for_a_mentee_not_in_the_group_is_the_404_page_before_feedback(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    mentee: str,
    calls: list[str],
) -> None:
    _as_groups_mentor(answers)
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes)
    sent = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        answer = as_("participant-token").post(
            ACKNOWLEDGE, params={"mentee": mentee}, data={"csrf_token": CSRF, "version": "1"}
        )
    assert answer.status_code == 404
    assert sent == calls
    assert writes == []


def test_a_stranger_or_a_form_without_its_csrf_token_acknowledges_nothing(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _as_groups_mentor(answers)
    writes: list[tuple[str, str, Any, Any]] = []
    _feedback_by_mentee(monkeypatch, answers, writes)
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        forged = client.post(ACKNOWLEDGE, params={"mentee": "pa-1"}, data={"version": "1"})
        answers["/v1/pairs/grp-1/sessions"] = ForbiddenError("not a member")
        stranger = client.post(
            ACKNOWLEDGE, params={"mentee": "pa-1"}, data={"csrf_token": CSRF, "version": "1"}
        )
    assert (forged.status_code, stranger.status_code) == (403, 403)
    assert writes == []


def _sessions_answers(table: dict[str, Any]) -> None:
    """Two held sessions of the group: Ada and the mentor rated the first, Bea the second."""
    _as_groups_mentor(table)
    table["/v1/pairs/grp-1/sessions"] = SERIES | {
        "members": GROUP_MEMBERS,
        "sessions": [HELD, HELD_2],
    }
    table["/v1/me/calendar"] = CALENDAR
    table["/v1/sessions/s-1/feedback"] = {"feedback": [ADA_ON_S_1, MINE_ON_S_1]}
    table["/v1/sessions/s-2/feedback"] = {"feedback": [BEA_ON_S_2]}


def _row(page: str, session_id: str) -> str:
    """The text of a session's row (up to the next row or the end of its list)."""
    start = page.index(f'id="session-{session_id}"')
    end = re.compile(r'<li class="session"|</ul>\s*(<h2|</details>|</main>|$)')
    found = end.search(page, start + 1)
    return html.unescape(text_of(page[start : found.start() if found else len(page)]))


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            (
                "Next agenda with Ada Lovelace: Ada's kickoff",
                (
                    "Feedback of Ada Lovelace: 4 out of 5. "
                    "Their action items: Draft the guild's charter"
                ),
                "Ada Lovelace has not given feedback on this session yet.",
            ),
        ),
        (
            "fr",
            (
                "Prochain ordre du jour avec Ada Lovelace\u00a0: Ada's kickoff",
                (
                    "Avis de Ada Lovelace\u00a0: 4\u00a0sur\u00a05. "
                    "Ses actions à mener\u00a0: Draft the guild's charter"
                ),
                "Ada Lovelace n\u2019a pas encore donné son avis sur cette séance.",
            ),
        ),
    ],
)
def test_a_groups_mentor_reads_the_picked_mentees_agenda_and_feedback_on_the_sessions_page(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    texts: tuple[str, str, str],
) -> None:
    agenda, given, not_given = texts
    _sessions_answers(answers)
    sent = _feedback_by_mentee(monkeypatch, answers)
    calls = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).get("/pairs/grp-1/sessions?mentee=pa-1")

    assert page.status_code == 200
    assert ("/v1/pairs/grp-1/next-agenda", {"mentee": "pa-1"}) in sent
    assert {"/v1/sessions/s-1/feedback", "/v1/sessions/s-2/feedback"} <= set(calls)
    text = html.unescape(text_of(page.text))
    assert agenda in text
    assert 'href="/pairs/grp-1?mentee=pa-1#agenda"' in page.text
    # Each held session with what she said of it; another mentee's feedback is not hers.
    assert given in _row(page.text, "s-1")
    assert not_given in _row(page.text, "s-2")
    assert "Bea's" not in text
    # Her other pages keep the pick; the picker leads to each mentee's sessions.
    assert 'href="/pairs/grp-1?mentee=pa-1"' in page.text
    assert 'href="/pairs/grp-1/plan?mentee=pa-1"' in page.text
    assert [(href, current) for href, _, current in _mentee_pages(page.text)] == [
        ("/pairs/grp-1/sessions?mentee=pa-1", True),
        ("/pairs/grp-1/sessions?mentee=pa-2", False),
    ]
    assert 'name="next" value="/pairs/grp-1/sessions?mentee=pa-1"' in page.text


def test_the_mentors_sessions_without_a_pick_ask_feedback_nothing_and_offer_each_mentee(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sessions_answers(answers)
    sent = _feedback_by_mentee(monkeypatch, answers)
    calls = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1/sessions")
    assert page.status_code == 200
    assert sent == []
    assert not [path for path in calls if path.startswith("/v1/sessions/")]
    assert "Feedback of" not in page.text
    assert [href for href, _, _ in _mentee_pages(page.text)] == [
        "/pairs/grp-1/sessions?mentee=pa-1",
        "/pairs/grp-1/sessions?mentee=pa-2",
    ]


@pytest.mark.parametrize(
    ("mentee", "calls"),
    [
        ("not an id", []),
        ("pa-9", ["/v1/pairs/grp-1/sessions"]),
        ("m-1", ["/v1/pairs/grp-1/sessions"]),
    ],
)
def test_the_sessions_of_a_mentee_not_in_the_group_are_the_404_page_before_feedback(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    mentee: str,
    calls: list[str],
) -> None:
    _sessions_answers(answers)
    _feedback_by_mentee(monkeypatch, answers)
    sent = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1/sessions", params={"mentee": mentee})
    assert page.status_code == 404
    assert sent == calls


def test_a_groups_mentee_reads_her_own_sessions_whatever_mentee_is_named(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ada (pa-1), a mentee of the group, names herself: her own view, no one's feedback asked.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS, "sessions": [HELD]}
    answers["/v1/participants/pa-2/profile"] = NotFoundError("erased")
    answers["/v1/me/calendar"] = CALENDAR
    sent = _feedback_by_mentee(monkeypatch, answers)
    calls = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1/sessions?mentee=pa-1")
    assert page.status_code == 200
    assert ("/v1/pairs/grp-1/next-agenda", {"mentee": "pa-1"}) in sent
    assert "/v1/sessions/s-1/feedback" not in calls
    assert 'id="mentee-pages"' not in page.text
    assert "Next session's agenda:" in page.text


def _due_now() -> dict[str, Any]:
    """A session of the group starting in ten minutes: it may be marked held, or moved."""
    starts = datetime.now(UTC) + timedelta(minutes=10)
    return HELD | {
        "session_id": "s-3",
        "sequence": 3,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "status": "scheduled",
    }


def _marking_held(monkeypatch: pytest.MonkeyPatch, session: dict[str, Any]) -> list[str]:
    """Scheduling marks ``session`` held (then answers it held); every call's path, in order."""
    held = session | {"status": "held"}
    calls: list[str] = []
    inner = api.ServiceClient.call

    async def call(client: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        calls.append(path)
        if path == "/v1/sessions/s-3/held":
            return held
        if path == "/v1/sessions/s-3":
            return held
        return await inner(client, method, path, token, **kwargs)

    monkeypatch.setattr(api.ServiceClient, "call", call)
    return calls


def test_a_session_marked_from_a_mentees_sessions_comes_back_to_her_view(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sessions_answers(answers)
    due = _due_now()
    answers["/v1/pairs/grp-1/sessions"]["sessions"].append(due)
    _feedback_by_mentee(monkeypatch, answers)
    calls = _marking_held(monkeypatch, due)
    form = {"csrf_token": CSRF}
    with signing_in(portal_app()) as as_:
        client = as_("participant-token")
        page = client.get("/pairs/grp-1/sessions?mentee=pa-1")
        marked = client.post("/sessions/s-3/held?mentee=pa-1", data=form, follow_redirects=False)
        row = client.post(
            "/sessions/s-3/held?mentee=pa-1", data=form, headers={"hx-request": "true"}
        )
        calls.clear()
        malformed = client.post("/sessions/s-3/held?mentee=not an id", data=form)
        asked_for_malformed = list(calls)
        refused = {
            action: client.post(f"/sessions/s-3/{action}?mentee=pa-9", data=form).status_code
            for action in ("held", "reschedule")
        }

    # Each form of her view keeps the pick, so the mentor comes back to it (PRG), or the
    # row comes back with what the mentee said of it (nothing yet: it is held only now).
    forms = re.findall(r'action="(/sessions/s-3/[^"]+)"', page.text)
    assert sorted(forms) == [
        f"/sessions/s-3/{action}?mentee=pa-1"
        for action in ("cancel", "held", "missed", "reschedule")
    ]
    assert marked.headers["location"] == "/pairs/grp-1/sessions?mentee=pa-1#session-s-3"
    assert "Ada Lovelace has not given feedback on this session yet." in row.text
    assert (malformed.status_code, asked_for_malformed) == (404, [])
    # Someone not her group's mentee: the 404 page before the session is marked or moved.
    assert refused == {"held": 404, "reschedule": 404}
    assert calls == ["/v1/sessions/s-3", "/v1/pairs/grp-1/sessions"] * 2


FIVE_MENTEES = [
    {"participant_id": "m-1", "role": "mentor"},
    *({"participant_id": f"pa-{n}", "role": "mentee"} for n in range(1, 6)),
]
NAMES = {"pa-3": "Grace Hopper", "pa-4": "Katherine Johnson", "pa-5": "Mary Jackson"}
"""pa-1 is Ada Lovelace; pa-2's profile cannot be shown (Mentee 2)."""
STANDINGS: dict[str, Any] = {
    "pa-1": AGREEMENT_OF_PA_1,  # she acknowledged it, her mentor has not
    "pa-2": AGREEMENT_OF_PA_1 | {"acknowledged_by": ["pa-2", "m-1"], "acknowledged_by_both": True},
    "pa-3": AGREEMENT_OF_PA_1 | {"acknowledged_by": ["m-1"]},
    "pa-4": NotFoundError("Pair grp-1 has no agreement yet."),
    "pa-5": ServiceUnavailable("feedback", "502 Bad Gateway"),
}


def _five_mentees(
    table: dict[str, Any], monkeypatch: pytest.MonkeyPatch, agreements: dict[str, Any]
) -> tuple[list[tuple[str, Any]], list[int]]:
    """The caller mentors grp-1 of five mentees; feedback answers each one's agreement.

    Returns feedback's reads (path, query) as sent, and the most agreements asked at once.
    """
    _as_groups_mentor(table)
    table["/v1/pairs/grp-1/sessions"] = SERIES | {"members": FIVE_MENTEES}
    for participant_id, name in NAMES.items():
        table[f"/v1/participants/{participant_id}/profile"] = MENTOR_PROFILE | {
            "participant_id": participant_id,
            "role": "mentee",
            "name": name,
        }
    sent: list[tuple[str, Any]] = []
    most = [0]
    in_flight = [0]
    inner = api.ServiceClient.call

    async def call(client: Any, method: str, path: str, token: str, **kwargs: Any) -> Any:
        if client.name != "feedback":
            return await inner(client, method, path, token, **kwargs)
        sent.append((path, kwargs.get("params")))
        assert (method, path) == ("GET", "/v1/pairs/grp-1/agreement"), (method, path)
        in_flight[0] += 1
        most[0] = max(most[0], in_flight[0])
        await asyncio.sleep(0.02)  # long enough for the others to be sent meanwhile
        in_flight[0] -= 1
        found = agreements[kwargs["params"]["mentee"]]
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(api.ServiceClient, "call", call)
    return sent, most


def _agreement_rows(page: str) -> dict[str, str]:
    """Each row of the mentor's agreements table: its text, by the mentee's participant id."""
    rows = re.findall(r'<tr id="agreement-of-([^"]+)">(.*?)</tr>', page, re.DOTALL)
    return {pid: html.unescape(text_of(row)) for pid, row in rows}


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            {
                "summary": "1 agreement waits for your acknowledgement.",
                "notice": "Some agreements cannot be read right now (marked below).",
                "pa-1": "Ada Lovelace Waiting for you Read and acknowledge it — "
                "Agreement with Ada Lovelace",
                "pa-2": "Mentee 2 Acknowledged by both of you",
                "pa-3": "Grace Hopper Waiting for the mentee You acknowledged it.",
                "pa-4": "Katherine Johnson Waiting for the mentee Not written yet.",
                "pa-5": "Mary Jackson Not available right now",
            },
        ),
        (
            "fr",
            {
                "summary": "1\u00a0accord attend votre acceptation.",
                "notice": "Certains accords ne peuvent pas être lus pour le moment",
                "pa-1": "Ada Lovelace En attente de votre acceptation Le lire et l\u2019accepter — "
                "Accord avec Ada Lovelace",
                "pa-2": "Mentoré 2 Accepté par vous deux",
                "pa-3": "Grace Hopper En attente du mentoré Vous l\u2019avez accepté.",
                "pa-4": "Katherine Johnson En attente du mentoré Pas encore écrit.",
                "pa-5": "Mary Jackson Indisponible pour le moment",
            },
        ),
    ],
)
def test_the_whole_groups_page_says_whose_agreement_waits_for_its_mentor(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    texts: dict[str, str],
) -> None:
    sent, most = _five_mentees(answers, monkeypatch, STANDINGS)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token", lang=language).get("/pairs/grp-1")

    assert page.status_code == 200
    # One read per mentee, all at once; nothing else of feedback (no pair is the page's own).
    assert sorted(sent, key=str) == [
        ("/v1/pairs/grp-1/agreement", {"mentee": f"pa-{n}"}) for n in range(1, 6)
    ]
    assert most == [5]
    card = _card(page.text, "agreement")
    assert texts["summary"] in card
    assert texts["notice"] in card
    rows = _agreement_rows(page.text)
    assert list(rows) == [f"pa-{n}" for n in range(1, 6)]  # the series' order
    assert rows == {pid: text for pid, text in texts.items() if pid.startswith("pa-")}
    # The one waiting for her leads to that mentee's view, where she acknowledges it.
    links = re.findall(r'<tr id="agreement-of-[^"]+">.*?</tr>', page.text, re.DOTALL)
    assert [re.findall(r'href="([^"]+)"', row) for row in links] == [
        ["/pairs/grp-1?mentee=pa-1#agreement"],
        [],
        [],
        [],
        [],
    ]
    assert '<th scope="row">Ada Lovelace</th>' in page.text
    assert _ack_form(page.text) is None  # she acknowledges from the mentee's view only


def test_the_whole_groups_page_says_when_no_agreement_waits_for_its_mentor(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settled = STANDINGS | {"pa-1": STANDINGS["pa-2"], "pa-5": STANDINGS["pa-3"]}
    _five_mentees(answers, monkeypatch, settled)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")
    card = _card(page.text, "agreement")
    assert "No agreement waits for your acknowledgement." in card
    assert "cannot be read" not in card
    assert "Read and acknowledge it" not in card


def test_the_whole_groups_page_renders_when_feedback_fails_with_a_note_instead(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = dict.fromkeys(STANDINGS, ServiceUnavailable("feedback", "ConnectTimeout after 10.0 s"))
    _five_mentees(answers, monkeypatch, down)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1")

    assert page.status_code == 200
    assert '<h2 id="agreement">Your mentees\' agreements</h2>' in page.text
    card = _card(page.text, "agreement")
    assert (
        "Where your mentees' agreements stand cannot be read right now. Try again later; "
        "each mentee's link above still shows theirs."
    ) in card
    assert "<table" not in page.text[page.text.index('id="mentee-agreements-card"') :]
    assert "agreement waits" not in card
    # The rest of the page is there: who they are, each mentee's link.
    assert "Grace Hopper" in _card(page.text, "who")
    assert len(_mentee_pages(page.text)) == 5


def test_a_mentees_view_asks_only_her_agreement_and_lists_no_others(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _as_groups_mentor(answers)
    sent = _feedback_by_mentee(monkeypatch, answers)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get("/pairs/grp-1?mentee=pa-1")
    assert [query for path, query in sent if path.endswith("/agreement")] == [{"mentee": "pa-1"}]
    assert 'id="mentee-agreements-card"' not in page.text
    assert "Agreement with Ada Lovelace" in _card(page.text, "agreement")


def _profiles_asked(calls: list[str]) -> list[str]:
    return sorted(path for path in calls if path.startswith("/v1/participants/"))


@pytest.mark.parametrize(
    "path", ["/pairs/grp-1/sessions", "/pairs/grp-1/sessions?mentee=pa-1", "/pairs/grp-1/plan"]
)
def test_a_groups_mentees_sessions_and_plan_ask_no_ones_profile(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    # Ada (pa-1), a mentee of the group: these pages name no one to her.
    answers["/v1/pairs/grp-1/sessions"] = SERIES | {"members": GROUP_MEMBERS, "sessions": [HELD]}
    answers["/v1/me/calendar"] = CALENDAR
    _feedback_by_mentee(monkeypatch, answers)
    calls = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get(path)
    assert page.status_code == 200
    assert _profiles_asked(calls) == []
    assert 'id="mentee-pages"' not in page.text


@pytest.mark.parametrize(
    "path", ["/pairs/grp-1/sessions", "/pairs/grp-1/sessions?mentee=pa-1", "/pairs/grp-1/plan"]
)
def test_a_groups_mentors_sessions_and_plan_ask_her_mentees_profiles_only(
    answers: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    _sessions_answers(answers)
    _feedback_by_mentee(monkeypatch, answers)
    calls = _recording(monkeypatch)
    with signing_in(portal_app()) as as_:
        page = as_("participant-token").get(path)
    assert page.status_code == 200
    # Never her own (registration refuses it): each mentee's, to name them.
    assert _profiles_asked(calls) == [
        "/v1/participants/pa-1/profile",
        "/v1/participants/pa-2/profile",
    ]
    assert [text for _, text, _ in _mentee_pages(page.text)] == ["Ada Lovelace", "Mentee 2"]
