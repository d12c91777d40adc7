"""Value types shared by the event schemas.

Every type validates what it accepts, so a subscriber can trust a decoded event without
re-checking it, and a producer cannot publish something malformed.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
    Field(description="An opaque identifier: letters, digits and . _ : - (at most 64)."),
]
"""Opaque ids (participants, pairs, sessions, ...). Never an e-mail or a name."""

Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_.-]*$"),
    Field(description="A normalised choice key: lower-case letters, digits and _ . -"),
]
"""A normalised choice value (a skill, goal, discipline, location, interest ...)."""

LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$"),
    Field(description="An ISO 639 language code, optionally with a region (e.g. en, pt-br)."),
]


def _known_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        msg = f"unknown IANA time zone {name!r}"
        raise ValueError(msg) from error
    return name


TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_time_zone),
    Field(description="An IANA time zone name such as Europe/Berlin."),
]


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float):
        msg = "a date-time is an ISO 8601 string, not a number"
        raise ValueError(msg)  # noqa: TRY004 - pydantic reports ValueError as a field's problem
    return value


UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
"""A timezone-aware instant, normalised to UTC, given as ISO 8601 (a number, which pydantic
would read as seconds since 1970, is refused: the documents say `date-time`)."""


def utc_now() -> datetime:
    """Return the current instant in UTC (the only clock the contracts use)."""
    return datetime.now(UTC)


class ParticipantRole(StrEnum):
    """The role a participant registers for."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"


class ProgramFormat(StrEnum):
    """How a program pairs people."""

    ONE_ON_ONE = "one_on_one"
    GROUP = "group"
    PEER = "peer"
    REVERSE = "reverse"
    FLASH = "flash"


class Cadence(StrEnum):
    """How often a pair meets."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class MatchingMode(StrEnum):
    """Who forms the pairs."""

    ADMIN_LED = "admin_led"
    MENTEE_CHOICE = "mentee_choice"
    BOTH = "both"


class ProgramGoal(StrEnum):
    """The purpose a program serves."""

    LEADERSHIP_DEVELOPMENT = "leadership_development"
    ONBOARDING = "onboarding"
    DIVERSITY_AND_INCLUSION = "diversity_and_inclusion"
    CAREER_DEVELOPMENT = "career_development"
    RETENTION = "retention"
    CULTURE = "culture"
    KNOWLEDGE_TRANSFER = "knowledge_transfer"
    OTHER = "other"


class RegistrationStatus(StrEnum):
    """Whether a program accepts registrations."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class ProgramLifecycle(StrEnum):
    """Where a program is in its life: each transition is checked by registration."""

    DRAFT = "draft"
    REGISTRATION_OPEN = "registration_open"
    MATCHING = "matching"
    RUNNING = "running"
    CLOSED = "closed"


class WithdrawalReason(StrEnum):
    """Why a participant left a program."""

    PARTICIPANT_REQUEST = "participant_request"
    """They (or an admin for them) withdrew."""
    LEFT_ORGANISATION = "left_organisation"
    """The directory deactivated them (SCIM ``active: false`` or DELETE, or an HRIS import)."""


class DirectorySource(StrEnum):
    """Where the directory learnt a person from."""

    SCIM = "scim"
    HRIS_IMPORT = "hris_import"
    REGISTRATION = "registration"


class Seniority(StrEnum):
    """Career levels, in ascending order (see `SENIORITY_ORDER`)."""

    CO_OP = "co_op"
    ASSOCIATE = "associate"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    DIRECTOR = "director"
    EXECUTIVE = "executive"


SENIORITY_ORDER: dict[Seniority, int] = {level: rank for rank, level in enumerate(Seniority)}
"""Rank of each level: co-op is 0, executive is 5."""


class PairEndReason(StrEnum):
    """Why a pair ended."""

    COMPLETED = "completed"
    NOT_A_GOOD_FIT = "not_a_good_fit"
    PARTICIPANT_WITHDREW = "participant_withdrew"
    PARTICIPANT_ERASED = "participant_erased"
    PROGRAM_ENDED = "program_ended"
    ADMIN_DECISION = "admin_decision"


class UnmatchedReason(StrEnum):
    """Why a participant got no match in a run."""

    NO_COMPATIBLE_PARTNER = "no_compatible_partner"
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    NOT_SELECTED = "not_selected"
    FORBIDDEN_BY_ADMIN = "forbidden_by_admin"
    NO_PICK_AVAILABLE = "no_pick_available"


class SolverStatus(StrEnum):
    """The outcome of a matching run's optimisation."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"


class SessionCancelReason(StrEnum):
    """Why a session was cancelled."""

    PARTICIPANT_REQUEST = "participant_request"
    PAIR_ENDED = "pair_ended"
    PROGRAM_ENDED = "program_ended"
    ADMIN_DECISION = "admin_decision"


class FitConcern(StrEnum):
    """A category for a "not a good fit" answer (free text stays in the feedback service)."""

    GOALS_MISMATCH = "goals_mismatch"
    SKILLS_MISMATCH = "skills_mismatch"
    AVAILABILITY = "availability"
    COMMUNICATION = "communication"
    OTHER = "other"


class SurveyKind(StrEnum):
    """When a program survey is taken."""

    MID_PROGRAM = "mid_program"
    CLOSING = "closing"


class OutcomeKind(StrEnum):
    """A business outcome an HRIS reports about an employee, on a day."""

    HIRED = "hired"
    PROMOTION = "promotion"
    ROLE_CHANGE = "role_change"
    DEPARTMENT_CHANGE = "department_change"
    EXIT = "exit"
    PERFORMANCE_BAND = "performance_band"


class RecognitionSource(StrEnum):
    """Who recognised a mentor: a manager, or a program rule they met."""

    MANAGER = "manager"
    RULE = "rule"


class RaterKind(StrEnum):
    """Who rated a mentee's skills: themselves, their mentor, their manager or a peer (360)."""

    SELF = "self"
    MENTOR = "mentor"
    MANAGER = "manager"
    PEER = "peer"


class AssessmentMoment(StrEnum):
    """When in a program a skills assessment is made."""

    BASELINE = "baseline"
    MIDPOINT = "midpoint"
    END = "end"
