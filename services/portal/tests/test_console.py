"""The console's rules and use cases over fake service APIs.

Which programs a person sees is the services' answer (a 403 on the launch checklist hides a
program); the wizard's form becomes the API's program; the API's refusals come back by form
field; the registrations table filters and exports; the proposal's bars compare pairs.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from mentorship_kit.errors import ForbiddenError, InvalidInputError
from portal.adapters.console import MatchingAdminApi, ProgramAdminApi, ReportsApi
from portal.domain.console import (
    ProposedPair,
    RegistrationFilter,
    RegistrationRow,
    SettingsInvalid,
    agenda_items,
    criterion_maxima,
    default_settings,
    departments,
    new_question,
    program_request,
    registrations_csv,
    score_bars,
    sort_pairs,
)
from portal.usecases.console import ProgramConsole, SettingsRefused
from portal.usecases.participant import Caller

CALLER = Caller(subject="e-pm", name="Priya", email="p@example.com", token="t")
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def program(program_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "program_id": program_id,
        "name": f"Program {program_id}",
        "goal": "career_development",
        "goal_detail": "",
        "key_result": {"description": "6 sessions", "metric": "m", "target": 0.8},
        "format": "one_on_one",
        "starts_on": "2027-01-01",
        "ends_on": "2027-06-30",
        "cadence": "biweekly",
        "time_zone": "UTC",
        "registration_opens_at": "2026-12-01T00:00:00Z",
        "registration_closes_at": "2026-12-20T23:59:59Z",
        "matching_mode": "admin_led",
        "auto_approve_matches": False,
        "lifecycle": "draft",
        "registration_status": "open",
    } | changes


def launch(program_id: str, left: int) -> dict[str, Any]:
    steps = [
        {"step": f"s{i}", "title": f"Step {i}", "done": i >= left, "missing": []} for i in range(9)
    ]
    return {"program_id": program_id, "lifecycle": "draft", "steps": steps, "steps_left": left}


def row(employee_id: str, **changes: Any) -> RegistrationRow:
    return RegistrationRow.model_validate(
        {
            "participant_id": f"p-{employee_id}",
            "employee_id": employee_id,
            "name": f"Name {employee_id}",
            "email": f"{employee_id}@example.com",
            "department": "Sales",
            "status": "active",
            "role": "mentee",
            "registered_at": "2026-12-01T10:00:00Z",
        }
        | changes
    )


class FakeClient:
    """Answers API calls from a table; records what was sent."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, str, Any]] = []

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == CALLER.token
        self.sent.append((method, path, kwargs.get("json") or kwargs.get("content")))
        answer = self.answers[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer


def console_with(registration: FakeClient) -> ProgramConsole:
    other = FakeClient({})
    return ProgramConsole(
        ProgramAdminApi(registration),  # type: ignore[arg-type]
        MatchingAdminApi(other),  # type: ignore[arg-type]
        ReportsApi(other),  # type: ignore[arg-type]
    )


async def test_the_console_lists_only_the_programs_the_services_let_the_caller_manage() -> None:
    registration = FakeClient(
        {
            ("GET", "/v1/programs"): {"programs": [program("a"), program("b")]},
            ("GET", "/v1/programs/a/launch"): launch("a", 3),
            ("GET", "/v1/programs/b/launch"): ForbiddenError("not one of your programs"),
        }
    )
    cards = await console_with(registration).programs(CALLER)
    assert [card.program.program_id for card in cards] == ["a"]
    assert cards[0].launch.steps_left == 3
    assert cards[0].launch.next_step is not None
    assert cards[0].launch.next_step.step == "s0"


async def test_creating_a_program_sends_a_draft_and_names_refusals_by_form_field() -> None:
    values = default_settings(NOW.date()) | {"name": "Leaders"}
    registration = FakeClient({("POST", "/v1/programs"): program("new", name="Leaders")})
    created = await console_with(registration).create(CALLER, values)
    assert created.program_id == "new"
    sent = registration.sent[0][2]
    assert sent["lifecycle"] == "draft"
    assert sent["auto_approve_matches"] is False
    assert sent["name"] == "Leaders"
    assert sent["key_result"]["target"] == pytest.approx(0.8)

    refusing = FakeClient(
        {
            ("POST", "/v1/programs"): InvalidInputError(
                [("body.name", "too short"), ("body.registration_closes_at", "too late")]
            )
        }
    )
    with pytest.raises(SettingsRefused) as refused:
        await console_with(refusing).create(CALLER, values)
    assert refused.value.by_field == {"name": "too short", "registration_closes_on": "too late"}


async def test_saving_the_settings_sends_only_what_changed() -> None:
    registration = FakeClient(
        {
            ("GET", "/v1/programs/a"): program("a"),
            ("PATCH", "/v1/programs/a"): program("a", goal_detail="Grow"),
        }
    )
    from portal.domain.console import ManagedProgram, settings_of

    values = settings_of(ManagedProgram.model_validate(program("a"))) | {"goal_detail": "Grow"}
    await console_with(registration).revise(CALLER, "a", values)
    assert registration.sent[-1] == ("PATCH", "/v1/programs/a", {"goal_detail": "Grow"})


def test_the_wizard_reads_dates_and_the_target_and_names_what_it_cannot_read() -> None:
    values = default_settings(date(2026, 12, 3)) | {"name": "X", "key_result_target": "75%"}
    request = program_request(values, NOW)
    assert request["registration_opens_at"] == "2026-12-03T14:00:00+00:00"  # today: now
    assert request["registration_closes_at"] == "2026-12-24T23:59:59+00:00"
    assert request["key_result"]["target"] == pytest.approx(0.75)
    with pytest.raises(SettingsInvalid) as invalid:
        program_request(values | {"starts_on": "soon", "key_result_target": "most"}, NOW)
    assert set(invalid.value.problems) == {"starts_on", "key_result_target"}


def test_the_agenda_is_one_session_per_line() -> None:
    assert agenda_items("Goals\n\n  Visibility \n") == [
        {"title": "Goals", "session": 1},
        {"title": "Visibility", "session": 2},
    ]


def test_the_registrations_table_filters_by_text_role_department_and_status() -> None:
    rows = [
        row("e1", name="Ada Lovelace", role="mentor", department="Engineering"),
        row("e2", name="Grace Hopper", role="mentee", department="Engineering"),
        row("e3", name="Alan Turing", role="mentor", department="Data", status="withdrawn"),
    ]
    assert [r.employee_id for r in rows if RegistrationFilter(search="LOVE").keeps(r)] == ["e1"]
    assert [r.employee_id for r in rows if RegistrationFilter(search="e3@").keeps(r)] == ["e3"]
    both = RegistrationFilter(role="mentor", department="Engineering")
    assert [r.employee_id for r in rows if both.keeps(r)] == ["e1"]
    assert [r.employee_id for r in rows if RegistrationFilter(status="withdrawn").keeps(r)] == [
        "e3"
    ]
    assert not RegistrationFilter().active
    assert departments(rows) == ["Data", "Engineering"]


def test_the_csv_export_has_a_row_per_registration_and_no_formula() -> None:
    text = registrations_csv([row("e1", name="=HYPERLINK()", department=None)])
    exported = list(csv.DictReader(io.StringIO(text)))
    assert exported == [
        {
            "employee_id": "e1",
            "name": "'=HYPERLINK()",
            "email": "e1@example.com",
            "department": "",
            "role": "mentee",
            "capacity": "0",
            "status": "active",
            "registered_at": "2026-12-01T10:00:00+00:00",
        }
    ]


def test_each_bar_compares_a_criterion_with_the_best_pair_on_it() -> None:
    pairs = [
        ProposedPair(
            mentor_participant_id="m1",
            mentee_participant_id="e1",
            score=3.0,
            contributions={"skills": 2.0, "goals": 1.0, "languages": 0.0},
        ),
        ProposedPair(
            mentor_participant_id="m2",
            mentee_participant_id="e2",
            score=1.5,
            contributions={"skills": 1.0, "goals": 0.5},
        ),
    ]
    maxima = criterion_maxima(pairs)
    assert list(maxima.items()) == [("skills", 2.0), ("goals", 1.0), ("languages", 1.0)]
    bars = score_bars(pairs[1].contributions, maxima)
    assert [(b.criterion, b.value, b.maximum) for b in bars] == [
        ("skills", 1.0, 2.0),
        ("goals", 0.5, 1.0),
        ("languages", 0.0, 1.0),
    ]
    names = {"e1": "Zoe", "e2": "Adam", "m1": "Bea", "m2": "Carl"}
    assert [p.mentee_participant_id for p in sort_pairs(pairs, "-score", names)] == ["e1", "e2"]
    assert [p.mentee_participant_id for p in sort_pairs(pairs, "score", names)] == ["e2", "e1"]
    assert [p.mentee_participant_id for p in sort_pairs(pairs, "mentee", names)] == ["e2", "e1"]


def test_a_new_question_can_branch_on_an_earlier_choice() -> None:
    question = new_question(
        {
            "prompt": "Which leadership track?",
            "kind": "single_choice",
            "choices": "People leadership\nTechnical leadership\n",
            "required": "yes",
        },
        ["role:mentee", "role:both"],
    )
    assert question == {
        "key": "which_leadership_track",
        "prompt": "Which leadership track?",
        "help": "",
        "kind": "single_choice",
        "required": True,
        "choices": [
            {"key": "people_leadership", "label": "People leadership"},
            {"key": "technical_leadership", "label": "Technical leadership"},
        ],
        "show_if": {"question": "role", "any_of": ["mentee", "both"]},
    }
    with pytest.raises(SettingsInvalid) as invalid:
        new_question({"prompt": "", "kind": "single_choice", "choices": "One"}, ["a:x", "b:y"])
    assert set(invalid.value.problems) == {"prompt", "choices", "show_if"}


async def test_matching_settings_go_back_as_the_programs_matching_with_other_rules_kept() -> None:
    from portal.domain.console import matching_form

    current = {
        "weights": {"skills": 3.0, "goals": 2.0},
        "rules": {"reporting_line_depth": 2, "pick_bonus": 1.5, "max_time_zone_gap_hours": 6.0},
    }
    values = matching_form(current)
    assert values["weight_skills"] == "3"
    assert values["weight_interests"] == "0"
    assert values["max_time_zone_gap_hours"] == "6"
    assert values["min_cross_department_share"] == ""
    values |= {
        "weight_skills": "5",
        "min_cross_department_share": "30",
        "in_person_required": "yes",
    }
    registration = FakeClient(
        {
            ("GET", "/v1/programs/a"): program("a", matching=current),
            ("PATCH", "/v1/programs/a"): program("a"),
        }
    )
    await console_with(registration).save_matching_settings(CALLER, "a", values)
    sent = registration.sent[-1][2]["matching"]
    assert sent["weights"]["skills"] == 5.0
    assert sent["rules"]["pick_bonus"] == 1.5  # not on the form: kept
    assert sent["rules"]["min_cross_department_share"] == pytest.approx(0.3)
    assert sent["rules"]["in_person_required"] is True
    assert sent["rules"]["max_pairs_per_department"] is None

    registration.answers[("PATCH", "/v1/programs/a")] = InvalidInputError(
        [("body.matching.weights.goals", "must be at most 100")]
    )
    with pytest.raises(SettingsRefused) as refused:
        await console_with(registration).save_matching_settings(
            CALLER, "a", values | {"weight_goals": "500"}
        )
    assert refused.value.by_field == {"weight_goals": "must be at most 100"}
    with pytest.raises(SettingsRefused) as unreadable:
        await console_with(registration).save_matching_settings(
            CALLER, "a", values | {"weight_goals": "lots"}
        )
    assert unreadable.value.by_field == {"weight_goals": "Enter a number."}
