"""Program surveys (mid-program and closing): one response per participant and survey."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from feedback.domain.decisions import Decision
from feedback.domain.membership import Participation
from feedback.domain.records import SurveyResponse, stable_id
from feedback.domain.topics import check_topics
from mentorship_contracts.events import SurveyResponseSubmitted
from mentorship_contracts.types import SurveyKind


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
