"""The questionnaire editor: pool, written questions of every kind, edit, remove, versions."""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_kit.errors import InvalidInputError, NotFoundError, RuleError
from portal.adapters.console import ProgramAdminApi
from portal.domain.console import (
    MEANING_FEEDS,
    MEANINGS,
    SettingsInvalid,
    new_question,
    question_field,
    question_form,
)
from portal.usecases.console import SettingsRefused
from portal.usecases.questionnaire_editor import QuestionnaireEditor

from .test_console import CALLER, program

ROLE = {
    "key": "role",
    "prompt": "Role?",
    "kind": "single_choice",
    "required": True,
    "meaning": "role",
    "choices": [{"key": "mentor", "label": "Mentor"}, {"key": "mentee", "label": "Mentee"}],
}
TRACK = {
    "key": "track",
    "prompt": "Track?",
    "kind": "single_choice",
    "choices": [{"key": "people", "label": "People"}, {"key": "tech", "label": "Tech"}],
    "show_if": {"question": "role", "any_of": ["mentee"]},
}


def current(version: int, *questions: dict[str, Any]) -> dict[str, Any]:
    return {
        "program_id": "a",
        "version": version,
        "created_at": f"2026-12-0{version}T10:00:00+00:00",
        "questions": list(questions),
    }


class FakeClient:
    """Answers API calls from a table keyed by method, path and the version asked."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, str, Any]] = []

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == CALLER.token
        self.sent.append((method, path, kwargs.get("json")))
        version = (kwargs.get("params") or {}).get("version")
        answer = self.answers.get((method, f"{path}?version={version}")) if version else None
        answer = answer if answer is not None else self.answers[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer


def editor_with(client: FakeClient) -> QuestionnaireEditor:
    return QuestionnaireEditor(ProgramAdminApi(client))  # type: ignore[arg-type]


def test_every_kind_takes_its_own_settings() -> None:
    scale = new_question(
        {"prompt": "How sure?", "kind": "scale", "minimum": "0", "maximum": "10"}, []
    )
    assert (scale["minimum"], scale["maximum"], scale["integer"]) == (0, 10, True)
    assert new_question({"prompt": "Sure?", "kind": "scale"}, [])["maximum"] == 5
    number = new_question(
        {"prompt": "Years?", "kind": "number", "minimum": "0", "maximum": "40.5", "integer": ""},
        [],
    )
    assert (number["minimum"], number["maximum"], number["integer"]) == (0, 40.5, False)
    several = new_question(
        {
            "prompt": "Skills?",
            "kind": "multiple_choice",
            "choices": "a\nb\nc",
            "max_selections": "2",
        },
        [],
    )
    assert several["max_selections"] == 2
    text = new_question({"prompt": "Why?", "kind": "free_text", "max_length": "300"}, [])
    assert text["max_length"] == 300
    assert "choices" not in text
    keyed = new_question(
        {"prompt": "Lang?", "kind": "single_choice", "choices": "en = English\nfr = French"}, []
    )
    assert keyed["choices"] == [{"key": "en", "label": "English"}, {"key": "fr", "label": "French"}]
    with pytest.raises(SettingsInvalid) as invalid:
        new_question({"prompt": "N?", "kind": "number", "minimum": "few"}, [])
    assert invalid.value.problems == {"minimum": "Enter a number."}


def test_an_edited_question_shows_in_the_form_as_it_is_saved() -> None:
    values, shown_if = question_form(TRACK | {"required": True, "help": "Pick one"})
    assert values["choices"] == "people = People\ntech = Tech"
    assert (values["required"], values["help"], values["kind"]) == (
        "yes",
        "Pick one",
        "single_choice",
    )
    assert shown_if == ["role:mentee"]
    assert new_question(values, shown_if) == TRACK | {"required": True, "help": "Pick one"}


def test_every_meaning_says_what_it_feeds_in_matching() -> None:
    assert set(MEANING_FEEDS) == set(MEANINGS)
    assert MEANING_FEEDS["skills_wanted"] == MEANING_FEEDS["skills_offered"] == "skills"
    assert MEANING_FEEDS["languages"] == "language_rule"


async def test_adding_a_question_saves_the_next_version_from_the_one_read() -> None:
    client = FakeClient(
        {
            ("GET", "/v1/programs/a/questionnaire"): current(1, ROLE),
            ("PUT", "/v1/programs/a/questionnaire"): current(2, ROLE),
        }
    )
    version = await editor_with(client).add_question(
        CALLER, "a", {"prompt": "Why?", "kind": "free_text"}, [], version=1
    )
    assert version == 2
    sent = client.sent[-1][2]
    assert sent["version"] == 1
    assert [q["key"] for q in sent["questions"]] == ["role", "why"]

    client.answers[("PUT", "/v1/programs/a/questionnaire")] = InvalidInputError(
        [("body.questions.1.meaning", "at most one question per meaning")]
    )
    with pytest.raises(SettingsRefused) as refused:
        await editor_with(client).add_question(
            CALLER, "a", {"prompt": "Why?", "kind": "free_text", "meaning": "interests"}, []
        )
    assert refused.value.by_field == {"meaning": "at most one question per meaning"}


async def test_a_question_is_edited_in_place_and_removed_from_the_version_read() -> None:
    client = FakeClient(
        {
            ("GET", "/v1/programs/a/questionnaire"): current(3, ROLE, TRACK),
            ("PUT", "/v1/programs/a/questionnaire"): current(4, ROLE, TRACK),
        }
    )
    editor = editor_with(client)
    values, shown_if = question_form(TRACK)
    await editor.edit_question(
        CALLER, "a", "track", values | {"prompt": "Which track?"}, shown_if, version=3
    )
    sent = client.sent[-1][2]
    assert sent["version"] == 3
    assert [q["key"] for q in sent["questions"]] == ["role", "track"]
    assert sent["questions"][1]["prompt"] == "Which track?"
    assert sent["questions"][1]["show_if"] == TRACK["show_if"]

    await editor.remove_question(CALLER, "a", "track", version=2)
    sent = client.sent[-1][2]
    assert sent["version"] == 2  # the version the page showed: registration says 409
    assert [q["key"] for q in sent["questions"]] == ["role"]
    with pytest.raises(NotFoundError):
        await editor.remove_question(CALLER, "a", "nothing")
    client.answers[("PUT", "/v1/programs/a/questionnaire")] = RuleError(
        "questionnaire_changed", "the current version is 4"
    )
    with pytest.raises(RuleError):
        await editor.edit_question(CALLER, "a", "track", values, shown_if, version=2)


async def test_the_pool_offers_only_questions_not_asked_and_adds_them_by_key() -> None:
    client = FakeClient(
        {
            ("GET", "/v1/programs/a"): program("a"),
            ("GET", "/v1/programs/a/questionnaire"): current(1, ROLE),
            ("GET", "/v1/question-pool"): [
                {"source": "standard", "question": ROLE},
                {"source": "custom", "question": TRACK},
            ],
            ("POST", "/v1/programs/a/questionnaire/questions"): current(2, ROLE, TRACK),
        }
    )
    page = await editor_with(client).page(CALLER, "a")
    assert [item["question"]["key"] for item in page.pool] == ["track"]
    assert await editor_with(client).add_from_pool(CALLER, "a", ["track"]) == 2
    assert client.sent[-1][2] == {"keys": ["track"]}
    with pytest.raises(SettingsRefused):
        await editor_with(client).add_from_pool(CALLER, "a", [])
    client.answers[("POST", "/v1/programs/a/questionnaire/questions")] = InvalidInputError(
        [("keys[0]", "'role' is already asked"), ("keys[1]", "'x' is not in the question pool")]
    )
    with pytest.raises(SettingsRefused) as refused:
        await editor_with(client).add_from_pool(CALLER, "a", ["role", "x"])
    assert refused.value.problems == (
        ("pool", "'role' is already asked"),
        ("pool", "'x' is not in the question pool"),
    )


async def test_a_version_comes_with_the_one_before_and_what_changed() -> None:
    listed = {
        "program_id": "a",
        "current_version": 2,
        "versions": [
            {
                "version": 2,
                "created_at": "2026-12-02T10:00:00Z",
                "questions": 2,
                "added": ["track"],
                "removed": [],
                "changed": [],
                "moved": False,
            },
            {
                "version": 1,
                "created_at": "2026-12-01T10:00:00Z",
                "questions": 1,
                "added": ["role"],
                "removed": [],
                "changed": [],
                "moved": False,
            },
        ],
    }
    client = FakeClient(
        {
            ("GET", "/v1/programs/a"): program("a"),
            ("GET", "/v1/programs/a/questionnaire"): current(2, ROLE, TRACK),
            ("GET", "/v1/programs/a/questionnaire?version=1"): current(1, ROLE),
            ("GET", "/v1/programs/a/questionnaire/versions"): listed,
        }
    )
    page = await editor_with(client).version(CALLER, "a", None)
    assert page.version["version"] == 2
    assert page.before is not None
    assert page.before["version"] == 1
    assert page.summary is not None
    assert page.summary["added"] == ["track"]
    assert [q.key for q in page.form.questions] == ["role", "track"]
    first = await editor_with(client).version(CALLER, "a", 1)
    assert first.before is None


def test_the_api_problems_land_beside_the_editor_fields() -> None:
    assert question_field("body.questions.4.minimum") == "minimum"
    assert question_field("body.questions.4.max_selections") == "max_selections"
    assert question_field("body.questions.4.show_if.any_of") == "show_if"
    assert question_field("body.questions.4") == ""
