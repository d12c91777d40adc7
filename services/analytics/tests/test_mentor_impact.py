"""The mentor impact view, from a program's documents."""

from __future__ import annotations

from datetime import UTC, datetime

from analytics.domain.documents import (
    FeedbackFact,
    GoalFact,
    PairFact,
    ParticipantFact,
    ParticipantStatus,
    ProgramFacts,
    SessionFact,
    SessionStatus,
)
from analytics.domain.mentor_impact import mentor_impact
from mentorship_contracts.types import ParticipantRole

AT = datetime(2026, 5, 1, 9, tzinfo=UTC)


def _participant(key: str, role: ParticipantRole, *, erased: bool = False) -> ParticipantFact:
    return ParticipantFact(
        id=key,
        program_id="p",
        role=role,
        participant_id=None if erased else f"part-{key}",
        status=ParticipantStatus.ACTIVE,
        erased=erased,
    )


def _session(session_id: str, pair_id: str, status: SessionStatus, minutes: int) -> SessionFact:
    return SessionFact(
        id=session_id,
        program_id="p",
        pair_id=pair_id,
        starts_at=AT,
        time_version="1",
        status=status,
        held_minutes=minutes if status is SessionStatus.HELD else None,
    )


def _rating(
    session_id: str, pair_id: str, author: str, role: ParticipantRole, rating: int
) -> FeedbackFact:
    return FeedbackFact(
        id=f"{session_id}-{author}",
        program_id="p",
        session_id=session_id,
        pair_id=pair_id,
        author_key=author,
        author_role=role,
        first_submitted_at=AT,
        version="1",
        rating=rating,
        topics=[],
    )


def _goal(goal_id: str, owner: str, *, completed: bool) -> GoalFact:
    return GoalFact(
        id=goal_id,
        program_id="p",
        owner_key=owner,
        version="1",
        topic="t",
        progress=100 if completed else 40,
        completed=completed,
    )


def test_each_mentor_sees_their_pairs_sessions_ratings_and_mentees_goals() -> None:
    facts = ProgramFacts(
        program_id="p",
        participants=[
            _participant("ada", ParticipantRole.MENTOR),
            _participant("bo", ParticipantRole.BOTH),
            _participant("gone", ParticipantRole.MENTOR, erased=True),
            _participant("m1", ParticipantRole.MENTEE),
            _participant("m2", ParticipantRole.MENTEE),
            _participant("m3", ParticipantRole.MENTEE, erased=True),
        ],
        pairs=[
            PairFact(id="p1", program_id="p", created=True, mentor_key="ada", mentee_key="m1"),
            PairFact(id="p2", program_id="p", created=True, mentor_key="ada", mentee_key="m3"),
            PairFact(id="p3", program_id="p", created=True, mentor_key="bo", mentee_key="m2"),
            PairFact(id="p4", program_id="p", created=True, mentor_key="gone", mentee_key="m2"),
        ],
        sessions=[
            _session("s1", "p1", SessionStatus.HELD, 45),
            _session("s2", "p1", SessionStatus.HELD, 75),
            _session("s3", "p2", SessionStatus.HELD, 60),
            _session("s4", "p1", SessionStatus.CANCELLED, 0),
            _session("s5", "p4", SessionStatus.HELD, 60),
        ],
        feedback=[
            _rating("s1", "p1", "m1", ParticipantRole.MENTEE, 5),
            _rating("s2", "p1", "m1", ParticipantRole.MENTEE, 4),
            _rating("s2", "p1", "ada", ParticipantRole.MENTOR, 1),
        ],
        goals=[
            _goal("g1", "m1", completed=True),
            _goal("g2", "m1", completed=False),
            _goal("g3", "m3", completed=True),
            _goal("g4", "m2", completed=True),
        ],
    )
    report = mentor_impact(facts)
    assert [m.model_dump() for m in report.mentors] == [
        {
            "mentor_participant_id": "part-ada",
            "mentees": 2,
            "sessions_held": 3,
            "hours": 3.0,
            "average_rating": 4.5,
            "ratings": 2,
            "goals_completed": 1,
            "goals": 2,
        },
        {
            "mentor_participant_id": "part-bo",
            "mentees": 1,
            "sessions_held": 0,
            "hours": 0.0,
            "average_rating": None,
            "ratings": 0,
            "goals_completed": 1,
            "goals": 1,
        },
    ]
