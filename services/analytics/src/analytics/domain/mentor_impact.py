"""The mentor impact view: what each mentor's mentoring came to, for recognising them.

Per mentor of the program (registered, not erased; withdrawn mentors keep what they did):
the mentees they were paired with, the sessions their pairs held and their hours, the
average rating their mentees gave those sessions, and the goals their mentees completed.
An erased mentor is not listed (their pairs stay anonymous facts elsewhere); an erased
mentee's goals are gone, as the feedback service deletes them.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from analytics.domain.documents import ParticipantFact, ProgramFacts, SessionStatus
from mentorship_contracts.types import ParticipantRole

MENTORING = {ParticipantRole.MENTOR, ParticipantRole.BOTH}


class MentorImpact(BaseModel):
    """One mentor's impact."""

    mentor_participant_id: str
    mentees: int
    sessions_held: int
    hours: float
    average_rating: float | None
    ratings: int
    goals_completed: int
    goals: int


class MentorImpactReport(BaseModel):
    """Every mentor's impact, most sessions held first."""

    program_id: str
    mentors: list[MentorImpact]


def _mentors(participants: list[ParticipantFact]) -> dict[str, str]:
    return {
        p.id: p.participant_id
        for p in participants
        if p.role in MENTORING and not p.erased and p.participant_id is not None
    }


def mentor_impact(facts: ProgramFacts) -> MentorImpactReport:
    """The mentor impact view."""
    mentors = _mentors(list(facts.participants))
    erased = {p.id for p in facts.participants if p.erased}
    pairs_of: dict[str, list[str]] = defaultdict(list)
    mentees_of: dict[str, set[str]] = defaultdict(set)
    meeting_ids: dict[str, set[str]] = defaultdict(set)
    for pair in facts.pairs:
        if not pair.created or pair.mentor_key not in mentors:
            continue
        pairs_of[pair.mentor_key].append(pair.id)
        mentees_of[pair.mentor_key].add(pair.mentee_key)
        meeting_ids[pair.mentor_key] |= {pair.id} | ({pair.group_id} if pair.group_id else set())
    held = [s for s in facts.sessions if s.status is SessionStatus.HELD]
    found = []
    for key, participant_id in mentors.items():
        sessions = [s for s in held if s.pair_id in meeting_ids[key]]
        session_ids = {s.id for s in sessions}
        ratings = [
            f.rating
            for f in facts.feedback
            if f.session_id in session_ids and f.author_role is ParticipantRole.MENTEE
        ]
        mentees = mentees_of[key] - erased
        goals = [g for g in facts.goals if g.owner_key in mentees]
        found.append(
            MentorImpact(
                mentor_participant_id=participant_id,
                mentees=len(mentees_of[key]),
                sessions_held=len(sessions),
                hours=round(sum(s.held_minutes or 0 for s in sessions) / 60, 2),
                average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
                ratings=len(ratings),
                goals_completed=sum(1 for g in goals if g.completed),
                goals=len(goals),
            )
        )
    found.sort(key=lambda m: (-m.sessions_held, m.mentor_participant_id))
    return MentorImpactReport(program_id=facts.program_id, mentors=found)
