"""What the portal reads from the services' APIs, as the pages need it.

Only the fields the pages use are declared; anything else the APIs send is ignored, so a
service adding a field never breaks a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

AnswerValue = str | int | float | list[str]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class QuestionKind(StrEnum):
    """How a question is answered."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    SCALE = "scale"
    FREE_TEXT = "free_text"


class Choice(_View):
    """One option of a choice question."""

    key: str
    label: str


class Condition(_View):
    """Shown only when an earlier choice answer is one of ``any_of``."""

    question: str
    any_of: tuple[str, ...]


class Question(_View):
    """One question of a program's questionnaire."""

    key: str
    prompt: str
    help: str = ""
    kind: QuestionKind
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_selections: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    max_length: int = 2000
    show_if: Condition | None = None
    meaning: str | None = None
    """What the answer means to matching (``skills_wanted``: the skills to grow)."""

    def label_of(self, key: str) -> str:
        """The label of choice ``key`` (the key itself when unknown)."""
        return next((choice.label for choice in self.choices if choice.key == key), key)


class Questionnaire(_View):
    """One version of a program's questionnaire."""

    version: int
    questions: tuple[Question, ...]


class ProgramTopics(_View):
    """The skills and goals a program's sessions may cover."""

    skills: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()


class Program(_View):
    """A program as participants see it."""

    program_id: str
    name: str
    goal: str
    format: str
    cadence: str
    starts_on: date
    ends_on: date
    registration_status: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    matching_mode: str
    time_zone: str = "UTC"
    topics: ProgramTopics = ProgramTopics()

    @property
    def mentees_choose(self) -> bool:
        """Whether mentees name the mentors they would like."""
        return self.matching_mode in {"mentee_choice", "both"}


class Registration(_View):
    """The caller's registration in a program."""

    participant_id: str
    program_id: str
    employee_id: str
    name: str
    email: str
    department: str | None = None
    manager_employee_id: str | None = None
    status: str
    role: str
    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    preferred_mentors: tuple[str, ...] = ()
    registered_at: datetime
    withdrew_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Registered and not withdrawn."""
        return self.withdrew_at is None and self.status != "withdrawn"


class SessionStatus(StrEnum):
    """Where a session stands."""

    SCHEDULED = "scheduled"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


class Session(_View):
    """One session of a pair's series."""

    session_id: str
    pair_id: str
    program_id: str
    sequence: int
    participant_ids: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    local_starts_at: dict[str, datetime] = Field(default_factory=dict)
    status: SessionStatus
    held_at: datetime | None = None
    held_minutes: int | None = None
    cancel_reason: str | None = None


class Member(_View):
    """A member of a pair (or group) and their role in it."""

    participant_id: str
    role: str


class Series(_View):
    """A pair's series of sessions."""

    pair_id: str
    program_id: str
    members: tuple[Member, ...]
    time_zone: str
    ended: bool
    sessions: tuple[Session, ...]

    def role_of(self, participant_id: str) -> str | None:
        """A member's role (None: not one of the members)."""
        return next((m.role for m in self.members if m.participant_id == participant_id), None)

    @property
    def mentee_ids(self) -> list[str]:
        """The mentees' participant ids, in the members' order."""
        return [m.participant_id for m in self.members if m.role == "mentee"]

    def is_mentor(self, participant_id: str | None) -> bool:
        """Whether ``participant_id`` (the caller's, None: not registered) is the mentor."""
        return participant_id is not None and self.role_of(participant_id) == "mentor"

    @property
    def is_group(self) -> bool:
        """Whether the series is a group's (several mentees): feedback wants ``?mentee=``."""
        return len(self.mentee_ids) > 1

    def mentee_query(self, caller_id: str | None) -> str | None:
        """The ``?mentee=`` that names the caller's own pair to feedback's pair routes.

        Her own participant id when she is one of a group's mentees; None for a pair (its own
        id names it) and for anyone else of a group (its mentor: no one pair is hers).
        """
        if self.is_group and caller_id is not None and self.role_of(caller_id) == "mentee":
            return caller_id
        return None


class CalendarFeed(_View):
    """The caller's secret calendar feed."""

    url: str
    webcal_url: str


class Agreement(_View):
    """A pair's mentoring agreement."""

    expectations: str
    meeting_frequency: str
    confidentiality: str
    boundaries: str = ""
    version: int
    acknowledged_by: tuple[str, ...] = ()
    acknowledged_by_both: bool = False


class AgreementStanding(StrEnum):
    """Where one mentee's agreement with a group's mentor stands, as the mentor sees it."""

    ACKNOWLEDGED = "acknowledged"
    """Both acknowledged its current version."""
    AWAITS_MENTOR = "awaits_mentor"
    """The mentor has not acknowledged its current version (whatever the mentee did)."""
    AWAITS_MENTEE = "awaits_mentee"
    """The mentor acknowledged it; the mentee has not."""
    NOT_WRITTEN = "not_written"
    """No version yet: the mentee writes it."""
    UNAVAILABLE = "unavailable"
    """Feedback could not say."""


def agreement_standing(agreement: Agreement | None, mentor: str) -> AgreementStanding:
    """Where ``agreement`` (None: not written) stands for ``mentor`` (a participant id)."""
    if agreement is None:
        return AgreementStanding.NOT_WRITTEN
    if agreement.acknowledged_by_both:
        return AgreementStanding.ACKNOWLEDGED
    if mentor not in agreement.acknowledged_by:
        return AgreementStanding.AWAITS_MENTOR
    return AgreementStanding.AWAITS_MENTEE


class Milestone(_View):
    """A step towards a goal."""

    title: str
    reached: bool


class Goal(_View):
    """A goal of the mentee's development plan."""

    goal_id: str
    topic: str
    title: str
    milestones: tuple[Milestone, ...] = ()
    progress_percent: int
    completed: bool


class Progress(_View):
    """Progress on one skill or goal, 1-5."""

    topic: str
    level: int


class Feedback(_View):
    """One member's feedback on a session."""

    participant_id: str
    author_role: str
    rating: int
    topics: tuple[str, ...] = ()
    action_items: tuple[str, ...] = ()
    progress: tuple[Progress, ...] = ()
    private_notes: str | None = None
    revision: int


class FitAnswer(_View):
    """One member's answer to "is this a good fit?"."""

    participant_id: str
    good_fit: bool
    concern: str | None = None


class AgendaItem(_View):
    """A point of an agenda and the minutes it takes."""

    item: str
    minutes: int


class Agenda(_View):
    """The suggested agenda of a pair's next session."""

    kind: str
    title: str
    purpose: str
    items: tuple[AgendaItem, ...] = ()
    questions: tuple[str, ...] = ()


class InCommon(_View):
    """What a mentee and a mentor share, answer by answer (matching's view)."""

    skills: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    both_remote: bool = False
    time_zone_gap_hours: float = 0.0


class MatchedPair(_View):
    """One of the caller's pairs as matching explains it."""

    pair_id: str
    program_id: str
    group_id: str | None = None
    participant_id: str
    role: str
    partner_participant_ids: tuple[str, ...] = ()
    mentee_participant_id: str | None = None
    """The pair's own mentee (in a group, whom this explanation is about)."""
    score: float
    contributions: dict[str, float] = Field(default_factory=dict)
    weights: dict[str, float] = Field(default_factory=dict)
    pick_bonus: float = 0.0
    in_common: InCommon | None = None
    status: str
    created_at: datetime

    def belongs_to(self, series_id: str) -> bool:
        """Whether this pair is the series ``series_id`` (a pair's id, or its group's)."""
        return series_id in {self.pair_id, self.group_id}


class MentorOffer(_View):
    """What a mentor told the program that matching compares (no name)."""

    department: str | None = None
    seniority: str | None = None
    discipline: str | None = None
    disciplines_experienced: tuple[str, ...] = ()
    skills_offered: tuple[str, ...] = ()
    goals_achieved: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    remote_ok: bool = False
    time_zone: str = "UTC"


class Candidate(_View):
    """A mentor the caller may pick, and how well they fit."""

    mentor_participant_id: str
    score: float
    fit: float
    contributions: dict[str, float] = Field(default_factory=dict)
    room: int
    pick_rank: int | None = None
    in_common: InCommon = InCommon()
    offer: MentorOffer = MentorOffer()


class Candidates(_View):
    """The mentors the caller may pick in a program, best fit first."""

    program_id: str
    mentee_participant_id: str
    picks: tuple[str, ...] = ()
    max_score: float
    weights: dict[str, float] = Field(default_factory=dict)
    total: int
    excluded: int
    candidates: tuple[Candidate, ...] = ()

    def with_picks(self, picks: Sequence[str]) -> Candidates:
        """The same mentors ranked by ``picks``, the registration's own (best first).

        Registration holds the picks; matching learns them from an event, so just after a
        person saves new picks its ranks may still be the old ones.
        """
        rank = {mentor: position for position, mentor in enumerate(picks, start=1)}
        return self.model_copy(
            update={
                "picks": tuple(picks),
                "candidates": tuple(
                    candidate.model_copy(
                        update={"pick_rank": rank.get(candidate.mentor_participant_id)}
                    )
                    for candidate in self.candidates
                ),
            }
        )


class SurveyAnswers(_View):
    """The caller's answers to a survey, as last given."""

    growth_rating: int
    relationship_rating: int
    skills_developing: tuple[str, ...] = ()
    recommend_score: int
    would_join_again: bool
    comments: str = ""


class SurveyOffer(_View):
    """One of a program's surveys: when it takes answers and what the caller answered."""

    kind: str
    opens_at: datetime
    closes_at: datetime
    status: str
    answered: bool | None = None
    my_answers: SurveyAnswers | None = None

    @property
    def open(self) -> bool:
        """Whether it takes answers now."""
        return self.status == "open"

    @property
    def last_day(self) -> date:
        """The last day it takes answers (in the program's time zone, as the API gives it)."""
        return (self.closes_at - timedelta(microseconds=1)).date()


Json = dict[str, Any]


class PartnerProfile(_View):
    """Who a pair member is (registration shows it to the people paired with them)."""

    participant_id: str
    role: str
    name: str
    title: str | None = None
    department: str | None = None
    in_directory: bool = True
    skills_offered: tuple[str, ...] = ()
    skills_wanted: tuple[str, ...] = ()
    goals_achieved: tuple[str, ...] = ()
    goals_wanted: tuple[str, ...] = ()

    @property
    def offers(self) -> tuple[str, ...]:
        """What they bring: skills they offer and goals they reached."""
        return self.skills_offered + self.goals_achieved

    @property
    def wants(self) -> tuple[str, ...]:
        """What they look for: skills and goals they want."""
        return self.skills_wanted + self.goals_wanted


class ErasureRequest(_View):
    """The caller's open request to be erased (registration keeps it until an admin erases)."""

    request_id: str
    requested_at: datetime


class QuietHours(_View):
    """Local hours without messages (may span midnight)."""

    start: time
    end: time


class NotificationPreferences(_View):
    """A person's notification preferences (notifications service); none chosen: defaults."""

    language: str | None = None
    time_zone: str | None = None
    channels: dict[str, list[str]] = Field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    cadence: dict[str, str] = Field(default_factory=dict)
    unsubscribed: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None


class RaterForm(_View):
    """What a rater link asks: a level 1-5 for each skill (the mentee is not named)."""

    rater_kind: str
    moment: str
    skills: list[str]
    expires_at: datetime


class RaterReceipt(_View):
    """A rater's answer, recorded."""

    rater_kind: str
    moment: str
    assessed_at: datetime
