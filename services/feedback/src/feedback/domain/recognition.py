"""Mentor recognition: by a manager, or by a program rule (held sessions and mentees' rating).

A mentor is recognised at most once per source (manager, rule) in a program; recognising
them again changes nothing. `MentorRecognized` carries ids and numbers only, so the
notifications service can tell them and analytics can show it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from feedback.domain.decisions import Decision
from feedback.domain.records import Record, stable_id
from mentorship_contracts.events import MentorRecognized
from mentorship_contracts.types import RecognitionSource


class Recognition(Record):
    """A mentor's recognition, with what they had achieved when it was given."""

    recognition_id: str
    program_id: str
    participant_id: str
    source: RecognitionSource
    sessions_held: int
    average_rating: float | None
    recognized_at: datetime


@dataclass(frozen=True, slots=True)
class MentorRecord:
    """What a mentor achieved in a program: held sessions, their mentees' ratings."""

    participant_id: str
    sessions_held: int
    mentee_ratings: Sequence[int]

    @property
    def average_rating(self) -> float | None:
        """The mentees' average rating (None without ratings)."""
        ratings = self.mentee_ratings
        return round(sum(ratings) / len(ratings), 2) if ratings else None


@dataclass(frozen=True, slots=True)
class RecognitionRule:
    """At least ``min_sessions`` held sessions and an average rating of ``min_average_rating``."""

    min_sessions: int
    min_average_rating: float

    def met_by(self, mentor: MentorRecord) -> bool:
        """Whether ``mentor`` meets the rule."""
        average = mentor.average_rating
        return (
            mentor.sessions_held >= self.min_sessions
            and average is not None
            and average >= self.min_average_rating
        )


def recognition_id(program_id: str, participant_id: str, source: RecognitionSource) -> str:
    """The one recognition of a mentor from a source in a program."""
    return stable_id("rec", program_id, participant_id, source.value)


def recognize(
    mentor: MentorRecord,
    *,
    program_id: str,
    source: RecognitionSource,
    already: Collection[str],
    now: datetime,
) -> Decision[Recognition] | None:
    """Recognise ``mentor`` (None: they already were, from this source)."""
    the_id = recognition_id(program_id, mentor.participant_id, source)
    if the_id in already:
        return None
    recognition = Recognition(
        recognition_id=the_id,
        program_id=program_id,
        participant_id=mentor.participant_id,
        source=source,
        sessions_held=mentor.sessions_held,
        average_rating=mentor.average_rating,
        recognized_at=now,
    )
    event = MentorRecognized(
        recognition_id=the_id,
        program_id=program_id,
        participant_id=mentor.participant_id,
        source=source,
        sessions_held=mentor.sessions_held,
        average_rating=mentor.average_rating,
        recognized_at=now,
    )
    return Decision(recognition, (event,))


def recognize_by_rule(
    mentors: Iterable[MentorRecord],
    rule: RecognitionRule,
    *,
    program_id: str,
    already: Collection[str],
    now: datetime,
) -> list[Decision[Recognition]]:
    """Recognise every mentor who meets ``rule`` and was not recognised by a rule yet."""
    decisions = []
    for mentor in mentors:
        if not rule.met_by(mentor):
            continue
        decision = recognize(
            mentor, program_id=program_id, source=RecognitionSource.RULE, already=already, now=now
        )
        if decision is not None:
            decisions.append(decision)
    return decisions
