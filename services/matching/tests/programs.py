"""Random programs and pools for property-based tests, and the hard rules restated.

The rules here are written from the product brief, participant by participant, without
any of the service's vectorised code: the tests check the service against them.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st

from mentorship_contracts.events import ParticipantRegistered, ProgramCreated
from mentorship_contracts.events.participant import MatchingProfile, ParticipantState
from mentorship_contracts.events.program import CriterionWeights, MatchingRules, MatchingSettings
from mentorship_contracts.examples import example
from mentorship_contracts.types import (
    SENIORITY_ORDER,
    ParticipantRole,
    ProgramFormat,
    Seniority,
)

TIME_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Tokyo")
LANGUAGES = ("en", "de", "fr")
LOCATIONS = ("berlin", "london", "nyc")
TOPICS = ("delegation", "finance", "hiring", "python", "speaking")
DISCIPLINES = ("engineering", "product", "sales")
DEPARTMENTS = ("finance", "product", "sales")


def some(values: tuple[str, ...], *, max_size: int = 2) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True).map(tuple)


profiles = st.builds(
    MatchingProfile,
    seniority=st.one_of(st.none(), st.sampled_from(list(Seniority))),
    discipline=st.one_of(st.none(), st.sampled_from(DISCIPLINES)),
    disciplines_experienced=some(DISCIPLINES),
    preferred_mentor_disciplines=some(DISCIPLINES, max_size=1),
    locations=some(LOCATIONS),
    remote_ok=st.booleans(),
    time_zone=st.sampled_from(TIME_ZONES),
    languages=some(LANGUAGES),
    skills_wanted=some(TOPICS, max_size=3),
    skills_offered=some(TOPICS, max_size=3),
    goals_wanted=some(TOPICS),
    goals_achieved=some(TOPICS),
    interests=some(TOPICS),
)


@st.composite
def pools(
    draw: st.DrawFn, *, max_size: int = 14, peer: bool = False
) -> list[ParticipantRegistered]:
    """Participants with reporting lines among themselves; some people register twice."""
    size = draw(st.integers(2, max_size))
    people = [f"person-{k}" for k in range(size)]
    pool = []
    for index in range(size):
        role = ParticipantRole.BOTH if peer else draw(st.sampled_from(list(ParticipantRole)))
        mentors = role in {ParticipantRole.MENTOR, ParticipantRole.BOTH}
        twice = index > 0 and draw(st.integers(0, 9)) == 0
        managers = draw(st.lists(st.sampled_from(people), max_size=2, unique=True))
        pool.append(
            ParticipantRegistered(
                participant_id=f"part-{index}",
                program_id="prog-1",
                person_id=people[index - 1] if twice else people[index],
                role=role,
                capacity=draw(st.integers(1, 3)) if mentors else 0,
                department=draw(st.one_of(st.none(), st.sampled_from(DEPARTMENTS))),
                reporting_line=tuple(managers),
                profile=draw(profiles),
                questionnaire_version=1,
                registered_at=datetime(2026, 2, 1, tzinfo=UTC),
            )
        )
    return pool


@st.composite
def rule_sets(draw: st.DrawFn) -> MatchingRules:
    return MatchingRules(
        max_time_zone_gap_hours=draw(st.sampled_from([None, 3.0, 6.0])),
        reporting_line_depth=draw(st.integers(0, 2)),
        require_shared_language=draw(st.booleans()),
        in_person_required=draw(st.booleans()),
        pick_bonus=draw(st.sampled_from([0.0, 1.0, 3.0])),
    )


def program(
    format_: ProgramFormat = ProgramFormat.ONE_ON_ONE,
    rules: MatchingRules | None = None,
    weights: CriterionWeights | None = None,
    **changes: Any,
) -> ProgramCreated:
    """The example program with the given format, rules and weights."""
    settings = MatchingSettings(
        rules=rules or MatchingRules(), weights=weights or CriterionWeights()
    )
    group = {"max_group_size": 2} if format_ is ProgramFormat.GROUP else {}
    fields: dict[str, Any] = {"program_id": "prog-1", "format": format_, "matching": settings}
    return example(ProgramCreated, **fields | group | changes)


def broken_rule(
    program: ProgramCreated, mentee: ParticipantState, mentor: ParticipantState
) -> str | None:
    """The first hard rule the pair breaks, or None: the product brief's rules, plainly."""
    rules = program.matching.rules
    a, b = mentee.profile, mentor.profile
    depth = rules.reporting_line_depth
    common_location = bool(set(a.locations) & set(b.locations))
    checks = {
        "same person": mentee.person_id == mentor.person_id,
        "reporting line": mentor.person_id in mentee.reporting_line[:depth]
        or mentee.person_id in mentor.reporting_line[:depth],
        "language": rules.require_shared_language
        and bool(a.languages and b.languages)
        and not set(a.languages) & set(b.languages),
        "time zone": rules.max_time_zone_gap_hours is not None
        and _gap(a.time_zone, b.time_zone, program.starts_on) > rules.max_time_zone_gap_hours,
        "location": not common_location
        and (rules.in_person_required or not (a.remote_ok and b.remote_ok)),
        "seniority": not _seniority_fits(program.format, a.seniority, b.seniority),
    }
    return next((rule for rule, broken in checks.items() if broken), None)


def _seniority_fits(
    format_: ProgramFormat, mentee: Seniority | None, mentor: Seniority | None
) -> bool:
    if mentee is None or mentor is None:
        return True
    mentee_rank, mentor_rank = SENIORITY_ORDER[mentee], SENIORITY_ORDER[mentor]
    if format_ is ProgramFormat.PEER:
        return abs(mentor_rank - mentee_rank) <= 1
    if format_ is ProgramFormat.REVERSE:
        return mentee_rank > mentor_rank
    return mentor_rank > mentee_rank


def _gap(left: str, right: str, on: date) -> float:
    gap = abs(_offset(left, on) - _offset(right, on))
    return min(gap, 24 - gap)


def _offset(time_zone: str, on: date) -> float:
    moment = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    offset = moment.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR


def person(
    participant_id: str,
    role: ParticipantRole,
    *,
    capacity: int = 0,
    department: str | None = "product",
    reporting_line: tuple[str, ...] = (),
    program_id: str = "prog-1",
    **profile: object,
) -> ParticipantRegistered:
    """A participant with sensible defaults (Berlin, English, seniority by role)."""
    defaults: dict[str, object] = {
        "seniority": Seniority.SENIOR if role is ParticipantRole.MENTOR else Seniority.ASSOCIATE,
        "languages": ("en",),
        "time_zone": "Europe/Berlin",
        "locations": ("berlin",),
    }
    return ParticipantRegistered.model_validate(
        {
            "participant_id": participant_id,
            "program_id": program_id,
            "person_id": f"person-{participant_id}",
            "role": role,
            "capacity": capacity,
            "department": department,
            "reporting_line": reporting_line,
            "profile": MatchingProfile.model_validate(defaults | profile),
            "questionnaire_version": 1,
            "registered_at": "2026-02-01T00:00:00Z",
        }
    )
