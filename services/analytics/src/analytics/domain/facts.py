"""Folding events into read-model documents, in any order and any number of times.

Every read-model document is the fold of the events about one thing (a participant, a pair,
a session, ...). Each fold is idempotent and order-independent: state fields follow the
newest event (by event time, then event id), first-seen facts keep the earliest value,
statuses follow a precedence that only moves forward, and erasure is sticky. So replaying,
redelivering or reordering events never changes a document, and a rebuild from the start of
the topics gives the very same documents.

People appear in read models only as keys (a digest of the participant id); the raw id is
kept only in the participant's own document, where a report must point at someone (health
flags), and removed when they are erased.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
    ProgramUpdated,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionMissed,
    SessionRescheduled,
    SessionScheduled,
    SurveyResponseSubmitted,
)

Doc = dict[str, Any]

PROGRAMS, PARTICIPANTS, RUNS, PAIRS = "programs", "participants", "runs", "pairs"
SESSIONS, FEEDBACK, FITS, GOALS, SURVEYS = "sessions", "feedback", "fits", "goals", "surveys"
COLLECTIONS = (PROGRAMS, PARTICIPANTS, RUNS, PAIRS, SESSIONS, FEEDBACK, FITS, GOALS, SURVEYS)

SESSION_STATUS_RANK = {"scheduled": 0, "cancelled": 1, "missed": 2, "held": 3}
"""A session's status only moves forward (the scheduling service's rules guarantee it)."""


def person_key(participant_id: str) -> str:
    """The read models' stand-in for a participant."""
    return hashlib.sha256(f"participant:{participant_id}".encode()).hexdigest()[:32]


def version_of(envelope: Envelope[Any]) -> str:
    """A total order of events: event time, then event id (ISO times compare as text)."""
    return f"{envelope.occurred_at.isoformat()}|{envelope.event_id}"


@dataclass(frozen=True, slots=True)
class FoldContext:
    """What a fold needs besides the event: its version."""

    version: str


@dataclass(frozen=True, slots=True)
class Target:
    """A document an event folds into."""

    collection: str
    key: str


def targets(event: IntegrationEvent) -> tuple[Target, ...]:
    """The documents ``event`` changes."""
    locate = _TARGETS.get(type(event))
    return (locate(event),) if locate else ()


def _newer(doc: Doc, version: str, field: str = "version") -> bool:
    return version > str(doc.get(field, ""))


def _earliest(doc: Doc, field: str, value: Any) -> None:
    if value is not None and (doc.get(field) is None or value < doc[field]):
        doc[field] = value


def fold(doc: Doc | None, envelope: Envelope[Any]) -> Doc:
    """``doc`` with ``envelope`` applied."""
    current: Doc = dict(doc or {})
    folder = _FOLDERS.get(type(envelope.data))
    if folder is None:
        return current
    folder(current, envelope.data, FoldContext(version_of(envelope)))
    return current


def _program(doc: Doc, e: ProgramCreated | ProgramUpdated, ctx: FoldContext) -> None:
    doc["program_id"] = e.program_id
    if _newer(doc, ctx.version):
        doc.update(
            version=ctx.version,
            name=e.name,
            metric=e.key_result.metric,
            target=e.key_result.target,
            starts_on=e.starts_on.isoformat(),
            ends_on=e.ends_on.isoformat(),
            cadence=e.cadence.value,
            format=e.format.value,
        )


def _participant_state(
    doc: Doc,
    e: ParticipantRegistered | ParticipantUpdated,
    ctx: FoldContext,
) -> None:
    doc["program_id"] = e.program_id
    registered_at = e.registered_at if isinstance(e, ParticipantRegistered) else None
    _earliest(doc, "registered_at", registered_at)
    if _newer(doc, ctx.version):
        doc.update(version=ctx.version, role=e.role.value, capacity=e.capacity)
        if not doc.get("erased"):
            doc.update(
                participant_id=e.participant_id,
                answers={key: list(values) for key, values in e.choice_answers.items()},
            )
    if _newer(doc, ctx.version, "status_version"):
        doc.update(status="active", status_version=ctx.version)


def _withdrew(doc: Doc, e: ParticipantWithdrew, ctx: FoldContext) -> None:
    doc["program_id"] = e.program_id
    if _newer(doc, ctx.version, "status_version"):
        doc.update(status="withdrawn", status_version=ctx.version, withdrew_at=e.withdrew_at)


def _erased(doc: Doc, e: ParticipantErased, _ctx: FoldContext) -> None:
    doc["program_id"] = e.program_id
    doc["erased"] = True
    doc.pop("participant_id", None)
    doc.pop("answers", None)


def _run_proposed(doc: Doc, e: MatchingRunProposed, _ctx: FoldContext) -> None:
    doc.update(program_id=e.program_id, run_id=e.run_id, parts_total=e.parts)
    _earliest(doc, "proposed_at", e.proposed_at)
    doc["is_rematch"] = e.is_rematch
    doc["mentees_considered"] = e.mentees_considered
    doc["mentees_matched"] = e.mentees_matched
    reasons: dict[str, int] = {}
    for person in e.unmatched:
        reasons[person.reason.value] = reasons.get(person.reason.value, 0) + 1
    parts = dict(doc.get("parts", {}))
    parts[str(e.part)] = reasons
    doc["parts"] = parts


def _run_approved(doc: Doc, e: MatchingRunApproved, _ctx: FoldContext) -> None:
    doc.update(program_id=e.program_id, run_id=e.run_id, approved=True, pair_count=e.pair_count)
    _earliest(doc, "approved_at", e.approved_at)


def _pair_created(doc: Doc, e: PairCreated, _ctx: FoldContext) -> None:
    doc.update(
        program_id=e.program_id,
        score=e.score,
        is_rematch=e.is_rematch,
        created_at=e.created_at,
        mentor_key=person_key(e.mentor_participant_id),
        mentee_key=person_key(e.mentee_participant_id),
    )
    if e.group_id:
        doc["group_id"] = e.group_id
    doc.setdefault("ended", False)


def _pair_ended(doc: Doc, e: PairEnded, ctx: FoldContext) -> None:
    doc["program_id"] = e.program_id
    if _newer(doc, ctx.version, "end_version"):
        doc.update(
            ended=True, end_reason=e.reason.value, ended_at=e.ended_at, end_version=ctx.version
        )


def _session(status: str) -> Callable[[Doc, Any, FoldContext], None]:
    def apply(doc: Doc, e: Any, ctx: FoldContext) -> None:
        doc.update(program_id=e.program_id, pair_id=e.pair_id)
        if _newer(doc, ctx.version, "time_version"):
            doc.update(starts_at=e.starts_at, time_version=ctx.version)
        if SESSION_STATUS_RANK[status] >= SESSION_STATUS_RANK[doc.get("status", "scheduled")]:
            doc["status"] = status
        if isinstance(e, SessionCompleted):
            doc.update(held_at=e.held_at, held_minutes=e.duration_minutes)
        if isinstance(e, SessionCancelled):
            doc["cancel_reason"] = e.reason.value

    return apply


def _feedback(doc: Doc, e: SessionFeedbackSubmitted, ctx: FoldContext) -> None:
    ordered = f"{e.revision:06d}|{ctx.version}"
    doc.update(
        program_id=e.program_id,
        session_id=e.session_id,
        pair_id=e.pair_id,
        author_key=person_key(e.participant_id),
        author_role=e.author_role.value,
    )
    _earliest(doc, "first_submitted_at", e.submitted_at)
    if _newer(doc, ordered):
        doc.update(version=ordered, rating=e.rating, topics=list(e.topics))


def _fit(doc: Doc, e: PairingFitReported, ctx: FoldContext) -> None:
    doc.update(program_id=e.program_id, pair_id=e.pair_id)
    if _newer(doc, ctx.version):
        doc.update(
            version=ctx.version,
            good_fit=e.good_fit,
            concern=e.concern.value if e.concern else None,
        )


def _goal(doc: Doc, e: GoalProgressUpdated, ctx: FoldContext) -> None:
    doc["program_id"] = e.program_id
    if _newer(doc, ctx.version):
        doc.update(
            version=ctx.version, topic=e.topic, progress=e.progress_percent, completed=e.completed
        )


def _survey(doc: Doc, e: SurveyResponseSubmitted, ctx: FoldContext) -> None:
    doc.update(program_id=e.program_id, kind=e.survey_kind.value)
    if _newer(doc, ctx.version):
        doc.update(
            version=ctx.version,
            recommend=e.recommend_score,
            join_again=e.would_join_again,
            growth=e.growth_rating,
            relationship=e.relationship_rating,
        )


_FOLDERS: Mapping[type[IntegrationEvent], Callable[[Doc, Any, FoldContext], None]] = {
    ProgramCreated: _program,
    ProgramUpdated: _program,
    ParticipantRegistered: _participant_state,
    ParticipantUpdated: _participant_state,
    ParticipantWithdrew: _withdrew,
    ParticipantErased: _erased,
    MatchingRunProposed: _run_proposed,
    MatchingRunApproved: _run_approved,
    PairCreated: _pair_created,
    PairEnded: _pair_ended,
    SessionScheduled: _session("scheduled"),
    SessionRescheduled: _session("scheduled"),
    SessionCancelled: _session("cancelled"),
    SessionMissed: _session("missed"),
    SessionCompleted: _session("held"),
    SessionFeedbackSubmitted: _feedback,
    PairingFitReported: _fit,
    GoalProgressUpdated: _goal,
    SurveyResponseSubmitted: _survey,
}


def _session_target(e: Any) -> Target:
    return Target(SESSIONS, e.session_id)


def _participant_target(e: Any) -> Target:
    return Target(PARTICIPANTS, person_key(e.participant_id))


_TARGETS: Mapping[type[IntegrationEvent], Callable[[Any], Target]] = {
    ProgramCreated: lambda e: Target(PROGRAMS, e.program_id),
    ProgramUpdated: lambda e: Target(PROGRAMS, e.program_id),
    ParticipantRegistered: _participant_target,
    ParticipantUpdated: _participant_target,
    ParticipantWithdrew: _participant_target,
    ParticipantErased: _participant_target,
    MatchingRunProposed: lambda e: Target(RUNS, e.run_id),
    MatchingRunApproved: lambda e: Target(RUNS, e.run_id),
    PairCreated: lambda e: Target(PAIRS, e.pair_id),
    PairEnded: lambda e: Target(PAIRS, e.pair_id),
    SessionScheduled: _session_target,
    SessionRescheduled: _session_target,
    SessionCancelled: _session_target,
    SessionCompleted: _session_target,
    SessionMissed: _session_target,
    SessionFeedbackSubmitted: lambda e: Target(FEEDBACK, e.feedback_id),
    PairingFitReported: lambda e: Target(FITS, f"{e.pair_id}:{person_key(e.participant_id)}"),
    GoalProgressUpdated: lambda e: Target(GOALS, e.goal_id),
    SurveyResponseSubmitted: lambda e: Target(SURVEYS, e.response_id),
}

PROJECTED_EVENTS: tuple[type[IntegrationEvent], ...] = tuple(_FOLDERS)
"""Every event some report counts (reminders are operational and left out)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of events and what it needs to read before folding them."""

    envelopes: tuple[Envelope[Any], ...]

    @property
    def targets(self) -> set[Target]:
        """The documents the batch changes."""
        return {target for envelope in self.envelopes for target in targets(envelope.data)}

    def fold(self, stored: Mapping[Target, Doc]) -> dict[Target, Doc]:
        """The batch's documents after folding it into ``stored``, those of `targets`."""
        documents = dict(stored)
        for envelope in self.envelopes:
            for target in targets(envelope.data):
                documents[target] = fold(documents.get(target), envelope)
        return documents
