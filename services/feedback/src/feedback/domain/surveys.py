"""Program surveys (mid-program and closing): when they are open, one response per participant.

When a survey opens is the program's rule, the same the notifications service announces
them by: the mid-program survey from the program's midpoint, the closing one
``closing_lead_days`` before its end (never before the midpoint); both stay open until
``grace_days`` after the end. Days begin at midnight in the program's time zone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from feedback.domain.decisions import Decision
from feedback.domain.membership import Participation
from feedback.domain.records import SurveyResponse, stable_id
from feedback.domain.topics import check_topics
from mentorship_contracts.events import SurveyResponseSubmitted
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import SurveyKind


class SurveyStatus(StrEnum):
    """Where a survey stands at a moment."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SurveyWindow:
    """When one of a program's surveys takes answers: from ``opens_at`` until ``closes_at``."""

    program_id: str
    kind: SurveyKind
    opens_at: datetime
    closes_at: datetime

    def status(self, now: datetime) -> SurveyStatus:
        """Upcoming, open or closed at ``now``."""
        if now < self.opens_at:
            return SurveyStatus.UPCOMING
        return SurveyStatus.OPEN if now < self.closes_at else SurveyStatus.CLOSED


def survey_windows(
    program: ProgramState, *, closing_lead_days: int, grace_days: int
) -> tuple[SurveyWindow, SurveyWindow]:
    """The program's mid-program and closing surveys, in that order."""
    zone = ZoneInfo(program.time_zone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), zone)

    midpoint = program.starts_on + (program.ends_on - program.starts_on) / 2
    closing = max(program.ends_on - timedelta(days=closing_lead_days), midpoint)
    closes_at = midnight(program.ends_on + timedelta(days=grace_days + 1))
    return (
        SurveyWindow(program.program_id, SurveyKind.MID_PROGRAM, midnight(midpoint), closes_at),
        SurveyWindow(program.program_id, SurveyKind.CLOSING, midnight(closing), closes_at),
    )


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """A participant's answers to a program survey."""

    growth_rating: int
    relationship_rating: int
    recommend_score: int
    would_join_again: bool
    skills_developing: tuple[str, ...] = ()
    comments: str = ""


def answer_survey(
    *,
    participant: Participation,
    kind: SurveyKind,
    known_topics: Collection[str],
    answers: SurveyAnswers,
    now: datetime,
) -> Decision[SurveyResponse]:
    """The participant's response (answering again replaces it), announced without comments.

    Raises:
        FeedbackInputError: a skill that is not one of the program's skills or goals.
    """
    check_topics(known_topics, {"skills_developing": answers.skills_developing})
    response = SurveyResponse(
        response_id=stable_id("sr", participant.program_id, participant.participant_id, kind.value),
        program_id=participant.program_id,
        participant_id=participant.participant_id,
        respondent_role=participant.role,
        survey_kind=kind,
        growth_rating=answers.growth_rating,
        relationship_rating=answers.relationship_rating,
        skills_developing=tuple(dict.fromkeys(answers.skills_developing)),
        recommend_score=answers.recommend_score,
        would_join_again=answers.would_join_again,
        comments=answers.comments,
        submitted_at=now,
    )
    event = SurveyResponseSubmitted(**response.model_dump(exclude={"comments"}))
    return Decision(response, (event,))
