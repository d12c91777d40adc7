"""Reporting lines, computed when a run needs them from every manager edge matching heard of.

The organisation's directory (registration's, fed by SCIM, an HRIS import and registrations)
announces every person's manager as ``DirectoryPersonChanged``, with a version that grows with
each change: that is the authority, whatever order its events and registrations arrive in.
A registration carries the registrant's line as the directory knew it then: their manager,
that manager's manager, and so on, as far as the directory knew. Registered bottom-up, a
mentee's line stops at her manager, who was not yet known to report to anyone. So matching
keeps each edge it is told about as a statement "``person`` reports to ``manager``":

- the registrant's own line gives their direct manager (or says they have none), and
- each further step of the line gives a manager's manager.

Per person, a directory statement wins over any read off a registration's line, and the
highest directory version over older ones; between registration lines, the newest statement
wins (the directory changed since the older one); equal times prefer the person's own
registration, then the larger id, so the outcome does not depend on the order statements
arrive in. A run walks these edges from each participant
up to the program's ``reporting_line_depth``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from mentorship_contracts.events import DirectoryPersonChanged
from mentorship_contracts.events.participant import ParticipantState

MAX_DEPTH = 16
"""The longest line registration sends, and the longest walk here."""


@dataclass(frozen=True, slots=True)
class ManagerStatement:
    """What one event says about whom ``person`` reports to (None: to nobody)."""

    person: str
    manager: str | None
    as_of: datetime
    direct: bool
    """Said by the person's own registration (else read off someone else's line)."""
    directory_version: int = 0
    """The version of the directory's statement (0: read off a registration's line)."""

    def outranks(self, other: ManagerStatement | None) -> bool:
        """Whether this statement replaces ``other`` (a total order, see the module)."""
        if other is None:
            return True
        return self._rank() > other._rank()

    def _rank(self) -> tuple[bool, int, datetime, bool, str]:
        return (
            self.directory_version > 0,
            self.directory_version,
            self.as_of,
            self.direct,
            self.manager or "",
        )


def statements_of(participant: ParticipantState, as_of: datetime) -> list[ManagerStatement]:
    """The manager edges a participant's registration (or update) states."""
    line = participant.reporting_line
    said = [ManagerStatement(participant.person_id, line[0] if line else None, as_of, direct=True)]
    said += [
        ManagerStatement(person, manager, as_of, direct=False) for person, manager in pairwise(line)
    ]
    return [statement for statement in said if statement.person != statement.manager]


def directory_statement(change: DirectoryPersonChanged) -> ManagerStatement:
    """What the directory says of a person's manager (deactivated people keep theirs)."""
    return ManagerStatement(
        person=change.person_id,
        manager=change.manager_person_id,
        as_of=change.changed_at,
        direct=True,
        directory_version=change.version,
    )


def newest(
    known: Mapping[str, ManagerStatement], incoming: Iterable[ManagerStatement]
) -> dict[str, ManagerStatement]:
    """The statements of ``incoming`` that replace what is ``known`` (per person, the best)."""
    winners: dict[str, ManagerStatement] = {}
    for statement in incoming:
        current = winners.get(statement.person) or known.get(statement.person)
        if statement.outranks(current):
            winners[statement.person] = statement
    return winners


def line_of(person: str, managers: Mapping[str, str], depth: int) -> tuple[str, ...]:
    """``person``'s managers, the direct one first, at most ``depth`` of them (no loops)."""
    line: list[str] = []
    seen = {person}
    current = managers.get(person)
    while current is not None and current not in seen and len(line) < min(depth, MAX_DEPTH):
        line.append(current)
        seen.add(current)
        current = managers.get(current)
    return tuple(line)


def reporting_lines(
    participants: Iterable[ParticipantState], managers: Mapping[str, str] | None, depth: int
) -> dict[str, tuple[str, ...]]:
    """Each participant's line (by participant id) to ``depth`` levels.

    With ``managers`` (person -> manager, see `newest`) the lines are walked from them;
    without, each participant's line is the one registered with them.
    """
    if managers is None:
        return {p.participant_id: p.reporting_line[:depth] for p in participants}
    return {p.participant_id: line_of(p.person_id, managers, depth) for p in participants}


def explain_line(
    mentee: ParticipantState,
    mentor: ParticipantState,
    lines: Mapping[str, tuple[str, ...]],
) -> str | None:
    """Who manages whom, when one of the two is in the other's line; else None."""
    for junior, senior, above in (
        (mentee, mentor, "the mentor"),
        (mentor, mentee, "the mentee"),
    ):
        line = lines.get(junior.participant_id, ())
        if senior.person_id in line:
            levels = line.index(senior.person_id) + 1
            chain = " -> ".join((junior.person_id, *line[:levels]))
            below = "the mentee" if above == "the mentor" else "the mentor"
            relation = "direct manager" if levels == 1 else f"manager {levels} levels up"
            return f"{above} is {below}'s {relation} ({chain})"
    return None
