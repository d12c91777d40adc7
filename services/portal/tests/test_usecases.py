"""The use cases over fake service APIs: what the pages get, how refusals come back."""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.adapters.api import ServiceUnavailable, SignInRequired
from portal.adapters.services import ExportApi, FeedbackApi, RegistrationApi, SchedulingApi
from portal.usecases.participant import Caller, ParticipantPortal, RegistrationRefused

CALLER = Caller(subject="e-1", name="Ada", email="ada@example.com", token="t")
QUESTIONNAIRE = {
    "version": 2,
    "questions": [
        {
            "key": "role",
            "prompt": "Role?",
            "kind": "single_choice",
            "required": True,
            "choices": [{"key": "mentor", "label": "Mentor"}, {"key": "mentee", "label": "Mentee"}],
        },
        {
            "key": "capacity",
            "prompt": "How many?",
            "kind": "number",
            "integer": True,
            "show_if": {"question": "role", "any_of": ["mentor"]},
        },
    ],
}


class FakeClient:
    """Answers API calls from a table; records what was sent."""

    def __init__(self, name: str, answers: dict[tuple[str, str], Any]) -> None:
        self.name = name
        self.answers = answers
        self.sent: list[tuple[str, str, Any]] = []

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == CALLER.token
        self.sent.append((method, path, kwargs.get("json")))
        answer = self.answers[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer


def portal_with(
    registration: FakeClient, others: list[FakeClient] | None = None
) -> ParticipantPortal:
    empty = FakeClient("scheduling", {})
    return ParticipantPortal(
        RegistrationApi(registration),  # type: ignore[arg-type]
        SchedulingApi(empty),  # type: ignore[arg-type]
        FeedbackApi(empty),  # type: ignore[arg-type]
        ExportApi(others or []),  # type: ignore[arg-type]
    )


async def test_registering_sends_the_answers_the_questionnaire_reads() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
            ("POST", "/v1/programs/p-1/registrations"): {
                "participant_id": "pa-1",
                "program_id": "p-1",
                "employee_id": "e-1",
                "name": "Ada",
                "email": "ada@example.com",
                "status": "registered",
                "role": "mentee",
                "registered_at": "2026-12-01T10:00:00Z",
            },
        },
    )
    form = {"answers.role": ["mentee"], "answers.capacity": ["4"], "preferred_mentors": ["m-2", ""]}
    await portal_with(registration).register(CALLER, "p-1", form, {"name": " ", "email": ""})
    _, _, body = registration.sent[-1]
    assert body == {
        "name": "Ada",
        "email": "ada@example.com",
        "answers": {"role": "mentee"},
        "preferred_mentors": ["m-2"],
    }


async def test_the_services_refusals_come_back_by_field() -> None:
    refusal = InvalidInputError(
        [("body.answers.capacity", "must be at most 5"), ("body.email", "not an e-mail")]
    )
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
            ("POST", "/v1/programs/p-1/registrations"): refusal,
        },
    )
    with pytest.raises(RegistrationRefused) as refused:
        await portal_with(registration).register(
            CALLER, "p-1", {"answers.role": ["mentor"], "answers.capacity": ["9"]}, {}
        )
    assert refused.value.by_field == {"capacity": "must be at most 5", "email": "not an e-mail"}


async def test_unreadable_numbers_are_refused_before_any_call() -> None:
    registration = FakeClient(
        "registration", {("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE}
    )
    with pytest.raises(RegistrationRefused) as refused:
        await portal_with(registration).register(
            CALLER, "p-1", {"answers.role": ["mentor"], "answers.capacity": ["two"]}, {}
        )
    assert refused.value.by_field == {"capacity": "number"}
    assert [sent[0] for sent in registration.sent] == ["GET"]


async def test_the_export_bundles_what_each_service_answers_and_names_the_others() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/me/export"): {"registrations": []},
        },
    )
    matching = FakeClient("matching", {("GET", "/v1/me/export"): {"pairs": [{"pair_id": "x"}]}})
    feedback = FakeClient("feedback", {("GET", "/v1/me/export"): ServiceUnavailable("f", "down")})
    analytics = FakeClient("analytics", {("GET", "/v1/me/export"): RuleError("x", "no")})
    portal = portal_with(registration, [registration, matching, feedback, analytics])
    bundle = await portal.export(CALLER)
    assert bundle.services == {
        "registration": {"registrations": []},
        "matching": {"pairs": [{"pair_id": "x"}]},
    }
    assert bundle.unavailable == {"feedback": "unavailable", "analytics": "unavailable"}


async def test_an_expired_sign_in_is_not_hidden_in_the_export() -> None:
    expired = FakeClient("registration", {("GET", "/v1/me/export"): SignInRequired("expired")})
    with pytest.raises(SignInRequired):
        await portal_with(expired, [expired]).export(CALLER)
