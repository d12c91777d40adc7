"""Issue #13.2: an erased person leaves every count of people in every report, in any order.

Two mentors and four mentees register; one mentee withdraws; two are paired and one of them
is erased (matching then ends her pair), as is an unmatched mentee. The reports must count
the people matching's pool holds (registered, not withdrawn, not erased) and agree with each
other, whatever order the events arrive in and even if an erasure is stamped before the
person's registration.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantWithdrew,
    ProgramCreated,
    UnmatchedParticipant,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason, ParticipantRole, UnmatchedReason

from .memory import project
from .test_projection_properties import all_reports

PROGRAM = "prog-history"
START = datetime(2027, 1, 4, 9, tzinfo=UTC)
MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE
PEOPLE = {
    "m1": (MENTOR, "senior"),
    "m2": (MENTOR, "senior"),
    "e1": (MENTEE, "junior"),
    "e2": (MENTEE, "junior"),
    "e3": (MENTEE, "junior"),
    "e4": (MENTEE, "senior"),
}
ERASED = ("e1", "e3")
POOL = {"m1", "m2", "e2"}
"""Matching's pool at the end: registered, not withdrawn (e4), not erased (e1, e3)."""


def _at(hours: int) -> datetime:
    return START + timedelta(hours=hours)


def _events(*, erasure_stamped_first: bool) -> list[Envelope[Any]]:
    timed: list[tuple[IntegrationEvent, datetime]] = [
        (
            example(
                ProgramCreated,
                program_id=PROGRAM,
                starts_on=date(2027, 1, 4),
                ends_on=date(2027, 7, 1),
            ),
            START,
        )
    ]
    for index, (person, (role, seniority)) in enumerate(PEOPLE.items()):
        registered = _at(1 + index)
        registration = example(
            ParticipantRegistered,
            participant_id=person,
            program_id=PROGRAM,
            person_id=f"person-{person}",
            role=role,
            capacity=1 if role is MENTOR else 0,
            choice_answers={"seniority": (seniority,)},
            registered_at=registered,
        )
        timed.append((registration, registered))
    unmatched = (
        UnmatchedParticipant(
            participant_id="e3", role=MENTEE, reason=UnmatchedReason.CAPACITY_EXHAUSTED
        ),
        UnmatchedParticipant(
            participant_id="e4", role=MENTEE, reason=UnmatchedReason.NO_COMPATIBLE_PARTNER
        ),
    )
    proposal = example(
        MatchingRunProposed,
        run_id="run1",
        program_id=PROGRAM,
        pairs=(),
        unmatched=unmatched,
        proposed_at=_at(10),
    )
    timed.append((proposal, _at(10)))
    for pair_id, mentor, mentee in (("pair1", "m1", "e1"), ("pair2", "m2", "e2")):
        created = example(
            PairCreated,
            pair_id=pair_id,
            program_id=PROGRAM,
            mentor_participant_id=mentor,
            mentee_participant_id=mentee,
            mentor_person_id=f"person-{mentor}",
            mentee_person_id=f"person-{mentee}",
            created_at=_at(11),
        )
        timed.append((created, _at(11)))
    for goal_id, mentee, progress in (("g1", "e1", 100), ("g2", "e2", 50)):
        goal = GoalProgressUpdated(
            goal_id=goal_id,
            program_id=PROGRAM,
            participant_id=mentee,
            topic="delegation",
            progress_percent=progress,
            completed=progress == 100,
            updated_at=_at(20),
        )
        timed.append((goal, _at(20)))
    timed.append(
        (ParticipantWithdrew(participant_id="e4", program_id=PROGRAM, withdrew_at=_at(21)), _at(21))
    )
    erased_at = START - timedelta(hours=1) if erasure_stamped_first else _at(30)
    for person in ERASED:
        erasure = ParticipantErased(
            participant_id=person,
            program_id=PROGRAM,
            person_id=f"person-{person}",
            erased_at=erased_at,
        )
        timed.append((erasure, erased_at))
    ended = PairEnded(
        pair_id="pair1",
        program_id=PROGRAM,
        reason=PairEndReason.PARTICIPANT_ERASED,
        ended_at=_at(31),
    )
    timed.append((ended, _at(31)))
    return [wrap(event, source="test", aggregate_id=PROGRAM, occurred_at=at) for event, at in timed]


@settings(max_examples=50, deadline=None)
@given(
    order=st.randoms(use_true_random=False),
    erasure_stamped_first=st.booleans(),
    batch=st.integers(min_value=1, max_value=20),
)
def test_erased_people_leave_every_count_whatever_the_order(
    order: Any, erasure_stamped_first: bool, batch: int
) -> None:
    events = _events(erasure_stamped_first=erasure_stamped_first)
    deliveries = list(events)
    order.shuffle(deliveries)

    got = all_reports(project(deliveries, [batch]))
    registration, pairing = got["registration"], got["pairing"]

    pool_roles = Counter(PEOPLE[person][0] for person in POOL)
    assert registration.participants == len(POOL)
    assert (registration.mentors, registration.mentees, registration.both) == (
        pool_roles[MENTOR],
        pool_roles[MENTEE],
        0,
    )
    assert registration.mentee_demand == pool_roles[MENTEE]
    assert registration.mentor_capacity == 2
    assert registration.withdrawn == 1
    assert sum(day.count for day in registration.registrations_by_day) == len(POOL) + 1
    assert registration.answers == {"seniority": {"junior": 1, "senior": 2}}
    # The pairing report counts the same people, and only them.
    assert pairing.mentees == registration.mentee_demand
    assert (pairing.mentees_matched, pairing.match_rate) == (1, 1.0)
    assert pairing.unmatched_by_reason == {"no_compatible_partner": 1}
    # The pairs themselves stay, as matching keeps them: the erased member's pair ended.
    assert (pairing.pairs, pairing.active_pairs) == (2, 1)
    assert pairing.ended_by_reason == {"participant_erased": 1}
    # The erased mentee's goal is gone, as the feedback service deletes it.
    assert (got["skills"].goals, got["skills"].goals_completed) == (1, 0)


def test_who_left_is_neither_flagged_nor_matched_while_their_pairs_await_their_end() -> None:
    """Matching ends the pairs of whoever withdrew or was erased, but its events may lag."""
    roles = {"m1": MENTOR, "m2": MENTOR, "m3": MENTOR} | {f"e{n}": MENTEE for n in range(1, 7)}
    events: list[IntegrationEvent] = [
        example(
            ParticipantRegistered,
            participant_id=person,
            program_id=PROGRAM,
            person_id=f"person-{person}",
            role=role,
            capacity=1 if role is MENTOR else 0,
        )
        for person, role in roles.items()
    ]
    for index, mentor in enumerate(("m1", "m1", "m2", "m2", "m3", "m3"), start=1):
        events.append(
            example(
                PairCreated,
                pair_id=f"pair{index}",
                program_id=PROGRAM,
                mentor_participant_id=mentor,
                mentee_participant_id=f"e{index}",
                mentor_person_id=f"person-{mentor}",
                mentee_person_id=f"person-e{index}",
            )
        )
    events += [
        ParticipantWithdrew(participant_id="m1", program_id=PROGRAM, withdrew_at=_at(5)),
        ParticipantWithdrew(participant_id="e5", program_id=PROGRAM, withdrew_at=_at(5)),
        ParticipantErased(
            participant_id="m2", program_id=PROGRAM, person_id="person-m2", erased_at=_at(5)
        ),
        ParticipantErased(
            participant_id="e6", program_id=PROGRAM, person_id="person-e6", erased_at=_at(5)
        ),
    ]
    envelopes = [
        wrap(event, source="test", aggregate_id=PROGRAM, occurred_at=_at(index))
        for index, event in enumerate(events)
    ]

    got = all_reports(project(envelopes, [len(envelopes)]))

    over = got["health"].mentors_over_capacity
    assert [(m.mentor_participant_id, m.pairs, m.capacity) for m in over] == [("m3", 2, 1)]
    pairing = got["pairing"]
    assert (pairing.mentees, pairing.mentees_matched, pairing.active_pairs) == (4, 4, 6)
    assert pairing.match_rate == 1.0  # it could exceed 1 when those who left were matched
