"""The services' refusals in the reader's language: each problem in the portal's words, naming
its field as the form does, several problems as several items (never one line joined by ";")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.domain.console import ManagedProgram, settings_of
from portal.domain.refusals import (
    INVITATION_LABELS,
    FormRefused,
    explain,
    path_field,
)
from portal.entrypoints.http.i18n import Translator, load_translations
from portal.entrypoints.http.refusals import problem_lines, refusal_lines, refusal_text

from .pages import SignIn, fake_services, portal_app, signing_in
from .test_console import program
from .test_console_operations import ANSWERS

NBSP = "\u00a0"
TWO_PROBLEMS = InvalidInputError(
    [
        ("body.remind_after_days", "Input should be less than or equal to 30"),
        ("body.max_reminders", "Input should be greater than or equal to 0"),
    ]
)


@pytest.fixture(scope="module")
def french() -> Translator:
    return Translator("fr", load_translations()["fr"])


@pytest.fixture(scope="module")
def english() -> Translator:
    return Translator("en", load_translations()["en"])


# ---------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "message", "variables"),
    [
        ("Field required", "Fill this in.", {}),
        ("String should have at least 1 character", "Fill this in.", {}),
        (
            "String should have at least 3 characters",
            "Use at least %(limit)s characters.",
            {"limit": "3"},
        ),
        ("String should have at most 1 character", "Use at most one character.", {}),
        (
            "String should have at most 200 characters",
            "Use at most %(limit)s characters.",
            {"limit": "200"},
        ),
        ("Input should be greater than or equal to 1", "Give %(limit)s or more.", {"limit": "1"}),
        ("Input should be a valid integer, unable to parse string", "Give a whole number.", {}),
        (
            "Input should be 'weekly', 'biweekly' or 'monthly'",
            "Choose one of the options shown.",
            {},
        ),
        ("Value error, Field required", "Fill this in.", {}),
        ("no such employee", "no such employee", {}),
    ],
)
def test_the_services_texts_the_portal_knows_become_its_own_messages(
    text: str, message: str, variables: dict[str, str]
) -> None:
    assert explain(text) == (message, variables)


@pytest.mark.parametrize(
    "refused",
    [RuleError("some_rule", ""), InvalidInputError([("body.name", "")]), FormRefused({"name": ""})],
)
def test_a_refusal_that_gives_no_reason_still_says_it_was_refused(
    refused: Exception, english: Translator, french: Translator
) -> None:
    assert refusal_lines(english, refused) == ["The request was refused; nothing was changed."]
    assert refusal_lines(french, refused) == [
        "La demande a été refusée\u202f; rien n\u2019a été modifié."
    ]


def test_a_problems_path_names_the_forms_field() -> None:
    assert path_field("body.title") == "title"
    assert path_field("body.preferred_mentors.1") == "preferred_mentors"
    assert path_field("body") == ""
    assert path_field("") == ""


def test_a_refused_form_keeps_every_problem_and_the_first_of_each_field() -> None:
    refused = FormRefused.of(
        [("body.a", "one"), ("body.a", "two"), ("", "three")], lambda p: p.removeprefix("body.")
    )
    assert refused.problems == (("a", "one"), ("a", "two"), ("", "three"))
    assert refused.by_field == {"a": "one", "": "three"}
    assert ";" not in str(refused)


def test_a_known_refusal_reads_in_french_and_an_unknown_one_as_the_service_wrote_it(
    french: Translator, english: Translator
) -> None:
    assert (
        refusal_text(french, "Input should be less than or equal to 30") == "Indiquez 30 ou moins."
    )
    assert refusal_text(english, "Input should be less than or equal to 30") == "Give 30 or less."
    assert refusal_text(french, "no such employee") == "no such employee"


def test_two_problems_are_two_lines_each_naming_its_field(
    french: Translator, english: Translator
) -> None:
    problems = [(path_field(p), m) for p, m in TWO_PROBLEMS.problems]
    assert problem_lines(english, problems, INVITATION_LABELS) == [
        "Remind after (days): Give 30 or less.",
        "At most this many reminders: Give 0 or more.",
    ]
    assert problem_lines(french, problems, INVITATION_LABELS) == [
        f"Relancer après (jours){NBSP}: Indiquez 30 ou moins.",
        f"Nombre maximal de relances{NBSP}: Indiquez 0 ou plus.",
    ]
    assert problem_lines(french, problems) == ["Indiquez 30 ou moins.", "Indiquez 0 ou plus."]


def test_a_rule_the_portal_knows_is_said_in_its_words_else_as_the_service_said_it(
    french: Translator,
) -> None:
    closed = RuleError("registration_closed", "Registration closed at 2026-12-01T00:00:00+00:00.")
    assert refusal_lines(french, closed) == ["Les inscriptions à ce programme sont closes."]
    other = RuleError("something_new", "Something new happened.")
    assert refusal_lines(french, other) == ["Something new happened."]


# ---------------------------------------------------------------------- pages


@pytest.fixture
def sign_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[SignIn]:
    async def answer(_: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        found = ANSWERS[(method, path)]
        if isinstance(found, Exception):
            raise found
        return found

    fake_services(monkeypatch, answer)
    with signing_in(portal_app()) as as_:
        yield as_


def flash_items(html: str) -> list[str]:
    found = re.search(r'<div class="flash"><ul>(.*?)</ul></div>', html, re.DOTALL)
    assert found, "no list of messages"
    return re.findall(r"<li>(.*?)</li>", found[1])


def invite(client: TestClient) -> str:
    return client.post(
        "/console/programs/a/invitations",
        data={
            "csrf_token": "csrf-token-of-the-test",
            "reminders": "yes",
            "remind_after_days": "300",
            "max_reminders": "2",
        },
    ).text


def test_in_french_two_refused_invitation_settings_are_two_french_items(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ANSWERS, ("POST", "/v1/programs/a/invitations"), TWO_PROBLEMS)
    page = invite(sign_in("manager-token", lang="fr"))
    assert flash_items(page) == [
        f"Relancer après (jours){NBSP}: Indiquez 30 ou moins.",
        f"Nombre maximal de relances{NBSP}: Indiquez 0 ou plus.",
    ]
    assert "Input should be" not in page


def test_in_english_two_refused_invitation_settings_are_two_items(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ANSWERS, ("POST", "/v1/programs/a/invitations"), TWO_PROBLEMS)
    page = invite(sign_in("manager-token"))
    assert flash_items(page) == [
        "Remind after (days): Give 30 or less.",
        "At most this many reminders: Give 0 or more.",
    ]
    assert "; " not in page.split('<div class="flash">', 1)[1].split("</div>", 1)[0]


def test_one_refusal_is_one_message_as_before(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        ANSWERS,
        ("POST", "/v1/programs/a/invitations"),
        InvalidInputError([("body.max_reminders", "no more reminders this week")]),
    )
    page = invite(sign_in("manager-token"))
    assert '<p class="flash">At most this many reminders: no more reminders this week</p>' in page


def test_in_french_the_program_settings_the_service_refuses_are_french_beside_and_above(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        ANSWERS,
        ("PATCH", "/v1/programs/a"),
        InvalidInputError(
            [
                ("body.name", "String should have at most 200 characters"),
                ("body.ends_on", "Field required"),
            ]
        ),
    )
    values = settings_of(ManagedProgram.model_validate(program("a"))) | {"name": "N" * 201}
    response = sign_in("manager-token", lang="fr").post(
        "/console/programs/a/settings", data={"csrf_token": "csrf-token-of-the-test", **values}
    )
    assert response.status_code == 422
    page = response.text
    assert f'id="name-error">Erreur{NBSP}: Écrivez au plus 200{NBSP}caractères.' in page
    assert f'id="ends_on-error">Erreur{NBSP}: Remplissez ce champ.' in page
    summary = page.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#(\w+)">(.*?)</a>', summary) == [
        ("name", f"Nom{NBSP}: Écrivez au plus 200{NBSP}caractères."),
        ("ends_on", f"Fin du programme{NBSP}: Remplissez ce champ."),
    ]
