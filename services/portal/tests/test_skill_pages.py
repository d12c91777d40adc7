"""Skills assessments in the portal, answered in-process over faked services.

The fake feedback keeps assessments and rater requests and applies the service's rules: only
the program's mentees rate themselves (baseline, end) and ask raters, only the pair's mentor
rates the mentee (midpoint, end), every chosen skill and no other at 1-5, a manager must be
known and is asked until they answer, at most five peers per moment, addresses checked,
peers shown only as the average of three or more. The mentee's page rates, reads the
calibration and asks for 360 input (each refusal beside its field, in her language, the form
as sent); the mentor's page rates the mentee. Every refusal is a message, never a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError, RuleError
from portal.domain.models import Questionnaire
from portal.domain.skills import (
    Calibration,
    RatersDraft,
    chosen_skills,
    peer_field,
    raters_problems,
    read_levels,
    suggested_moment,
)

from .pages import CSRF, SignIn, fake_services, portal_app, section, signing_in, text_of
from .test_console import program

BASE_URL = "https://portal.example.com"
ADA, MAX, ZOE = "ada-token", "max-token", "zoe-token"
"""Ada is a mentee of program a, Max her mentor, Zoe a mentee who chose no skills."""
PARTICIPANTS = {
    ADA: {"participant_id": "p-ada", "role": "mentee", "answers": {"grow": ["speaking", "python"]}},
    MAX: {"participant_id": "p-max", "role": "mentor", "answers": {}},
    ZOE: {"participant_id": "p-zoe", "role": "mentee", "answers": {}},
}
CHOSEN = {"p-ada": ["speaking", "python"], "p-zoe": [], "p-bo": ["python"]}
PAIR = {"pair_id": "pair-1", "mentor": "p-max", "mentee": "p-ada"}
GROUP = {"pair_id": "grp-1", "mentor": "p-max", "mentees": ["p-ada", "p-bo"]}
"""Max mentors a group too: Ada and Bo."""
EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
QUESTIONNAIRE = {
    "program_id": "a",
    "version": 1,
    "questions": [
        {
            "key": "grow",
            "prompt": "Skills to grow",
            "kind": "multiple_choice",
            "meaning": "skills_wanted",
            "choices": [
                {"key": "speaking", "label": "Public speaking"},
                {"key": "python", "label": "Python"},
            ],
        }
    ],
}


class Services:
    """Registration, scheduling and feedback as the portal calls them; what it sent."""

    def __init__(self) -> None:
        self.assessments: dict[tuple[str, str, str], dict[str, int]] = {}
        """(mentee, rater key, moment) -> levels; rater key: self, mentor, manager, peer-n."""
        self.requests: list[dict[str, Any]] = []
        self.sent: list[tuple[str, str, Any]] = []
        self.params: list[Any] = []
        self.manager_known = True
        self.links_key = True
        self.feedback_knows_ada = True

    async def call(self, service: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        if service == "registration":
            return self._registration(path, token)
        if service == "scheduling":
            return self._scheduling(path, token)
        assert service == "feedback", service
        self.sent.append((method, path, kwargs.get("json")))
        self.params.append(kwargs.get("params"))
        return self._feedback(method, path, token, kwargs.get("json"), kwargs.get("params") or {})

    def _registration(self, path: str, token: str) -> Any:
        if path == "/v1/programs":
            return {"programs": [program("a")]}
        if path == "/v1/programs/a":
            return program("a")
        if path == "/v1/programs/a/questionnaire":
            return QUESTIONNAIRE
        if path == "/v1/programs/a/registrations/me":
            mine = PARTICIPANTS[token]
            return {
                "participant_id": mine["participant_id"],
                "program_id": "a",
                "employee_id": "e",
                "name": "Someone",
                "email": "someone@example.com",
                "status": "active",
                "role": mine["role"],
                "answers": mine["answers"],
                "registered_at": "2026-12-01T10:00:00Z",
            }
        if match := re.fullmatch(r"/v1/participants/(p-ada|p-bo)/profile", path):
            if token != MAX:
                raise ForbiddenError("not paired")
            return {
                "participant_id": match[1],
                "role": "mentee",
                "name": "Ada Lovelace" if match[1] == "p-ada" else "Bo Diddley",
                "skills_wanted": CHOSEN[match[1]],
            }
        raise AssertionError(f"unexpected registration call {path}")

    def _scheduling(self, path: str, token: str) -> Any:
        if path == "/v1/me/sessions":
            return {"sessions": []}
        assert path in {"/v1/pairs/pair-1/sessions", "/v1/pairs/grp-1/sessions"}, path
        if token not in {ADA, MAX}:
            raise ForbiddenError("not a member")
        mentees = GROUP["mentees"] if "grp-1" in path else [PAIR["mentee"]]
        return {
            "pair_id": path.split("/")[3],
            "program_id": "a",
            "members": [
                {"participant_id": "p-max", "role": "mentor"},
                *({"participant_id": one, "role": "mentee"} for one in mentees),
            ],
            "time_zone": "UTC",
            "ended": False,
            "sessions": [],
        }

    # ------------------------------------------------------------------ feedback's rules
    def _mentee(self, token: str) -> str:
        mine = PARTICIPANTS[token]
        if mine["role"] == "mentor" or (token == ADA and not self.feedback_knows_ada):
            raise ForbiddenError("only the program's mentees")
        return str(mine["participant_id"])

    def _assess(self, mentee: str, key: str, moment: str, levels: dict[str, int]) -> Any:
        chosen = CHOSEN[mentee]
        if not chosen:
            raise RuleError("no_skills_chosen", "the mentee chose no skills")
        problems = [(f"body.levels.{s}", "rate it 1 to 5") for s in chosen if s not in levels]
        problems += [
            (f"body.levels.{s}", "not chosen or not 1-5")
            for s, level in levels.items()
            if s not in chosen or not 1 <= level <= 5
        ]
        if problems:
            raise InvalidInputError(problems)
        self.assessments[mentee, key, moment] = dict(levels)
        return {"assessment_id": "x", "levels": levels}

    def _feedback(
        self, method: str, path: str, token: str, body: Any, params: dict[str, str]
    ) -> Any:
        if match := re.fullmatch(r"/v1/programs/a/skills/self/(\w+)", path):
            assert method == "PUT"
            mentee = self._mentee(token)
            if match[1] not in {"baseline", "end"}:
                raise RuleError("not_an_assessment_moment", "self: baseline, end")
            return self._assess(mentee, "self", match[1], body["levels"])
        if match := re.fullmatch(r"/v1/pairs/(pair-1|grp-1)/skills/mentor/(\w+)", path):
            assert method == "PUT"
            if PARTICIPANTS[token]["participant_id"] != PAIR["mentor"]:
                raise ForbiddenError("only the pair's mentor")
            mentees = GROUP["mentees"] if match[1] == "grp-1" else [PAIR["mentee"]]
            mentee = params.get("mentee", PAIR["mentee"] if match[1] == "pair-1" else "")
            if mentee not in mentees:
                raise InvalidInputError([("query.mentee", "not a mentee of this pair or group")])
            if match[2] not in {"midpoint", "end"}:
                raise RuleError("not_an_assessment_moment", "mentor: midpoint, end")
            return self._assess(str(mentee), "mentor", match[2], body["levels"])
        if path == "/v1/programs/a/surveys":
            return {"surveys": []}
        if path == "/v1/programs/a/skills/raters" and method == "GET":
            return self._sent(token)
        if path == "/v1/programs/a/skills/raters":
            return self._ask(token, body)
        if match := re.fullmatch(r"/v1/programs/a/participants/([\w-]+)/skills/calibration", path):
            return self._calibration(token, match[1])
        raise AssertionError(f"unexpected feedback call {method} {path}")

    def _ask(self, token: str, body: dict[str, Any]) -> Any:
        if not self.links_key:
            raise RuleError("rater_links_unavailable", "no link key")
        mentee = self._mentee(token)
        moment = body["moment"]
        if moment not in {"baseline", "end"}:
            raise RuleError("not_an_assessment_moment", "baseline and end")
        if body["manager"] and not self.manager_known:
            raise RuleError("no_manager_known", "no manager")
        if body["manager"] and (mentee, "manager", moment) in self.assessments:
            raise RuleError("manager_already_answered", "final")
        named = body["invite_peers"]
        for n, peer in enumerate(named):
            if not EMAIL.fullmatch(peer.get("email", "")):
                raise InvalidInputError([(f"body.invite_peers.{n}.email", "not an address")])
        before = sum(1 for r in self.requests if r["kind"] == "peer" and r["moment"] == moment)
        if before + body["peers"] + len(named) > 5:
            raise InvalidInputError([("body.peers", f"at most 5; {before} already asked")])
        if not body["manager"] and body["peers"] + len(named) == 0:
            raise InvalidInputError([("body.peers", "ask someone")])
        made: dict[str, list[dict[str, Any]]] = {"links": [], "invited": []}
        kinds = ["manager"] * body["manager"] + ["peer"] * (len(named) + body["peers"])
        for number, kind in enumerate(kinds):
            mailed = kind == "manager" or number - body["manager"] < len(named)
            email = named[number - body["manager"]]["email"] if mailed and kind == "peer" else None
            request = {
                "request_id": f"r-{len(self.requests) + 1}",
                "rater_kind": kind,
                "kind": kind,
                "moment": moment,
                "expires_at": "2027-03-01T00:00:00Z",
                "reached_by": "directory" if kind == "manager" else "email" if email else "link",
                "email": email,
            }
            self.requests.append(request)
            if mailed:
                made["invited"].append(request)
            else:
                made["links"].append(request | {"token": f"tok{len(self.requests)}.sig"})
        return made

    def _sent(self, token: str) -> Any:
        """Her requests: the manager's answer shown, peers only counted per moment."""
        mentee = self._mentee(token)
        return {
            "requests": [
                {
                    "rater_kind": r["kind"],
                    "moment": r["moment"],
                    "reached_by": r["reached_by"],
                    "email": r["email"],
                    "requested_at": "2026-12-01T10:00:00Z",
                    "expires_at": r["expires_at"],
                    "answered": (
                        (mentee, "manager", r["moment"]) in self.assessments
                        if r["kind"] == "manager"
                        else None
                    ),
                }
                for r in self.requests
            ],
            "peers_answered": {
                moment: sum(
                    1
                    for who, key, at in self.assessments
                    if who == mentee and key.startswith("peer") and at == moment
                )
                for moment in ("baseline", "end")
            },
        }

    def _calibration(self, token: str, mentee: str) -> Any:
        reader = PARTICIPANTS[token]["participant_id"]
        if reader not in {mentee, PAIR["mentor"]} or (token == ADA and not self.feedback_knows_ada):
            raise ForbiddenError("not a reader")
        moments: dict[str, list[dict[str, Any]]] = {}
        for moment in ("baseline", "midpoint", "end"):
            given = {
                key: levels
                for (who, key, at), levels in self.assessments.items()
                if who == mentee and at == moment
            }
            if not given:
                continue
            peers = [levels for key, levels in given.items() if key.startswith("peer")]
            moments[moment] = [
                {
                    "skill": skill,
                    "self": given.get("self", {}).get(skill),
                    "mentor": given.get("mentor", {}).get(skill),
                    "manager": given.get("manager", {}).get(skill),
                    "peers_average": (
                        sum(p[skill] for p in peers) / len(peers) if len(peers) >= 3 else None
                    ),
                    "peers_answered": len(peers),
                }
                for skill in CHOSEN[mentee]
            ]
        return {"participant_id": mentee, "moments": moments}


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    fake = Services()
    fake_services(monkeypatch, fake.call)
    return fake


@pytest.fixture
def signed_in(services: Services) -> Iterator[SignIn]:
    del services  # installed first
    with signing_in(portal_app(portal_base_url=BASE_URL)) as as_:
        yield as_


@pytest.fixture
def ada(signed_in: SignIn) -> TestClient:
    return signed_in(ADA)


@pytest.fixture
def max_(signed_in: SignIn) -> TestClient:
    return signed_in(MAX)


def checked(html: str) -> dict[str, str]:
    """The checked radio of each ``level.<skill>``."""
    return dict(re.findall(r'name="level\.(\w+)" value="(\d)" checked', html))


def rate(client: TestClient, path: str, **levels: str) -> Any:
    form = {"csrf_token": CSRF} | {f"level.{skill}": value for skill, value in levels.items()}
    return client.post(path, data=form, follow_redirects=False)


def ask(client: TestClient, **fields: str) -> Any:
    form = {"csrf_token": CSRF, "moment": "baseline", "peers": "0"} | fields
    return client.post("/programs/a/skills/raters", data=form, follow_redirects=False)


# ---------------------------------------------------------------------- the mentee's page
def test_the_page_lists_her_chosen_skills_with_labels_and_a_fieldset_per_skill(
    ada: TestClient,
) -> None:
    page = ada.get("/programs/a/skills")

    assert page.status_code == 200
    html = page.text
    assert "<h1>My skills</h1>" in html
    chosen = text_of(section(html, "chosen"))
    assert "Public speaking Python" in chosen  # the questionnaire's labels, in her order
    baseline = section(html, "self-baseline")
    assert baseline.count("<fieldset") == 2
    assert "<legend>Public speaking</legend>" in baseline
    assert "1 · Beginner" in baseline
    assert "5 · Expert" in baseline
    assert 'action="/programs/a/skills/self/baseline#self-baseline"' in baseline
    assert 'action="/programs/a/skills/self/end#self-end"' in section(html, "self-end")
    assert 'action="/programs/a/skills/raters#ask-heading"' in html
    assert "Nobody has rated these skills yet" in html
    # The program starts in the future (January 2027): 360 input is asked for the start.
    assert 'name="moment" value="baseline" checked' in html
    assert "My skills: rate myself and ask for 360 input" in ada.get("/").text


def test_rating_herself_saves_and_shows_her_levels_in_the_form_and_the_calibration(
    ada: TestClient, services: Services
) -> None:
    answer = rate(ada, "/programs/a/skills/self/baseline", speaking="2", python="4")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/programs/a/skills#self-baseline"
    assert services.assessments["p-ada", "self", "baseline"] == {"speaking": 2, "python": 4}
    html = ada.get("/programs/a/skills").text
    assert "Your ratings at the start are saved." in html
    assert checked(section(html, "self-baseline")) == {"speaking": "2", "python": "4"}
    assert checked(section(html, "self-end")) == {}
    table = text_of(section(html, "calibration-baseline"))
    assert "Public speaking 2 — not given — not given — not given" in table


def test_a_missing_level_comes_back_beside_its_skill_with_her_choices_kept_and_nothing_sent(
    ada: TestClient, services: Services
) -> None:
    answer = rate(ada, "/programs/a/skills/self/end", python="5")

    assert answer.status_code == 422
    assert [method for method, _, _ in services.sent] == ["GET", "GET"]  # calibration, requests
    html = answer.text
    assert "<title>Error:" in html
    end = section(html, "self-end")
    assert checked(end) == {"python": "5"}
    assert 'id="self-end-speaking-error"' in end
    assert 'aria-describedby="self-end-speaking-error"' in end
    summary = section(html, "self-end-summary")
    assert 'href="#self-end-speaking-1"' in summary
    assert "Public speaking: Choose a level from 1 to 5." in text_of(summary)
    assert "field-error" not in section(html, "self-baseline")


def test_feedbacks_refusals_of_a_rating_are_shown_not_failed(
    ada: TestClient, services: Services
) -> None:
    services.feedback_knows_ada = False
    answer = rate(ada, "/programs/a/skills/self/baseline", speaking="1", python="1")

    assert answer.status_code == 422
    assert "does not count you as a mentee of this program yet" in answer.text
    assert "has not heard of your registration yet" in answer.text


def test_a_mentee_who_chose_no_skills_is_told_so(signed_in: SignIn) -> None:
    html = signed_in(ZOE).get("/programs/a/skills").text
    assert "You chose no skills to grow when you registered" in html
    assert 'action="/programs/a/skills' not in html


def test_a_mentor_has_no_my_skills_page_and_an_unknown_moment_is_404(
    max_: TestClient, ada: TestClient
) -> None:
    assert max_.get("/programs/a/skills").status_code == 404
    assert rate(ada, "/programs/a/skills/self/midpoint", speaking="1").status_code == 404


def test_peers_average_is_hidden_under_three_and_shown_from_three(
    ada: TestClient, services: Services
) -> None:
    for n in (1, 2):
        services.assessments["p-ada", f"peer-{n}", "end"] = {"speaking": 3, "python": 4}
    two = text_of(section(ada.get("/programs/a/skills").text, "calibration-end"))
    assert "Hidden: 2 of 3 peers answered" in two
    services.assessments["p-ada", "peer-3", "end"] = {"speaking": 4, "python": 4}
    three = text_of(section(ada.get("/programs/a/skills").text, "calibration-end"))
    assert "Public speaking — not given — not given — not given 3.3 (3 peers)" in three
    assert "at least three peers answered" in ada.get("/programs/a/skills").text


# ---------------------------------------------------------------------- asking for 360 input
def test_asking_shows_the_links_to_forward_with_a_note_and_what_was_mailed(
    ada: TestClient, services: Services
) -> None:
    answer = ask(ada, manager="yes", peer_email_1="bo@example.com", peers="2")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"  # the links are kept nowhere
    assert services.sent[-1] == (
        "POST",
        "/v1/programs/a/skills/raters",
        {
            "moment": "baseline",
            "manager": True,
            "peers": 2,
            "invite_peers": [{"email": "bo@example.com"}],
        },
    )
    asked = text_of(section(answer.text, "asked"))
    assert "Your manager gets an e-mail with their link." in asked
    assert "1 peer gets an e-mail with their link." in asked
    assert "Forward these links yourself" in asked
    links = re.findall(r"<textarea[^>]* readonly[^>]*>([^<]+)</textarea>", answer.text)
    assert links == [
        f"{BASE_URL}/skills/rater-links/tok3.sig",
        f"{BASE_URL}/skills/rater-links/tok4.sig",
    ]


def test_the_form_is_checked_first_each_mistake_beside_its_field_nothing_sent(
    ada: TestClient, services: Services
) -> None:
    answer = ask(
        ada,
        moment="",
        peer_email_1="not an address",
        peer_email_2="bo@example.com",
        peer_email_3="BO@example.com",
        peers="4",
    )

    assert answer.status_code == 422
    assert all(method == "GET" for method, _, _ in services.sent)
    html = answer.text
    assert 'id="raters-moment-error"' in html
    assert 'id="raters-peer_email_1-error"' in html
    assert "You gave this address twice." in text_of(html)
    assert 'id="raters-peers-error"' in html
    assert "At most five peers per moment" in text_of(section(html, "raters-summary"))
    assert 'value="not an address"' in html
    assert '<option value="4" selected>' in html
    assert 'href="#raters-moment-baseline"' in html


def test_asking_nobody_is_refused_with_a_message(ada: TestClient) -> None:
    answer = ask(ada)
    assert answer.status_code == 422
    assert "Ask your manager, or at least one peer" in text_of(
        section(answer.text, "raters-summary")
    )


@pytest.mark.parametrize(
    "case",
    [
        ("no_manager", {"manager": "yes"}, "manager", "The directory names no manager for you"),
        ("answered", {"manager": "yes"}, "manager", "Your manager already answered"),
        ("", {"peers": "5"}, "peers", "counting those you asked before"),
        ("no_key", {"peers": "1"}, "", "cannot make rater links yet"),
    ],
)
def test_every_refusal_of_feedback_is_a_sentence_beside_its_field(
    ada: TestClient, services: Services, case: tuple[str, dict[str, str], str, str]
) -> None:
    setup, fields, field, message = case
    services.manager_known = setup != "no_manager"
    services.links_key = setup != "no_key"
    if setup == "answered":
        services.assessments["p-ada", "manager", "baseline"] = {"speaking": 3, "python": 3}
    if fields.get("peers") == "5":
        ask(ada, peers="1")

    answer = ask(ada, **fields)

    assert answer.status_code == 422
    if field:
        assert message in text_of(answer.text.split(f'id="raters-{field}-error">')[1][:300])
    else:
        assert message in text_of(section(answer.text, "raters-summary"))


def test_an_address_feedback_refuses_is_named_beside_the_right_field(
    ada: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.domain.skills.EMAIL", re.compile(r".+@.+"))
    answer = ask(ada, peer_email_2="x@y")  # the portal's check let it through: feedback did not
    assert answer.status_code == 422
    assert "refused this address" in answer.text.split('id="raters-peer_email_2-error">')[1][:200]


def test_in_french_the_page_and_its_mistakes_are_in_french(
    signed_in: SignIn,
) -> None:
    ada_fr = signed_in(ADA, "fr")
    html = ada_fr.get("/programs/a/skills").text
    assert "<h1>Mes compétences</h1>" in html
    answer = rate(ada_fr, "/programs/a/skills/self/baseline", speaking="2")
    assert "Choisissez un niveau de 1\u00a0à\u00a05." in answer.text
    refused = ask(ada_fr)
    assert "Demandez à votre manager" in refused.text


def test_a_forms_address_opened_leads_back_to_its_page(ada: TestClient, max_: TestClient) -> None:
    # The language switch sends people back to the address the form's answer was shown at.
    for path in ("/programs/a/skills/raters", "/programs/a/skills/self/end"):
        answer = ada.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/programs/a/skills"
    back = max_.get("/pairs/pair-1/skills/mentor/end", follow_redirects=False)
    assert back.headers["location"] == "/pairs/pair-1/skills"


def test_forms_need_the_csrf_token(ada: TestClient, services: Services) -> None:
    answer = ada.post(
        "/programs/a/skills/self/baseline",
        data={"level.speaking": "1", "level.python": "1"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert not services.assessments


# ---------------------------------------------------------------------- the mentor
def test_the_mentor_rates_his_mentee_and_reads_the_calibration(
    max_: TestClient, services: Services
) -> None:
    html = max_.get("/pairs/pair-1/skills").text
    assert "Ada Lovelace" in html
    assert 'action="/pairs/pair-1/skills/mentor/midpoint#mentor-midpoint"' in html
    assert 'action="/pairs/pair-1/skills/mentor/end#mentor-end"' in html

    answer = rate(max_, "/pairs/pair-1/skills/mentor/midpoint", speaking="3", python="2")
    assert answer.status_code == 303
    assert services.assessments["p-ada", "mentor", "midpoint"] == {"speaking": 3, "python": 2}
    after = max_.get("/pairs/pair-1/skills").text
    assert "Your ratings halfway are saved." in after
    assert checked(section(after, "mentor-midpoint")) == {"speaking": "3", "python": "2"}
    assert "Public speaking — not given 3 — not given" in text_of(
        section(after, "calibration-midpoint")
    )

    from_pair = rate(max_, "/pairs/pair-1/skills/mentor/end", speaking="4", python="4")
    assert from_pair.headers["location"] == "/pairs/pair-1/skills#mentor-end"
    back = max_.post(
        "/pairs/pair-1/skills/mentor/end",
        data={"csrf_token": CSRF, "back": "pair", "level.speaking": "5", "level.python": "4"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/pairs/pair-1#mentor-end"  # sent from the pair page
    assert services.assessments["p-ada", "mentor", "end"] == {"speaking": 5, "python": 4}

    missing = rate(max_, "/pairs/pair-1/skills/mentor/end", python="4")
    assert missing.status_code == 422
    assert checked(section(missing.text, "mentor-end")) == {"python": "4"}
    assert 'id="mentor-end-speaking-error"' in missing.text


def test_the_mentee_cannot_use_the_mentors_page(ada: TestClient, services: Services) -> None:
    assert ada.get("/pairs/pair-1/skills").status_code == 403
    assert rate(ada, "/pairs/pair-1/skills/mentor/end", speaking="1").status_code == 403
    assert not services.assessments


# ---------------------------------------------------------------------- the rules
def test_levels_are_read_per_skill_and_the_missing_named() -> None:
    levels, chosen, problems = read_levels(
        {"level.a": "3", "level.b": "9", "level.c": " 5 "}, ["a", "b", "c", "d"]
    )
    assert levels == {"a": 3, "c": 5}
    assert chosen == {"a": "3", "c": "5"}
    assert set(problems) == {"b", "d"}


def test_the_360_form_is_checked_with_feedbacks_bounds() -> None:
    def problems(**form: str) -> dict[str, str]:
        return raters_problems(RatersDraft.of({"moment": "end"} | form))

    assert problems(manager="yes") == {}
    assert set(problems()) == {""}
    assert set(problems(peers="6")) == {"peers"}
    assert set(
        problems(peers="3", peer_email_1="a@b.co", peer_email_2="c@d.co", peer_email_3="e@f.co")
    ) == {"peers"}
    assert set(problems(peer_email_2="a@localhost")) == {"peer_email_2"}
    assert set(raters_problems(RatersDraft.of({"moment": "midpoint", "manager": "yes"}))) == {
        "moment"
    }
    assert RatersDraft.of({"moment": "end", "peer_email_2": " a@b.co "}).request() == {
        "moment": "end",
        "manager": False,
        "peers": 0,
        "invite_peers": [{"email": "a@b.co"}],
    }


def test_360_input_is_offered_for_the_start_until_halfway_then_for_the_end() -> None:
    starts, ends = date(2027, 1, 1), date(2027, 6, 30)
    assert suggested_moment(starts, ends, date(2026, 12, 20)) == "baseline"
    assert suggested_moment(starts, ends, date(2027, 3, 31)) == "baseline"
    assert suggested_moment(starts, ends, date(2027, 4, 1)) == "end"
    assert suggested_moment(starts, ends, date(2027, 8, 1)) == "end"


def test_a_problem_path_names_the_address_it_was_sent_from() -> None:
    assert peer_field("body.invite_peers.1.email", [1, 3]) == "peer_email_3"
    assert peer_field("body.peers", [1]) == "peers"
    assert peer_field("body", []) is None


def test_chosen_skills_come_from_the_skills_wanted_question_and_calibration_orders_moments() -> (
    None
):
    questionnaire = Questionnaire.model_validate(QUESTIONNAIRE)
    assert chosen_skills(questionnaire, {"grow": ["python"]}) == ["python"]
    assert chosen_skills(questionnaire, {}) == []
    calibration = Calibration.model_validate(
        {
            "participant_id": "p",
            "moments": {
                "end": [
                    {
                        "skill": "x",
                        "self": 4,
                        "mentor": None,
                        "manager": None,
                        "peers_average": None,
                        "peers_answered": 0,
                    }
                ],
                "baseline": [
                    {
                        "skill": "x",
                        "self": 2,
                        "mentor": None,
                        "manager": None,
                        "peers_average": None,
                        "peers_answered": 0,
                    }
                ],
            },
        }
    )
    assert [moment for moment, _ in calibration.ordered()] == ["baseline", "end"]
    assert calibration.given("self", "end") == {"x": "4"}
    assert calibration.skills == ["x"]


# ---------------------------------------------------------------------- the requests she sent
def test_the_requests_she_sent_are_listed_with_their_state_peers_only_counted(
    ada: TestClient, services: Services
) -> None:
    assert "You have not asked anyone yet." in section(ada.get("/programs/a/skills").text, "sent")
    ask(ada, manager="yes", peer_email_1="bo@example.com", peers="2")
    services.assessments["p-ada", "peer-1", "baseline"] = {"speaking": 3, "python": 3}

    html = ada.get("/programs/a/skills").text
    table = section(html, "sent-baseline")
    rows = [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)][1:]
    assert rows == [
        "Your manager E-mail from the directory December 1, 2026 March 1, 2027 Not answered yet",
        "A peer E-mail to bo@example.com December 1, 2026 March 1, 2027 Sent",
        "A peer A link you forward December 1, 2026 March 1, 2027 Sent",
        "A peer A link you forward December 1, 2026 March 1, 2027 Sent",
    ]
    assert "1 peer answered." in text_of(section(html, "sent"))
    assert 'id="sent-end"' not in html  # nobody asked for the end

    services.assessments["p-ada", "manager", "baseline"] = {"speaking": 3, "python": 3}
    answered = section(ada.get("/programs/a/skills").text, "sent-baseline")
    assert (
        "Your manager E-mail from the directory December 1, 2026 March 1, 2027 Answered"
        in text_of(answered)
    )


def test_the_requests_she_sent_read_in_french_and_are_left_out_when_feedback_cannot_say(
    signed_in: SignIn, services: Services
) -> None:
    ada_fr = signed_in(ADA, "fr")
    ask(ada_fr, manager="yes")
    french = text_of(section(ada_fr.get("/programs/a/skills").text, "sent"))
    assert "Demandes envoyées" in french
    assert "Votre manager" in french
    assert "Pas encore de réponse" in french
    services.feedback_knows_ada = False
    assert 'id="sent"' not in ada_fr.get("/programs/a/skills").text


# ---------------------------------------------------------------------- a group's mentor
def test_a_groups_mentor_chooses_a_mentee_and_rates_them_by_the_query(
    max_: TestClient, services: Services
) -> None:
    picker = max_.get("/pairs/grp-1/skills")
    assert picker.status_code == 200
    links = re.findall(r'<a href="(/pairs/grp-1/skills\?mentee=[\w-]+)">([^<]+)</a>', picker.text)
    assert links == [
        ("/pairs/grp-1/skills?mentee=p-ada", "Rate Ada Lovelace"),
        ("/pairs/grp-1/skills?mentee=p-bo", "Rate Bo Diddley"),
    ]

    bo = max_.get("/pairs/grp-1/skills?mentee=p-bo").text
    assert "Bo Diddley" in bo
    action = "/pairs/grp-1/skills/mentor/midpoint?mentee=p-bo#mentor-midpoint"
    assert f'action="{action}"' in bo
    answer = rate(max_, action.removesuffix("#mentor-midpoint"), python="4")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/pairs/grp-1/skills?mentee=p-bo#mentor-midpoint"
    assert services.assessments["p-bo", "mentor", "midpoint"] == {"python": 4}
    assert services.params[-1] == {"mentee": "p-bo"}
    assert "p-ada" not in {who for who, _, _ in services.assessments}

    missing = rate(max_, "/pairs/grp-1/skills/mentor/end?mentee=p-ada", python="4")
    assert missing.status_code == 422
    assert 'action="/pairs/grp-1/skills/mentor/end?mentee=p-ada#mentor-end"' in missing.text
    # A mentee from elsewhere, a malformed one, or none on a form: not found.
    assert max_.get("/pairs/grp-1/skills?mentee=p-zoe").status_code == 404
    assert max_.get("/pairs/grp-1/skills?mentee=no%20id").status_code == 404
    assert rate(max_, "/pairs/grp-1/skills/mentor/end", python="4").status_code == 404
    back = max_.get("/pairs/grp-1/skills/mentor/end?mentee=p-bo", follow_redirects=False)
    assert back.headers["location"] == "/pairs/grp-1/skills?mentee=p-bo"
    # A pair's own forms keep their addresses: its mentee is the only one.
    assert (
        'action="/pairs/pair-1/skills/mentor/end#mentor-end"'
        in max_.get("/pairs/pair-1/skills").text
    )
    assert (
        rate(max_, "/pairs/pair-1/skills/mentor/end", speaking="1", python="1").status_code == 303
    )
    assert services.params[-1] == {"mentee": "p-ada"}
