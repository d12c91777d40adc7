"""The reporting-line rule holds whatever order people registered in (issue #13, item 1).

Registration computes a registrant's line from the people its directory knows at that
moment; matching keeps every manager edge it is told of and walks them when it runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.matching import MatchingRequest, propose, setup_market
from matching.domain.reporting import (
    ManagerStatement,
    line_of,
    newest,
    statements_of,
)
from matching.domain.why_not import why_not
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.events.program import MatchingRules
from mentorship_contracts.types import ParticipantRole

from .programs import MENTEE, MENTOR, person, program

START = datetime(2026, 3, 1, tzinfo=UTC)


def register_in_order(
    order: Sequence[str], roles: dict[str, ParticipantRole], manager_of: dict[str, str | None]
) -> list[tuple[ParticipantRegistered, datetime]]:
    """The events registration sends when ``order`` registers one by one (with their times).

    Its directory knows a person's manager only once that person registered; the line it
    sends walks what it knows (`registration.adapters.people`).
    """
    known_manager: dict[str, str | None] = {}
    events = []
    for step, employee in enumerate(order):
        known_manager[employee] = manager_of[employee]
        line: list[str] = []
        current = manager_of[employee]
        while current is not None and current not in line and current != employee:
            line.append(current)
            current = known_manager.get(current)
        events.append(
            (
                person(
                    employee,
                    roles[employee],
                    capacity=2 if roles[employee] is MENTOR else 0,
                    reporting_line=tuple(f"person-{manager}" for manager in line),
                ),
                START + timedelta(minutes=step),
            )
        )
    return events


def managers_after(events: Sequence[tuple[ParticipantRegistered, datetime]]) -> dict[str, str]:
    """Matching's manager edges once it has processed ``events`` in the order given."""
    known: dict[str, ManagerStatement] = {}
    for event, at in events:
        known |= newest(known, statements_of(event, at))
    return {person: s.manager for person, s in known.items() if s.manager is not None}


def exclusions(
    events: Sequence[tuple[ParticipantRegistered, datetime]], depth: int
) -> set[tuple[str, str]]:
    """(mentee, mentor) participant ids the reporting-line rule keeps apart."""
    return exclusions_from(events, managers_after(events), depth)


def exclusions_from(
    events: Sequence[tuple[ParticipantRegistered, datetime]],
    managers: dict[str, str],
    depth: int,
) -> set[tuple[str, str]]:
    """(mentee, mentor) participant ids the rule keeps apart, given matching's manager edges."""
    participants = [event for event, _ in events]
    request = MatchingRequest(
        program(rules=MatchingRules(reporting_line_depth=depth)), participants, managers=managers
    )
    market = setup_market(request).market
    columns = len(market.mentors)
    return {
        (
            market.mentees.participants[int(key) // columns].participant_id,
            market.mentors.participants[int(key) % columns].participant_id,
        )
        for key in market.line_exclusions
    }


# ---------------------------------------------------------------------- the example

ROLES = {"mentee": MENTEE, "manager": MENTOR, "director": MENTOR}
MANAGER_OF: dict[str, str | None] = {"mentee": "manager", "manager": "director", "director": None}


@pytest.mark.parametrize("order", list(itertools.permutations(ROLES)), ids="-".join)
def test_the_skip_level_manager_is_excluded_in_every_registration_order(
    order: tuple[str, ...],
) -> None:
    events = register_in_order(order, ROLES, MANAGER_OF)
    assert exclusions(events, depth=2) == {("mentee", "manager"), ("mentee", "director")}
    request = MatchingRequest(
        program(rules=MatchingRules(reporting_line_depth=2)),
        [event for event, _ in events],
        managers=managers_after(events),
    )
    assert propose(request).matches == ()
    answer = why_not(request, "mentee", "director")
    assert not answer.can_be_paired
    assert answer.reasons == (
        (
            "hard rule: in each other's reporting line: the mentor is the mentee's manager "
            "2 levels up (person-mentee -> person-manager -> person-director)"
        ),
    )
    direct = why_not(request, "mentee", "manager").reasons
    assert direct == (
        (
            "hard rule: in each other's reporting line: the mentor is the mentee's direct "
            "manager (person-mentee -> person-manager)"
        ),
    )


def test_bottom_up_registration_alone_misses_the_skip_level_manager() -> None:
    """What went wrong: the mentee's registered line stops at her manager."""
    events = register_in_order(["mentee", "manager", "director"], ROLES, MANAGER_OF)
    assert events[0][0].reporting_line == ("person-manager",)
    as_registered = MatchingRequest(
        program(rules=MatchingRules(reporting_line_depth=2)), [event for event, _ in events]
    )
    assert {(m.mentee, m.mentor) for m in propose(as_registered).matches} == {
        ("mentee", "director")
    }


def test_depth_one_excludes_only_the_direct_manager() -> None:
    events = register_in_order(["mentee", "manager", "director"], ROLES, MANAGER_OF)
    assert exclusions(events, depth=1) == {("mentee", "manager")}


def test_the_newest_statement_about_a_manager_wins_whatever_arrives_first() -> None:
    before = person("e", MENTEE, reporting_line=("person-old",))
    after = person("e", MENTEE, reporting_line=("person-new", "person-boss"))
    said = [
        (before, START),
        (after, START + timedelta(days=1)),
    ]
    assert managers_after(said) == {"person-e": "person-new", "person-new": "person-boss"}
    assert managers_after(said[::-1]) == {"person-e": "person-new", "person-new": "person-boss"}
    cleared = person("e", MENTEE)  # later registered without a manager
    assert managers_after([*said, (cleared, START + timedelta(days=2))]) == {
        "person-new": "person-boss"
    }


def test_lines_stop_at_loops() -> None:
    managers = {"a": "b", "b": "c", "c": "a"}
    assert line_of("a", managers, 16) == ("b", "c")


# ---------------------------------------------------------------------- any order


@st.composite
def organisations(
    draw: st.DrawFn,
) -> tuple[dict[str, ParticipantRole], dict[str, str | None], list[str], list[str]]:
    """A reporting tree, who of it registers (and as what), and two registration orders."""
    size = draw(st.integers(2, 9))
    employees = [f"emp{k}" for k in range(size)]
    manager_of: dict[str, str | None] = {
        employee: (draw(st.sampled_from(employees[:k])) if k and draw(st.booleans()) else None)
        for k, employee in enumerate(employees)
    }
    registered = draw(st.lists(st.sampled_from(employees), min_size=2, max_size=size, unique=True))
    roles = {employee: draw(st.sampled_from([MENTEE, MENTOR])) for employee in registered}
    first = draw(st.permutations(registered))
    second = draw(st.permutations(registered))
    return roles, manager_of, first, second


def true_exclusions(
    roles: dict[str, ParticipantRole], manager_of: dict[str, str | None], depth: int
) -> set[tuple[str, str]]:
    """From the tree itself, as far as registrations can reveal it (the managers of
    people who registered)."""
    known = {employee: manager_of[employee] for employee in roles}

    def line(employee: str) -> list[str]:
        found: list[str] = []
        current = manager_of[employee]
        while current is not None and len(found) < depth:
            found.append(current)
            current = known.get(current)
        return found

    mentees = [e for e, role in roles.items() if role is MENTEE]
    mentors = [e for e, role in roles.items() if role is MENTOR]
    return {
        (mentee, mentor)
        for mentee in mentees
        for mentor in mentors
        if mentor in line(mentee) or mentee in line(mentor)
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(1, 3))
def test_any_registration_order_gives_the_same_exclusions(
    organisation: tuple[dict[str, ParticipantRole], dict[str, str | None], list[str], list[str]],
    depth: int,
) -> None:
    roles, manager_of, first, second = organisation
    one = exclusions(register_in_order(first, roles, manager_of), depth)
    other = exclusions(register_in_order(second, roles, manager_of), depth)
    assert one == other == true_exclusions(roles, manager_of, depth)


def test_without_manager_edges_the_registered_lines_are_used() -> None:
    pool = [person("m", MENTOR, capacity=1), person("e", MENTEE, reporting_line=("person-m",))]
    setup = setup_market(MatchingRequest(program(), pool))
    assert np.array_equal(setup.market.line_exclusions, np.array([0]))
