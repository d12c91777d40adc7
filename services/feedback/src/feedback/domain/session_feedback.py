"""Feedback on a held session: one per member and session; a second submission revises it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from feedback.domain.decisions import Decision
from feedback.domain.membership import Membership
from feedback.domain.records import SessionFeedback, SkillProgress, stable_id
from feedback.domain.topics import check_topics
from mentorship_contracts.events import SessionCompleted, SessionFeedbackSubmitted


@dataclass(frozen=True, slots=True)
class FeedbackAnswers:
    """What a member says about a held session."""

    rating: int
    topics: tuple[str, ...] = ()
    action_items: tuple[str, ...] = ()
    private_notes: str = ""
    progress: tuple[SkillProgress, ...] = ()


def feedback_id(session_id: str, participant_id: str) -> str:
    """The id of a member's feedback on a session: the same for every revision."""
    return stable_id("fb", session_id, participant_id)


def give_feedback(
    *,
    session: SessionCompleted,
    member: Membership,
    known_topics: Collection[str],
    answers: FeedbackAnswers,
    previous: SessionFeedback | None,
    now: datetime,
) -> Decision[SessionFeedback]:
    """The member's feedback on ``session`` (revising ``previous``), announced without notes.

    Raises:
        FeedbackInputError: a topic (covered, or of a progress entry) is not the program's.
    """
    check_topics(
        known_topics,
        {"topics": answers.topics, "progress": [item.topic for item in answers.progress]},
    )
    record = SessionFeedback(
        feedback_id=feedback_id(session.session_id, member.participant_id),
        session_id=session.session_id,
        pair_id=member.pair.pair_id,
        program_id=session.program_id,
        participant_id=member.participant_id,
        author_role=member.role,
        rating=answers.rating,
        topics=tuple(dict.fromkeys(answers.topics)),
        action_items=answers.action_items,
        private_notes=answers.private_notes,
        progress=answers.progress,
        revision=previous.revision + 1 if previous else 1,
        submitted_at=now,
    )
    return Decision(record, (feedback_submitted(record),))


def feedback_submitted(record: SessionFeedback) -> SessionFeedbackSubmitted:
    """The event announcing ``record``: rating and topics, never notes or action items."""
    return SessionFeedbackSubmitted(
        feedback_id=record.feedback_id,
        session_id=record.session_id,
        pair_id=record.pair_id,
        program_id=record.program_id,
        participant_id=record.participant_id,
        author_role=record.author_role,
        rating=record.rating,
        topics=record.topics,
        action_item_count=len(record.action_items),
        revision=record.revision,
        submitted_at=record.submitted_at,
    )
