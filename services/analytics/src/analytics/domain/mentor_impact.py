"""The mentor impact view: what each mentor's mentoring came to, for recognising them.

Per mentor of the program (registered, not erased; withdrawn mentors keep what they did):
the mentees they were paired with, the sessions their pairs held and their hours, the
average rating their mentees gave those sessions, the goals their mentees completed, and their
mentees' skills growth: each mentee's mean change of their own (self) ratings from the baseline
to the end, averaged over the mentor's mentees rated at both. Self ratings, not the mentor's:
a mentor's own view of their mentees would grade their own recognition. The growth is shown
only over five mentees or more (the reports' minimum group size); under that it is None and
``skills_growth_hidden`` says why.
An erased mentor is not listed (their pairs stay anonymous facts elsewhere); an erased
mentee's goals are gone, as the feedback service deletes them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from statistics import fmean

from pydantic import BaseModel, Field

from analytics.domain.documents import (
    FeedbackFact,
    GoalFact,
    MeetingTally,
    ParticipantFact,
    ProgramFacts,
    SessionFact,
    SessionStatus,
    SkillsFact,
)
from analytics.domain.skills_growth import MIN_GROUP_SIZE
from mentorship_contracts.types import AssessmentMoment, ParticipantRole, RaterKind

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
    skills_growth: float | None = Field(
        default=None,
        description="Their mentees' average self-rated change, baseline to end (5 or more).",
    )
    skills_growth_mentees: int | None = Field(
        default=None, description="Mentees counted in the growth (None when hidden)."
    )
    skills_growth_hidden: bool = Field(
        default=False, description="Fewer than five of their mentees were rated at both moments."
    )


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


def _self_growth(skills: list[SkillsFact]) -> dict[str, float]:
    """Mentee key -> mean change of their self ratings over the skills rated at both moments."""
    baseline: dict[str, dict[str, float]] = {}
    end: dict[str, dict[str, float]] = {}
    for fact in skills:
        if fact.rater_kind is not RaterKind.SELF:
            continue
        if fact.moment is AssessmentMoment.BASELINE:
            baseline[fact.owner_key] = fact.levels
        elif fact.moment is AssessmentMoment.END:
            end[fact.owner_key] = fact.levels
    growth = {}
    for owner, last in end.items():
        first = baseline.get(owner, {})
        changes = [level - first[skill] for skill, level in last.items() if skill in first]
        if changes:
            growth[owner] = fmean(changes)
    return growth


def tally_meetings(
    sessions: Iterable[SessionFact], feedback: Iterable[FeedbackFact]
) -> dict[str, MeetingTally]:
    """Per meeting (a pair, or a group), its held sessions, their minutes and mentees' ratings."""
    meeting_of: dict[str, str] = {}
    held: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    for session in sessions:
        if session.status is SessionStatus.HELD:
            meeting_of[session.id] = session.pair_id
            held[session.pair_id] += 1
            minutes[session.pair_id] += session.held_minutes or 0
    ratings: Counter[str] = Counter()
    rating_sum: Counter[str] = Counter()
    for fact in feedback:
        meeting = meeting_of.get(fact.session_id)
        if meeting is not None and fact.author_role is ParticipantRole.MENTEE:
            ratings[meeting] += 1
            rating_sum[meeting] += fact.rating
    return {
        meeting: MeetingTally(
            held=n,
            minutes=minutes[meeting],
            ratings=ratings[meeting],
            rating_sum=rating_sum[meeting],
        )
        for meeting, n in held.items()
    }


def mentor_impact(facts: ProgramFacts) -> MentorImpactReport:
    """The mentor impact view.

    Sessions and ratings are tallied once per meeting (`tally_meetings`, or as read:
    ``facts.meetings``) and goals grouped once by owner, so the view costs one pass over the
    documents plus one per mentor's own pairs, not a pass over every session per mentor.
    """
    mentors = _mentors(list(facts.participants))
    erased = {p.id for p in facts.participants if p.erased}
    mentees_of: dict[str, set[str]] = defaultdict(set)
    meeting_ids: dict[str, set[str]] = defaultdict(set)
    for pair in facts.pairs:
        if not pair.created or pair.mentor_key not in mentors:
            continue
        mentees_of[pair.mentor_key].add(pair.mentee_key)
        meeting_ids[pair.mentor_key] |= {pair.id} | ({pair.group_id} if pair.group_id else set())
    meetings = facts.meetings
    if meetings is None:
        meetings = tally_meetings(facts.sessions, facts.feedback)
    goals_of: dict[str, list[GoalFact]] = defaultdict(list)
    for goal in facts.goals:
        goals_of[goal.owner_key].append(goal)
    growth_of = _self_growth(list(facts.skills))
    found = []
    for key, participant_id in mentors.items():
        tallies = [meetings[m] for m in meeting_ids[key] if m in meetings]
        ratings = sum(t.ratings for t in tallies)
        rating_sum = sum(t.rating_sum for t in tallies)
        mentees = mentees_of[key] - erased
        goals = [g for mentee in mentees for g in goals_of.get(mentee, ())]
        grown = [growth_of[m] for m in sorted(mentees) if m in growth_of]
        shown = len(grown) >= MIN_GROUP_SIZE
        found.append(
            MentorImpact(
                mentor_participant_id=participant_id,
                mentees=len(mentees_of[key]),
                sessions_held=sum(t.held for t in tallies),
                hours=round(sum(t.minutes for t in tallies) / 60, 2),
                average_rating=round(rating_sum / ratings, 2) if ratings else None,
                ratings=ratings,
                goals_completed=sum(1 for g in goals if g.completed),
                goals=len(goals),
                skills_growth=round(fmean(grown), 2) if shown else None,
                skills_growth_mentees=len(grown) if shown else None,
                skills_growth_hidden=bool(grown) and not shown,
            )
        )
    found.sort(key=lambda m: (-m.sessions_held, m.mentor_participant_id))
    return MentorImpactReport(program_id=facts.program_id, mentors=found)
