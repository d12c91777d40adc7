"""Participants as arrays, so rules and criteria are computed for millions of pairs at once.

Set-valued answers (skills, languages, locations ...) become bit masks: one ``uint64`` word
per 64 distinct values, so an overlap is an AND and a population count.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import NDArray

from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.types import SENIORITY_ORDER

UNKNOWN = -1
"""Code of a missing seniority, department or manager."""

Masks = NDArray[np.uint64]
Codes = NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The distinct values of one set-valued answer, each given a bit."""

    values: tuple[str, ...]

    @classmethod
    def of(cls, *groups: Iterable[Iterable[str]]) -> Vocabulary:
        """Every value that appears in any of ``groups``, in a stable order."""
        return cls(tuple(sorted(set().union(*(value for group in groups for value in group)))))

    @property
    def words(self) -> int:
        """``uint64`` words per mask."""
        return max(1, -(-len(self.values) // 64))

    def masks(self, sets: Sequence[Sequence[str]]) -> Masks:
        """One mask row per set."""
        index = {value: position for position, value in enumerate(self.values)}
        lengths = np.fromiter((len(values) for values in sets), dtype=np.intp, count=len(sets))
        positions = np.fromiter(
            (index[value] for values in sets for value in values),
            dtype=np.uint64,
            count=int(lengths.sum()),
        )
        masks = np.zeros((len(sets), self.words), dtype=np.uint64)
        if len(positions):
            rows = np.repeat(np.arange(len(sets)), lengths)
            words = (positions // np.uint64(64)).astype(np.intp)
            np.bitwise_or.at(masks, (rows, words), np.uint64(1) << (positions % np.uint64(64)))
        return masks


def overlap(left: Masks, right: Masks) -> NDArray[np.int32]:
    """How many values each pair shares; masks broadcast, words on the last axis."""
    if left.shape[-1] == 1:
        return np.bitwise_count(left[..., 0] & right[..., 0]).astype(np.int32)
    return np.bitwise_count(left & right).sum(axis=-1, dtype=np.int32)


def size(masks: Masks) -> NDArray[np.int32]:
    """How many values each mask holds (words on the last axis)."""
    if masks.shape[-1] == 1:
        return np.bitwise_count(masks[..., 0]).astype(np.int32)
    return np.bitwise_count(masks).sum(axis=-1, dtype=np.int32)


def utc_offset_hours(time_zone: str, on: date) -> float:
    """The zone's offset from UTC at noon on ``on`` (daylight saving as it is then)."""
    moment = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    offset = moment.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the market (mentees or mentors) as arrays, row per participant."""

    participants: tuple[ParticipantState, ...]
    person: Codes
    department: Codes
    manager: Codes
    seniority: Codes
    utc_offset: NDArray[np.float64]
    remote_ok: NDArray[np.bool_]
    locations: Masks
    languages: Masks
    skills_wanted: Masks
    skills_offered: Masks
    goals_wanted: Masks
    goals_achieved: Masks
    interests: Masks
    preferred_disciplines: Masks
    disciplines: Masks
    """The current discipline and every experienced one."""

    def __len__(self) -> int:
        return len(self.participants)


@dataclass(frozen=True, slots=True)
class Encoder:
    """Encodes both sides against shared vocabularies and codes."""

    people: dict[str, int]
    departments: dict[str, int]
    locations: Vocabulary
    languages: Vocabulary
    skills: Vocabulary
    goals: Vocabulary
    interests: Vocabulary
    disciplines: Vocabulary
    reference_day: date

    @classmethod
    def for_participants(
        cls, participants: Sequence[ParticipantState], reference_day: date
    ) -> Encoder:
        """Vocabularies and codes covering every participant (either side)."""
        profiles = [p.profile for p in participants]
        people: dict[str, int] = {}
        for participant in participants:
            for person in (participant.person_id, *participant.reporting_line):
                people.setdefault(person, len(people))
        return cls(
            people=people,
            departments={
                department: code
                for code, department in enumerate(
                    sorted({p.department for p in participants if p.department})
                )
            },
            locations=Vocabulary.of([p.locations for p in profiles]),
            languages=Vocabulary.of([p.languages for p in profiles]),
            skills=Vocabulary.of(
                [p.skills_wanted for p in profiles], [p.skills_offered for p in profiles]
            ),
            goals=Vocabulary.of(
                [p.goals_wanted for p in profiles], [p.goals_achieved for p in profiles]
            ),
            interests=Vocabulary.of([p.interests for p in profiles]),
            disciplines=Vocabulary.of(
                [p.disciplines_experienced for p in profiles],
                [p.preferred_mentor_disciplines for p in profiles],
                [(p.discipline,) for p in profiles if p.discipline],
            ),
            reference_day=reference_day,
        )

    def _utc_offsets(self, time_zones: Sequence[str]) -> NDArray[np.float64]:
        offsets = {zone: utc_offset_hours(zone, self.reference_day) for zone in set(time_zones)}
        return np.array([offsets[zone] for zone in time_zones], dtype=np.float64)

    def side(self, participants: Sequence[ParticipantState]) -> Side:
        """The arrays of ``participants``."""
        profiles = [p.profile for p in participants]
        return Side(
            participants=tuple(participants),
            person=np.array([self.people[p.person_id] for p in participants], dtype=np.int32),
            department=np.array(
                [self.departments.get(p.department or "", UNKNOWN) for p in participants],
                dtype=np.int32,
            ),
            manager=np.array(
                [
                    self.people[p.reporting_line[0]] if p.reporting_line else UNKNOWN
                    for p in participants
                ],
                dtype=np.int32,
            ),
            seniority=np.array(
                [SENIORITY_ORDER[f.seniority] if f.seniority else UNKNOWN for f in profiles],
                dtype=np.int32,
            ),
            utc_offset=self._utc_offsets([f.time_zone for f in profiles]),
            remote_ok=np.array([f.remote_ok for f in profiles], dtype=np.bool_),
            locations=self.locations.masks([f.locations for f in profiles]),
            languages=self.languages.masks([f.languages for f in profiles]),
            skills_wanted=self.skills.masks([f.skills_wanted for f in profiles]),
            skills_offered=self.skills.masks([f.skills_offered for f in profiles]),
            goals_wanted=self.goals.masks([f.goals_wanted for f in profiles]),
            goals_achieved=self.goals.masks([f.goals_achieved for f in profiles]),
            interests=self.interests.masks([f.interests for f in profiles]),
            preferred_disciplines=self.disciplines.masks(
                [f.preferred_mentor_disciplines for f in profiles]
            ),
            disciplines=self.disciplines.masks(
                [
                    (*f.disciplines_experienced, *((f.discipline,) if f.discipline else ()))
                    for f in profiles
                ]
            ),
        )
