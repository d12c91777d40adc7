"""The mentor impact view: what each mentor's mentoring came to, for recognising them.

Per mentor of the program (registered, not erased; withdrawn mentors keep what they did):
the mentees they were paired with, the sessions their meetings (their pairs, or their groups)
held and their hours, the average rating their mentees gave those sessions, the goals their
mentees completed, and their mentees' skills growth: each mentee's mean change of their own
(self) ratings from the baseline to the end, averaged over the mentor's mentees rated at both.
Self ratings, not the mentor's: a mentor's own view of their mentees would grade their own
recognition. An erased mentor is not listed (their pairs stay anonymous facts elsewhere); an
erased mentee's goals and growth are gone, as the feedback service deletes their goals.

Small groups are never shown (the reports' minimum group size, five): the growth only over
five mentees or more (``skills_growth_hidden``), the average rating only when five distinct
mentees or more rated (``average_rating_hidden``): with fewer, a rating could be traced to
the mentee who gave it.

Each mentor is one document kept in step by the projection (`MentorFact`); the view is read a
page at a time, most sessions held first, then by participant id, from an index in that
order (`MentorFact.rank`). A page's cursor is where the next page starts (``next_cursor``,
opaque to callers: the rank of the page's last mentor).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, Field

from analytics.domain.documents import RANK_SESSIONS, MentorFact, held_rank
from analytics.domain.skills_growth import MIN_GROUP_SIZE

DEFAULT_PAGE: Final = 100
MAX_PAGE: Final = 1000
CURSOR_PATTERN: Final = r"^[A-Za-z0-9_-]+$"
"""What a cursor of this view is made of: unpadded URL-safe base64."""
NOT_A_CURSOR: Final = "not a cursor of this view (pass a page's next_cursor as it is)"
RANK: Final = re.compile(rf"\d{{{len(str(RANK_SESSIONS))}}}\|.+", re.DOTALL)


class MentorImpact(BaseModel):
    """One mentor's impact."""

    mentor_participant_id: str
    mentees: int
    sessions_held: int
    hours: float
    average_rating: float | None = Field(
        description="Their mentees' average rating of their sessions (None when hidden or none)."
    )
    average_rating_hidden: bool = Field(
        default=False, description="Fewer than five distinct mentees rated their sessions."
    )
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
    """A page of the mentors' impact, most sessions held first."""

    program_id: str
    mentors: list[MentorImpact]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page (None: this is the last)."
    )


def cursor_after(mentor: MentorFact) -> str:
    """The opaque cursor of the page that starts after ``mentor`` (a listed one)."""
    assert mentor.rank is not None
    return cursor_of(mentor.rank)


def cursor_of(rank: str) -> str:
    """The opaque cursor of the page that starts after the mentor of ``rank``."""
    return base64.urlsafe_b64encode(rank.encode()).decode().rstrip("=")


def rank_after(program_id: str, cursor: str) -> str:
    """The rank (`MentorFact.rank`) a cursor of the program's view continues after.

    ValueError if it is not a cursor this view gave out for the program.
    """
    try:
        rank = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(NOT_A_CURSOR) from error
    program, _, order = rank.partition("|")
    if program != program_id or not RANK.fullmatch(order):
        raise ValueError(NOT_A_CURSOR)
    return rank


def ranks_of(program_id: str) -> tuple[str, str]:
    """The bounds (both excluded) of the program's ranks: program ids hold no ``|`` or ``}``."""
    return f"{program_id}|", f"{program_id}}}"


def page_bound(
    program_id: str, by_held: Mapping[int, int], after: str | None, wanted: int
) -> str | None:
    """A rank below which ``wanted`` mentors after ``after`` probably are (None: the end).

    ``by_held`` counts the program's listed mentors by sessions held (the ``mentors_held``
    counters): the page is read from the ranks of the fewest sessions held values that hold
    enough mentors, not from the rest of the program. A hint only: a reader that finds fewer
    reads on to the end.
    """
    top = RANK_SESSIONS - int(after.split("|")[1]) if after else None
    seen = 0
    for held in sorted(by_held, reverse=True):
        if top is not None and held > top:
            continue
        seen += by_held[held]
        if seen >= wanted:
            return None if held == 0 else f"{program_id}|{held_rank(held - 1)}|"
    return None


def impact_of(mentor: MentorFact) -> MentorImpact:
    """One listed mentor's row, small groups hidden."""
    assert mentor.mentor_participant_id is not None
    rating_shown = mentor.raters >= MIN_GROUP_SIZE
    growth_shown = mentor.growth is not None and mentor.growth_mentees >= MIN_GROUP_SIZE
    return MentorImpact(
        mentor_participant_id=mentor.mentor_participant_id,
        mentees=mentor.mentee_count,
        sessions_held=mentor.sessions_held,
        hours=round(mentor.minutes / 60, 2),
        average_rating=(
            round(mentor.rating_sum / mentor.ratings, 2)
            if mentor.ratings and rating_shown
            else None
        ),
        average_rating_hidden=bool(mentor.ratings) and not rating_shown,
        ratings=mentor.ratings,
        goals_completed=mentor.goals_completed,
        goals=mentor.goals,
        skills_growth=round(mentor.growth, 2)
        if growth_shown and mentor.growth is not None
        else None,
        skills_growth_mentees=mentor.growth_mentees if growth_shown else None,
        skills_growth_hidden=bool(mentor.growth_mentees) and not growth_shown,
    )


def first_page(
    program_id: str, rows: Sequence[tuple[str, Mapping[str, Any]]], limit: int
) -> MentorImpactReport:
    """The first page from the view's stored first rows: (rank, `MentorImpact` as stored).

    ``rows`` must hold ``limit`` + 1 of them, or every listed mentor (`analytics.domain.heads`).
    """
    shown = rows[:limit]
    more = len(rows) > limit and shown
    return MentorImpactReport(
        program_id=program_id,
        mentors=[MentorImpact.model_validate(row) for _, row in shown],
        next_cursor=cursor_of(shown[-1][0]) if more else None,
    )


def mentor_page(program_id: str, mentors: list[MentorFact], limit: int) -> MentorImpactReport:
    """The page of ``mentors``, as read in the view's order.

    Read ``limit`` + 1 of them: the one more tells that a next page exists.
    """
    shown = mentors[:limit]
    more = len(mentors) > limit and shown
    return MentorImpactReport(
        program_id=program_id,
        mentors=[impact_of(mentor) for mentor in shown],
        next_cursor=cursor_after(shown[-1]) if more else None,
    )
