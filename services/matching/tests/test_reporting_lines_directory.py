"""Reporting lines from the directory (issue #15): its edges outrank registrations' lines.

Registration's directory announces every person's manager (`DirectoryPersonChanged`, with a
growing version), whether or not they ever register. Matching keeps the best statement per
person and walks the edges when a run needs them, so the rule holds in any arrival order of
registrations and directory updates, and for managers who never register.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.reporting import ManagerStatement, directory_statement, newest, statements_of
from mentorship_contracts.events import DirectoryPersonChanged, ParticipantRegistered
from mentorship_contracts.types import DirectorySource, ParticipantRole

from .programs import MENTEE, MENTOR
from .test_reporting_lines import exclusions_from, register_in_order

START = datetime(2026, 3, 1, tzinfo=UTC)


def change(employee: str, manager: str | None, version: int, minute: int) -> DirectoryPersonChanged:
    return DirectoryPersonChanged(
        person_id=f"person-{employee}",
        manager_person_id=f"person-{manager}" if manager else None,
        department=None,
        active=True,
        source=DirectorySource.SCIM,
        version=version,
        changed_at=START + timedelta(minutes=minute),
    )


Event = tuple[ParticipantRegistered, datetime] | DirectoryPersonChanged


def managers_after(events: list[Event]) -> dict[str, str]:
    known: dict[str, ManagerStatement] = {}
    for event in events:
        if isinstance(event, DirectoryPersonChanged):
            said = [directory_statement(event)]
        else:
            said = statements_of(*event)
        known |= newest(known, said)
    return {person: s.manager for person, s in known.items() if s.manager is not None}


def test_a_directory_manager_who_never_registers_still_counts() -> None:
    """The skip-level manager registers, the manager in between never does."""
    roles = {"mentee": MENTEE, "director": MENTOR}
    tree: dict[str, str | None] = {"mentee": "manager", "manager": "director", "director": None}
    registrations = register_in_order(["mentee", "director"], roles, tree)
    assert registrations[0][0].reporting_line == ("person-manager",), "all a form can say"
    directory = [change(e, m, 1, minute=-1) for e, m in tree.items()]
    arrivals: list[list[Event]] = [
        [*registrations, *directory],
        [*directory, *registrations],
        list(reversed([*registrations, *directory])),
    ]
    for arrival in arrivals:
        managers = managers_after(arrival)
        assert exclusions_from(registrations, managers, depth=2) == {("mentee", "director")}


def test_a_newer_directory_version_wins_whatever_arrives_first() -> None:
    moved = [change("e", "old", 1, minute=0), change("e", "new", 2, minute=5)]
    registered = register_in_order(["e"], {"e": MENTEE}, {"e": "stale"})
    arrivals: list[list[Event]] = [[*moved, *registered], [*registered, *moved[::-1]]]
    for arrival in arrivals:
        assert managers_after(arrival)["person-e"] == "person-new"


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[dict[str, ParticipantRole], dict[str, str | None], list[Event]]:
    """A tree the directory knows whole (moved once for some), who registers, in what order,
    and every event delivered in any interleaving."""
    size = draw(st.integers(2, 9))
    people = [f"emp{k}" for k in range(size)]
    before: dict[str, str | None] = {
        e: (draw(st.sampled_from(people[:k])) if k and draw(st.booleans()) else None)
        for k, e in enumerate(people)
    }
    after = dict(before)
    for k, employee in enumerate(people):
        if k and draw(st.booleans()):
            after[employee] = draw(st.sampled_from([None, *people[:k]]))
    registered = draw(st.lists(st.sampled_from(people), min_size=2, max_size=size, unique=True))
    roles = {e: draw(st.sampled_from([MENTEE, MENTOR])) for e in registered}
    order = draw(st.permutations(registered))
    events: list[Event] = list(register_in_order(order, roles, after))
    events += [change(e, before[e], 1, minute=k) for k, e in enumerate(people)]
    events += [
        change(e, after[e], 2, minute=100 + k)
        for k, e in enumerate(people)
        if after[e] != before[e]
    ]
    return roles, after, draw(st.permutations(events))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(1, 3))
def test_any_permutation_of_registrations_and_directory_updates_gives_the_same_exclusions(
    history: tuple[dict[str, ParticipantRole], dict[str, str | None], list[Event]], depth: int
) -> None:
    roles, tree, events = history
    registrations = [e for e in events if not isinstance(e, DirectoryPersonChanged)]
    got = exclusions_from(registrations, managers_after(events), depth)
    in_order = exclusions_from(
        registrations,
        managers_after(sorted(events, key=lambda e: isinstance(e, DirectoryPersonChanged))),
        depth,
    )

    def line(employee: str) -> list[str]:
        found: list[str] = []
        current = tree[employee]
        while current is not None and len(found) < depth:
            found.append(current)
            current = tree[current]
        return found

    expected = {
        (mentee, mentor)
        for mentee, role in roles.items()
        if role is MENTEE
        for mentor, other in roles.items()
        if other is MENTOR and (mentor in line(mentee) or mentee in line(mentor))
    }
    assert got == in_order == expected
