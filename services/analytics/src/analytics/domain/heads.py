"""Heads: the first rows of a program's long ordered lists, stored whole.

A report's first page of a list that grows with the program (the mentor impact view, the
health report's inactive pairs, low ratings, poor fits and mentors over capacity) would
otherwise read the whole list, or a range of an index and the counters that bound it, to
show a hundred rows: its cost would grow with the program. A *head* keeps the list's first
`HEAD_SIZE` rows, in the list's order, in one document per program and list; the first page
is that one read.

Every row has a *rank* (a tuple of texts that sorts in the list's order, unique in the list:
it ends with the row's key) and its *row* (what the report shows). A head is a pure function
of the rows the program's documents and entries put in the list: the first `HEAD_SIZE` by
rank. A batch changes some rows (`Changes.heads`: new rows, or None for rows gone) and
`merge` brings the stored head up to date with them; when a change may have let in a row
the head does not hold (a head row fell behind the head's last, or left the list), `merge`
cannot tell which, and the head is read anew from where the list is kept (`refill`: the
mentors' index, the rhythms' index by staleness, or the set of entries) in the same
transaction. Either way the head is the same whatever the order and the number of
deliveries, and equals what a rebuild computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from analytics.domain.documents import (
    LowRatingEntry,
    MentorFact,
    OverCapacityEntry,
    PoorFitEntry,
    RhythmFact,
)
from analytics.domain.mentor_impact import DEFAULT_PAGE, impact_of

HEAD_SIZE: Final = DEFAULT_PAGE + 1
"""Rows a head keeps: a default page, and one more to tell that a next page exists."""
RATING_DIGITS: Final = 3


class Head(StrEnum):
    """The heads each program has (the aggregate document's section)."""

    MENTORS = "head_mentors"
    INACTIVE = "head_inactive"
    """Active pairs by the day they last met (or were created), stalest first: the health
    report's inactive pairs are its rows up to the cut-off day, whatever day it is asked."""
    LOW_RATINGS = "head_low_ratings"
    POOR_FITS = "head_poor_fits"
    OVER_CAPACITY = "head_over_capacity"


class HeadRow(BaseModel):
    """One row of a list: where it sorts, and what the report shows of it."""

    model_config = ConfigDict(frozen=True)

    rank: tuple[str, ...]
    row: dict[str, Any]


type HeadChanges = Mapping[str, HeadRow | None]
"""A batch's changes to one list: per row key, its new row (None: out of the list)."""


def first_rows(rows: Iterable[tuple[str, HeadRow]], size: int = HEAD_SIZE) -> list[HeadRow]:
    """The head of a whole list: its first ``size`` rows by rank."""
    return sorted((row for _, row in rows), key=lambda row: row.rank)[:size]


def merge(
    stored: Sequence[HeadRow], changes: HeadChanges, size: int = HEAD_SIZE
) -> list[HeadRow] | None:
    """The head after ``changes`` to the list whose head was ``stored``; None: read it anew.

    A head shorter than ``size`` holds the whole list. A full one holds every row up to its
    last; any row it does not hold ranks after that. So the rows it keeps and the changed rows
    that rank up to that last one are the first of the list, if there are ``size`` of them;
    with fewer, a row the head never held may come next: only the whole list tells (None).
    Row keys end their ranks (`HeadRow.rank`), so a row is found by its key.
    """
    changed = set(changes)
    kept = [row for row in stored if row.rank[-1] not in changed]
    candidates = sorted(
        [*kept, *(row for row in changes.values() if row is not None)], key=lambda row: row.rank
    )
    if len(stored) < size:
        return candidates[:size]
    last = stored[-1].rank
    within = [row for row in candidates if row.rank <= last]
    if len(within) < size:
        return None
    return within[:size]


def mentor_rows(rows: Sequence[HeadRow]) -> list[tuple[str, dict[str, Any]]]:
    """The mentors' head as `analytics.domain.mentor_impact.first_page` reads it."""
    return [(row.rank[0], row.row) for row in rows]


def mentor_row(mentor: MentorFact) -> HeadRow | None:
    """A listed mentor's row of the mentor impact view (None: not listed)."""
    if mentor.rank is None:
        return None
    return HeadRow(rank=(mentor.rank, mentor.id), row=impact_of(mentor).model_dump(mode="json"))


def low_rating_row(key: str, entry: LowRatingEntry) -> HeadRow:
    """A low rating's row: by session, pair and rating (as the health report lists them)."""
    rating = f"{entry.rating:0{RATING_DIGITS}d}"
    return HeadRow(
        rank=(entry.session_id, entry.pair_id, rating, key),
        row=entry.model_dump(mode="json"),
    )


def poor_fit_row(key: str, entry: PoorFitEntry) -> HeadRow:
    """A poor fit's row: by pair and concern."""
    concern = entry.concern.value if entry.concern else None
    return HeadRow(
        rank=(entry.pair_id, concern or "", key),
        row={"pair_id": entry.pair_id, "concern": concern},
    )


def over_capacity_row(key: str, entry: OverCapacityEntry) -> HeadRow:
    """A mentor over capacity's row: by their participant key."""
    return HeadRow(
        rank=(key,),
        row={
            "mentor_participant_id": entry.participant_id,
            "pairs": entry.pairs,
            "capacity": entry.capacity,
        },
    )


def stalest_rows(rhythm: RhythmFact) -> dict[str, HeadRow]:
    """Per active member pair of ``rhythm``, its row of the stalest pairs (by day, then id)."""
    rows = {}
    for pair_id, since in rhythm.last_active().items():
        day = since.date().isoformat()
        rows[pair_id] = HeadRow(rank=(day, pair_id), row={"pair_id": pair_id, "since": day})
    return rows


def stalest_first(rhythms: Iterable[RhythmFact], size: int) -> list[HeadRow]:
    """The first ``size`` rows of the stalest pairs among the members of ``rhythms``."""
    return first_rows((item for rhythm in rhythms for item in stalest_rows(rhythm).items()), size)
