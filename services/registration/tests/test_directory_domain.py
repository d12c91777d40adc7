"""The directory, access, invitations and launch decisions: pure, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship_contracts.events import DirectoryPersonChanged
from mentorship_contracts.types import DirectorySource, ProgramLifecycle, Seniority
from registration.domain.access import AccessRule, ParticipantAccess, preview
from registration.domain.directory import (
    DirectoryEntry,
    PersonFields,
    managers_above,
    new_entry,
    seniority_of,
    slug,
)
from registration.domain.invitations import Invitation, InvitationStatus
from registration.domain.launch import LaunchFacts, LaunchStep, launch_steps
from registration.domain.programs import LifecycleError, Program
from registration.domain.template import Template, questionnaire_from

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def ids(employee: str) -> str:
    return "p" + hashlib.sha256(employee.encode()).hexdigest()[:12]


def _entry(employee: str, **fields: object) -> DirectoryEntry:
    change = new_entry(employee, ids).provisioned(
        PersonFields(employee_id=employee, **fields),  # type: ignore[arg-type]
        DirectorySource.SCIM,
        NOW,
        ids,
    )
    return change.entry


# ---------------------------------------------------------------- directory entries


def test_names_become_keys_and_levels_are_read_loosely() -> None:
    assert slug("São Paulo") == "sao_paulo"
    assert slug("  ") is None
    assert seniority_of("VP") is Seniority.EXECUTIVE
    assert seniority_of("Director") is Seniority.DIRECTOR
    assert seniority_of("wizard") is None


def test_only_what_matching_reads_is_announced() -> None:
    first = new_entry("e-1", ids).provisioned(
        PersonFields("e-1", name="Ada", department="Sales EMEA", manager_employee_id="e-0"),
        DirectorySource.SCIM,
        NOW,
        ids,
    )
    assert isinstance(first.event, DirectoryPersonChanged)
    assert (first.event.person_id, first.event.manager_person_id) == (ids("e-1"), ids("e-0"))
    assert (first.event.department, first.event.version) == ("sales_emea", 1)
    assert "Ada" not in repr(first.event)

    renamed = first.entry.provisioned(
        PersonFields("e-1", name="Ada L.", department="Sales EMEA", manager_employee_id="e-0"),
        DirectorySource.SCIM,
        NOW,
        ids,
    )
    assert renamed.event is None, "a name never travels"
    assert renamed.entry.name == "Ada L."
    moved = renamed.entry.provisioned(
        PersonFields("e-1", department="Sales EMEA", manager_employee_id="e-9"),
        DirectorySource.HRIS_IMPORT,
        NOW,
        ids,
    )
    assert moved.event is not None
    assert (moved.event.manager_person_id, moved.event.version) == (ids("e-9"), 2)


def test_a_seniority_change_is_announced_for_outcome_comparisons() -> None:
    entry = _entry("e-1", department="Design", seniority=Seniority.ASSOCIATE)
    promoted = entry.provisioned(
        PersonFields("e-1", department="Design", seniority=Seniority.SENIOR),
        DirectorySource.HRIS_IMPORT,
        NOW,
        ids,
    )
    assert promoted.event is not None
    assert (promoted.event.seniority, promoted.event.version) == (Seniority.SENIOR, 2)


def test_leaving_is_deactivation_announced_once() -> None:
    entry = _entry("e-1", manager_employee_id="e-0")
    gone = entry.deactivated(NOW, ids)
    assert gone.left
    assert gone.event is not None
    assert gone.event.active is False
    assert gone.entry.manager_employee_id == "e-0", "the org chart is kept"
    again = gone.entry.deactivated(NOW, ids)
    assert (again.left, again.event) == (False, None)


def test_registrations_fill_only_gaps() -> None:
    described = _entry("e-1", manager_employee_id="e-0", department="Design")
    said = described.registered("e-7", "sales", NOW, ids)
    assert (said.entry, said.event) == (described, None)

    unknown = new_entry("e-2", ids).registered("e-0", "sales", NOW, ids)
    assert unknown.event is not None
    assert unknown.event.source is DirectorySource.REGISTRATION
    later = unknown.entry.provisioned(PersonFields("e-2"), DirectorySource.SCIM, NOW, ids)
    assert later.event is not None
    assert later.event.manager_person_id is None, "the directory's word replaces the form's"


def test_nobody_manages_themselves_and_cycles_end_lines() -> None:
    assert _entry("e-1", manager_employee_id="e-1").manager_employee_id is None
    managers = {"a": "b", "b": "c", "c": "a"}
    assert managers_above("a", managers) == ("b", "c")


@dataclass(frozen=True)
class Provision:
    employee: str
    manager: str | None


@dataclass(frozen=True)
class Register:
    employee: str
    manager: str | None


@st.composite
def org_and_operations(draw: st.DrawFn) -> tuple[dict[str, str | None], list[object]]:
    size = draw(st.integers(min_value=2, max_value=10))
    people = [f"e{index}" for index in range(size)]
    managers: dict[str, str | None] = {people[0]: None}
    for index in range(1, size):
        managers[people[index]] = draw(st.sampled_from([None, *people[:index]]))
    provisioned = draw(st.sets(st.sampled_from(people)))
    registering = draw(st.sets(st.sampled_from(people), min_size=1))
    operations: list[object] = [Provision(e, managers[e]) for e in sorted(provisioned)]
    operations += [Register(e, managers[e]) for e in sorted(registering)]
    return managers, draw(st.permutations(operations))


def _fold(operations: list[object]) -> dict[str, DirectoryPersonChanged]:
    """What registration's directory announces, by person (the latest version)."""
    entries: dict[str, DirectoryEntry] = {}
    latest: dict[str, DirectoryPersonChanged] = {}
    for operation in operations:
        assert isinstance(operation, Provision | Register)
        employee = operation.employee
        entry = entries.get(employee) or new_entry(employee, ids)
        if isinstance(operation, Provision):
            fields = PersonFields(employee, manager_employee_id=operation.manager)
            change = entry.provisioned(fields, DirectorySource.SCIM, NOW, ids)
        else:
            change = entry.registered(operation.manager, None, NOW, ids)
            if operation.manager and operation.manager not in entries:
                named = new_entry(operation.manager, ids).registered(None, None, NOW, ids)
                entries[operation.manager] = named.entry
                assert named.event is not None
                latest[named.entry.person_id] = named.event
        entries[employee] = change.entry
        if change.event is not None:
            previous = latest.get(change.event.person_id)
            assert previous is None or previous.version < change.event.version
            latest[change.event.person_id] = change.event
    return latest


@given(org_and_operations())
@settings(max_examples=200, deadline=None)
def test_any_order_of_syncs_and_registrations_announces_the_same_edges(
    case: tuple[dict[str, str | None], list[object]],
) -> None:
    managers, operations = case
    announced = _fold(operations)
    mentioned = {getattr(op, "employee", "") for op in operations}
    for employee in mentioned:
        edge = announced[ids(employee)].manager_person_id
        true_manager = managers[employee]
        assert edge == (ids(true_manager) if true_manager else None)
    assert _fold(list(reversed(operations))).keys() == announced.keys()


# ---------------------------------------------------------------- access


def test_access_refusals_say_why() -> None:
    engineer = _entry("e-1", department="Engineering", seniority=Seniority.SENIOR)
    access = ParticipantAccess(
        anyone=False,
        rules=(AccessRule(departments=("engineering",), seniorities=(Seniority.ASSOCIATE,)),),
        invite_list=("guest",),
    )
    refusal = access.refusal("e-1", engineer, ())
    assert refusal is not None
    assert "department engineering" in refusal
    assert "senior" in refusal
    assert access.refusal("guest", None, ()) is None
    assert "does not list you" in (access.refusal("nobody", None, ()) or "")
    gone = replace(engineer, active=False)
    assert "no longer" in (access.refusal("e-1", gone, ()) or "")
    assert ParticipantAccess().refusal("anyone", None, ()) is None


def test_reports_to_means_anywhere_below() -> None:
    rule = AccessRule(reports_to="ceo")
    entry = _entry("e-9")
    assert rule.matches(entry, ("lead", "vp", "ceo"))
    assert not rule.matches(entry, ("lead",))
    with pytest.raises(ValueError, match="at least one"):
        AccessRule()
    with pytest.raises(ValueError, match="nobody could register"):
        ParticipantAccess(anyone=False)


def test_the_preview_counts_active_people_and_outsiders() -> None:
    people = [
        _entry("ceo"),
        _entry("a", manager_employee_id="ceo"),
        _entry("b", manager_employee_id="a"),
        replace(_entry("c", manager_employee_id="a"), active=False),
    ]
    below_ceo = ParticipantAccess(
        anyone=False, rules=(AccessRule(reports_to="ceo"),), invite_list=("x", "ceo")
    )
    counted = preview(below_ceo, people)
    assert (counted.eligible, counted.directory_active, counted.invited_outside_directory) == (
        4,
        3,
        1,
    )


# ---------------------------------------------------------------- invitations


def _invitation(max_reminders: int = 2) -> Invitation:
    return Invitation(
        invitation_id="inv-1",
        program_id="prog-1",
        employee_id="e-1",
        person_id=ids("e-1"),
        department="engineering",
        status=InvitationStatus.PENDING,
        created_at=NOW,
        remind_after=timedelta(days=3),
        max_reminders=max_reminders,
    )


def test_reminders_come_every_delay_up_to_the_maximum() -> None:
    sent, event = _invitation().send(NOW)
    assert event.person_id == ids("e-1")
    assert sent.next_reminder_at == NOW + timedelta(days=3)
    early, nothing = sent.remind(NOW + timedelta(days=2))
    assert (early, nothing) == (sent, None)
    first, reminder = sent.remind(NOW + timedelta(days=3))
    assert reminder is not None
    assert reminder.reminder == 1
    second, reminder = first.remind(NOW + timedelta(days=6))
    assert reminder is not None
    assert (reminder.reminder, second.next_reminder_at) == (2, None)
    assert second.remind(NOW + timedelta(days=30))[1] is None
    assert first.reminder_event_id() != sent.reminder_event_id()


def test_registering_stops_reminders() -> None:
    sent, _ = _invitation().send(NOW)
    registered = sent.registered(NOW + timedelta(days=1))
    assert registered.remind(NOW + timedelta(days=10))[1] is None
    assert sent.closed().remind(NOW + timedelta(days=10))[1] is None


# ---------------------------------------------------------------- lifecycle and launch


def _draft() -> Program:
    from mentorship_devstack.workloads import program_settings
    from registration.domain.programs import ProgramSettings

    settings = ProgramSettings.model_validate(program_settings())
    return Program.create(
        "prog-1",
        settings,
        questionnaire_from(Template.STANDARD),
        NOW,
        lifecycle=ProgramLifecycle.DRAFT,
    )


def test_transitions_are_checked() -> None:
    draft = _draft()
    questionnaire = questionnaire_from(Template.STANDARD)
    with pytest.raises(LifecycleError) as refused:
        draft.transition(ProgramLifecycle.RUNNING, questionnaire, NOW)
    assert refused.value.code == "transition_not_allowed"
    opened = draft.transition(ProgramLifecycle.REGISTRATION_OPEN, questionnaire, NOW)
    [event] = opened.events
    assert event.lifecycle is ProgramLifecycle.REGISTRATION_OPEN  # type: ignore[attr-defined]
    matching = opened.program.transition(ProgramLifecycle.MATCHING, questionnaire, NOW)
    assert matching.program.registration_closed_at == NOW
    closed = matching.program.transition(ProgramLifecycle.CLOSED, questionnaire, NOW).program
    with pytest.raises(LifecycleError):
        closed.revise(closed.settings, NOW)


def test_a_fresh_draft_has_most_steps_left() -> None:
    facts = LaunchFacts(questionnaire_from(Template.MINIMAL), invitations=0, eligible=12)
    steps = {state.step: state for state in launch_steps(_draft(), facts)}
    assert len(steps) == 9
    assert steps[LaunchStep.GENERAL_INFORMATION].done
    left = [step for step, state in steps.items() if not state.done]
    assert len(left) == 8
    assert "12 eligible" in steps[LaunchStep.REVIEW_EMAIL_INVITES].missing[0]
    assert "besides the role" in steps[LaunchStep.QUESTIONNAIRE].missing[0]


def test_people_known_only_from_registrations_are_not_the_directory_s() -> None:
    from_a_form = new_entry("r-1", ids).registered(None, "sales", NOW, ids).entry
    counted = preview(ParticipantAccess(), [_entry("d-1"), from_a_form])
    assert (counted.eligible, counted.directory_active) == (1, 1)
    invited = preview(ParticipantAccess(anyone=False, invite_list=("r-1",)), [from_a_form])
    assert (invited.eligible, invited.invited_outside_directory) == (1, 1)
