"""A person's pairs as they see them: their side, who they meet, and what they have in common.

Pairs name their members by participant id and by person id (the pseudonym every service
derives from the employee id), so a caller's token finds their pairs without any employee
id stored here. What the two have in common is read off their matching profiles (while both
are still in the program's pool): the concrete answers behind the score's contributions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from matching.domain.encoding import utc_offset_hours
from matching.domain.pairs import Pair, PairStatus
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.types import ParticipantRole


@dataclass(frozen=True, slots=True)
class InCommon:
    """What a mentee and her mentor share, answer by answer."""

    skills: tuple[str, ...]
    """Skills the mentee wants to grow that the mentor offers."""
    goals: tuple[str, ...]
    """Goals the mentee wants to reach that the mentor has reached."""
    disciplines: tuple[str, ...]
    """Disciplines the mentee would like her mentor to come from that the mentor knows."""
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    locations: tuple[str, ...]
    both_remote: bool
    time_zone_gap_hours: float
    """Hours between their time zones (the short way round the clock)."""


@dataclass(frozen=True, slots=True)
class MemberPair:
    """A pair seen by one of its members."""

    pair: Pair
    participant_id: str
    """The member's participant id in the pair's program."""
    role: ParticipantRole
    """Their side of the pair: mentor or mentee."""
    partners: tuple[str, ...]
    """Participant ids of the others they meet: the other member, and for a group pair every
    member of the group's active pairs."""
    in_common: InCommon | None
    """None once one of them left the program's pool."""


def in_common(mentee: ParticipantState, mentor: ParticipantState, day: date) -> InCommon:
    """What ``mentee`` and ``mentor`` share (their time zones' gap as it is on ``day``)."""
    wanted, offered = mentee.profile, mentor.profile
    gap = abs(utc_offset_hours(wanted.time_zone, day) - utc_offset_hours(offered.time_zone, day))

    def shared(left: Iterable[str], right: Iterable[str]) -> tuple[str, ...]:
        return tuple(value for value in dict.fromkeys(left) if value in set(right))

    mentor_disciplines = (
        *offered.disciplines_experienced,
        *((offered.discipline,) if offered.discipline else ()),
    )
    return InCommon(
        skills=shared(wanted.skills_wanted, offered.skills_offered),
        goals=shared(wanted.goals_wanted, offered.goals_achieved),
        disciplines=shared(wanted.preferred_mentor_disciplines, mentor_disciplines),
        interests=shared(wanted.interests, offered.interests),
        languages=shared(wanted.languages, offered.languages),
        locations=shared(wanted.locations, offered.locations),
        both_remote=wanted.remote_ok and offered.remote_ok,
        time_zone_gap_hours=min(gap, 24.0 - gap),
    )


def member_pairs(
    person_id: str,
    pairs: Iterable[Pair],
    group_pairs: Iterable[Pair],
    profiles: Mapping[str, ParticipantState],
) -> list[MemberPair]:
    """``person_id``'s ``pairs`` as they see them, newest first.

    ``group_pairs`` are the active pairs of the groups among ``pairs`` (to name everyone a
    group member meets); ``profiles`` the pool entries of the pairs' members (by
    participant id), to say what they have in common.
    """
    groups: dict[str, set[str]] = {}
    for pair in group_pairs:
        if pair.group_id is not None and pair.status is PairStatus.ACTIVE:
            members = groups.setdefault(pair.group_id, set())
            members.update((pair.mentor_participant_id, pair.mentee_participant_id))
    seen: list[MemberPair] = []
    for pair in pairs:
        for role, mine, other in (
            (ParticipantRole.MENTOR, pair.mentor_person_id, pair.mentee_participant_id),
            (ParticipantRole.MENTEE, pair.mentee_person_id, pair.mentor_participant_id),
        ):
            if mine != person_id:
                continue
            me = (
                pair.mentor_participant_id
                if role is ParticipantRole.MENTOR
                else pair.mentee_participant_id
            )
            others = {other} | groups.get(pair.group_id or "", set())
            mentee = profiles.get(pair.mentee_participant_id)
            mentor = profiles.get(pair.mentor_participant_id)
            seen.append(
                MemberPair(
                    pair=pair,
                    participant_id=me,
                    role=role,
                    partners=tuple(sorted(others - {me})),
                    in_common=(
                        in_common(mentee, mentor, pair.created_at.date())
                        if mentee and mentor
                        else None
                    ),
                )
            )
    seen.sort(key=lambda member: (member.pair.created_at, member.pair.pair_id), reverse=True)
    return seen
