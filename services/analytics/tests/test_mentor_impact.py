"""The mentor impact view, from a program's documents as the projection keeps it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.domain.aggregates import Derivation
from analytics.domain.documents import (
    Fact,
    FeedbackEntry,
    FeedbackFact,
    GoalFact,
    MentorFact,
    PairFact,
    ParticipantFact,
    ParticipantStatus,
    SessionFact,
    SessionStatus,
    SkillsFact,
)
from analytics.domain.mentor_impact import MentorImpactReport, mentor_page
from analytics.domain.skills_growth import MIN_GROUP_SIZE
from analytics.entrypoints.http.csv_export import to_csv
from mentorship_contracts.types import AssessmentMoment, ParticipantRole, RaterKind

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


def mentor_impact(
    *,
    participants: list[ParticipantFact],
    pairs: list[PairFact],
    sessions: Sequence[SessionFact] = (),
    feedback: Sequence[FeedbackFact] = (),
    goals: Sequence[GoalFact] = (),
    skills: Sequence[SkillsFact] = (),
) -> MentorImpactReport:
    """The view of these documents: feedback kept with its session, links and mentors as
    `Derivation.rebuild` makes them (as the projection keeps them), read whole."""
    by_id = {session.id: session for session in sessions}
    for fact in feedback:
        by_id[fact.session_id] = fact.moved_into(by_id.get(fact.session_id))
    documents: list[Fact] = [*participants, *pairs, *by_id.values(), *goals, *skills]
    rebuilt = Derivation.rebuild(documents).documents.values()
    mentors = [m for m in rebuilt if isinstance(m, MentorFact) and m.rank is not None]
    mentors.sort(key=lambda m: m.rank or "")
    return mentor_page("p", mentors, len(mentors) + 1)


def test_each_mentor_sees_their_pairs_sessions_ratings_and_mentees_goals() -> None:
    report = mentor_impact(
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
    assert report.next_cursor is None
    assert [m.model_dump() for m in report.mentors] == [
        {
            "mentor_participant_id": "part-ada",
            "mentees": 2,
            "sessions_held": 3,
            "hours": 3.0,
            "average_rating": None,  # one mentee rated: their ratings are not shown
            "average_rating_hidden": True,
            "ratings": 2,
            "goals_completed": 1,
            "goals": 2,
            "skills_growth": None,
            "skills_growth_mentees": None,
            "skills_growth_hidden": False,
        },
        {
            "mentor_participant_id": "part-bo",
            "mentees": 1,
            "sessions_held": 0,
            "hours": 0.0,
            "average_rating": None,
            "average_rating_hidden": False,
            "ratings": 0,
            "goals_completed": 1,
            "goals": 1,
            "skills_growth": None,
            "skills_growth_mentees": None,
            "skills_growth_hidden": False,
        },
    ]


def _self_rated(owner: str, moment: AssessmentMoment, levels: dict[str, float]) -> SkillsFact:
    return SkillsFact(
        id=f"sa-{owner}-{moment}",
        program_id="p",
        owner_key=owner,
        version="1",
        rater_kind=RaterKind.SELF,
        moment=moment,
        levels=levels,
    )


def test_mentees_skills_growth_is_shown_over_five_mentees_only() -> None:
    big = [f"b{i}" for i in range(5)]
    small = [f"s{i}" for i in range(4)]
    skills = []
    for i, mentee in enumerate(big + small):
        skills += [
            _self_rated(mentee, AssessmentMoment.BASELINE, {"a": 2, "b": 1}),
            _self_rated(mentee, AssessmentMoment.END, {"a": 2 + i % 3, "b": 3}),
        ]
    # the mentor's own rating of a mentee is not the mentee's growth
    skills.append(
        SkillsFact(
            id="sa-b0-mentor",
            program_id="p",
            owner_key="b0",
            version="1",
            rater_kind=RaterKind.MENTOR,
            moment=AssessmentMoment.END,
            levels={"a": 5},
        )
    )
    report = mentor_impact(
        participants=[
            _participant("big", ParticipantRole.MENTOR),
            _participant("small", ParticipantRole.MENTOR),
            _participant("none", ParticipantRole.MENTOR),
            *(_participant(m, ParticipantRole.MENTEE) for m in big + small),
        ],
        pairs=[
            PairFact(id=f"p{m}", program_id="p", created=True, mentor_key=k, mentee_key=m)
            for k, mentees in (("big", big), ("small", small))
            for m in mentees
        ],
        skills=skills,
    )
    by_mentor = {m.mentor_participant_id: m for m in report.mentors}
    # b0..b4 change (0+2)/2, (1+2)/2, (2+2)/2, (0+2)/2, (1+2)/2 -> mean 7/5
    assert by_mentor["part-big"].skills_growth == 1.4
    assert by_mentor["part-big"].skills_growth_mentees == 5
    assert not by_mentor["part-big"].skills_growth_hidden
    assert by_mentor["part-small"].skills_growth is None
    assert by_mentor["part-small"].skills_growth_mentees is None
    assert by_mentor["part-small"].skills_growth_hidden
    assert by_mentor["part-none"].skills_growth is None
    assert not by_mentor["part-none"].skills_growth_hidden


# each mentee: their mentor (by number) and per skill a (baseline, end) self rating or None
mentee_history = st.tuples(
    st.integers(0, 2),
    st.lists(st.none() | st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=2),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(mentee_history, max_size=24))
def test_skills_growth_column_matches_a_recount_and_hides_small_groups(
    history: list[tuple[int, list[tuple[int, int] | None]]],
) -> None:
    skills: list[SkillsFact] = []
    for number, (_, ratings) in enumerate(history):
        rated = {f"k{i}": r for i, r in enumerate(ratings) if r is not None}
        if rated:
            skills += [
                _self_rated(
                    f"m{number}", AssessmentMoment.BASELINE, {k: r[0] for k, r in rated.items()}
                ),
                _self_rated(
                    f"m{number}", AssessmentMoment.END, {k: r[1] for k, r in rated.items()}
                ),
            ]
    report = mentor_impact(
        participants=[
            *(_participant(f"t{k}", ParticipantRole.MENTOR) for k in range(3)),
            *(_participant(f"m{n}", ParticipantRole.MENTEE) for n in range(len(history))),
        ],
        pairs=[
            PairFact(
                id=f"p{n}", program_id="p", created=True, mentor_key=f"t{k}", mentee_key=f"m{n}"
            )
            for n, (k, _) in enumerate(history)
        ],
        skills=skills,
    )
    for row in report.mentors:
        mentor = int(row.mentor_participant_id.removeprefix("part-t"))
        per_mentee = []
        for mentor_of, ratings in history:
            changes = [end - first for first, end in (r for r in ratings if r is not None)]
            if mentor_of == mentor and changes:
                per_mentee.append(sum(changes) / len(changes))
        if len(per_mentee) >= MIN_GROUP_SIZE:
            assert row.skills_growth == pytest.approx(sum(per_mentee) / len(per_mentee), abs=0.006)
            assert row.skills_growth_mentees == len(per_mentee)
        else:
            assert (row.skills_growth, row.skills_growth_mentees) == (None, None)
            assert row.skills_growth_hidden == bool(per_mentee)
    for line in to_csv(report).splitlines()[1:]:
        path, value = line.rsplit(",", 1)
        if path.endswith(".skills_growth_mentees") and value:
            assert int(value) >= MIN_GROUP_SIZE, path
        if path.endswith(".skills_growth") and value:
            assert f"{path}_mentees" in to_csv(report)


def test_feedback_kept_with_its_session_is_listed_as_the_impact_view_reads_it() -> None:
    """Feedback lives in its session's document; the view reads it from there."""
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    entry = FeedbackEntry(
        pair_id="p1",
        author_key="m1",
        author_role=ParticipantRole.MENTEE,
        first_submitted_at=at,
        version="v1",
        rating=4,
        topics=("negotiation",),
    )
    session = SessionFact(
        id="s1", program_id="p", pair_id="p1", status=SessionStatus.HELD, feedback={"f1": entry}
    )
    [fact] = session.feedback_facts()
    assert (fact.id, fact.program_id, fact.session_id, fact.pair_id) == ("f1", "p", "s1", "p1")
    assert (fact.author_key, fact.author_role, fact.rating, fact.topics) == (
        "m1",
        ParticipantRole.MENTEE,
        4,
        ["negotiation"],
    )
    report = mentor_impact(
        participants=[
            _participant("ada", ParticipantRole.MENTOR),
            _participant("m1", ParticipantRole.MENTEE),
        ],
        pairs=[PairFact(id="p1", program_id="p", created=True, mentor_key="ada", mentee_key="m1")],
        sessions=[session],
    )
    [impact] = report.mentors
    assert (impact.sessions_held, impact.ratings, impact.average_rating_hidden) == (1, 1, True)


@pytest.mark.parametrize(("raters", "shown"), [(4, False), (5, True)])
def test_an_average_rating_shows_only_when_five_distinct_mentees_rated(
    raters: int, shown: bool
) -> None:
    """Privacy: under five mentees, a rating could be traced to the mentee who gave it. Many
    ratings by few mentees do not count as many raters."""
    mentees = [f"m{n}" for n in range(raters)]
    sessions, feedback = [], []
    for mentee in mentees:
        for n in range(3):
            session_id = f"s-{mentee}-{n}"
            sessions.append(_session(session_id, f"p-{mentee}", SessionStatus.HELD, 60))
            feedback.append(_rating(session_id, f"p-{mentee}", mentee, ParticipantRole.MENTEE, 4))
            feedback.append(_rating(session_id, f"p-{mentee}", "ada", ParticipantRole.MENTOR, 1))
    report = mentor_impact(
        participants=[
            _participant("ada", ParticipantRole.MENTOR),
            *(_participant(m, ParticipantRole.MENTEE) for m in mentees),
        ],
        pairs=[
            PairFact(id=f"p-{m}", program_id="p", created=True, mentor_key="ada", mentee_key=m)
            for m in mentees
        ],
        sessions=sessions,
        feedback=feedback,
    )
    [ada] = report.mentors
    assert (ada.ratings, ada.sessions_held) == (3 * raters, 3 * raters)
    assert ada.average_rating == (4.0 if shown else None)
    assert ada.average_rating_hidden is not shown
    csv = to_csv(report)
    assert ("mentors[0].average_rating,4.0" in csv) is shown
    assert f"mentors[0].average_rating_hidden,{not shown}" in csv


def test_a_group_meeting_counts_once_for_its_mentor_and_an_erased_mentor_is_not_listed() -> None:
    group_pairs = [
        PairFact(
            id=f"g-{m}", program_id="p", created=True, mentor_key="ada", mentee_key=m, group_id="g"
        )
        for m in ("m1", "m2")
    ]
    report = mentor_impact(
        participants=[
            _participant("ada", ParticipantRole.MENTOR),
            _participant("gone", ParticipantRole.MENTOR, erased=True),
            _participant("m1", ParticipantRole.MENTEE),
            _participant("m2", ParticipantRole.MENTEE),
        ],
        pairs=[
            *group_pairs,
            PairFact(id="p9", program_id="p", created=True, mentor_key="gone", mentee_key="m1"),
        ],
        sessions=[
            _session("gs1", "g", SessionStatus.HELD, 90),
            _session("gs2", "g", SessionStatus.MISSED, 0),
            _session("s9", "p9", SessionStatus.HELD, 60),
        ],
    )
    [ada] = report.mentors
    assert (ada.mentor_participant_id, ada.mentees, ada.sessions_held, ada.hours) == (
        "part-ada",
        2,
        1,
        1.5,
    )
