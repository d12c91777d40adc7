"""Folding events into read-model documents, in any order and any number of times.

Every read-model document (`analytics.domain.documents`) is the fold of the events about
one thing (a participant, a pair, a session, ...). Each fold is idempotent and
order-independent: state fields follow the newest event (by event time, then event id),
first-seen facts keep the earliest value, statuses follow a precedence that only moves
forward, and erasure is sticky. So replaying, redelivering or reordering events never
changes a document, and a rebuild from the start of the topics gives the very same
documents. A fold never changes the document it is given: it returns a new one.

People appear in read models only as keys (a digest of the participant id); the raw id is
kept only in the participant's own document, where a report must point at someone (health
flags), and removed when they are erased.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics.domain.documents import (
    Fact,
    FeedbackEntry,
    FitFact,
    GoalFact,
    InvitationFact,
    MilestoneDueFact,
    OutcomeErasureFact,
    OutcomeFact,
    PairFact,
    ParticipantFact,
    ParticipantStatus,
    PersonFact,
    ProgramFact,
    RunFact,
    SchedulingFact,
    SessionFact,
    SessionStatus,
    SkillsFact,
    SurveyFact,
    UnmatchedFact,
    newest,
    stored_time,
)
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    GoalProgressUpdated,
    InvitationReminderSent,
    InvitationSent,
    MatchingRunApproved,
    MatchingRunProposed,
    OutcomeRecorded,
    OutcomesErased,
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
    SkillsAssessed,
    SurveyResponseSubmitted,
)

type SessionChange = SessionCancelled | SessionMissed | SessionCompleted


def person_key(participant_id: str) -> str:
    """The read models' stand-in for a participant."""
    return hashlib.sha256(f"participant:{participant_id}".encode()).hexdigest()[:32]


def directory_key(person_id: str) -> str:
    """The read models' stand-in for a person of the directory (their person id's digest)."""
    return hashlib.sha256(f"person:{person_id}".encode()).hexdigest()[:32]


def version_of(envelope: Envelope[Any]) -> str:
    """A total order of events: event time, then event id (ISO times compare as text)."""
    return f"{envelope.occurred_at.isoformat()}|{envelope.event_id}"


@dataclass(frozen=True, slots=True)
class FoldContext:
    """What a fold needs besides the event: the document's key and the event's version."""

    key: str
    version: str


@dataclass(frozen=True, slots=True)
class Target:
    """A document an event folds into: its kind and its key."""

    kind: type[Fact]
    key: str


@dataclass(frozen=True, slots=True)
class _Fold[F: Fact, E: IntegrationEvent]:
    """How one type of event folds into one kind of document."""

    kind: type[F]
    key: Callable[[E], str]
    apply: Callable[[F | None, E, FoldContext], F]


def _earliest(current: datetime | None, value: datetime) -> datetime:
    value = stored_time(value)
    return value if current is None or value < current else current


def _program(
    current: ProgramFact | None, e: ProgramCreated | ProgramUpdated, ctx: FoldContext
) -> ProgramFact:
    if current is not None and ctx.version <= current.version:
        return current
    return ProgramFact(
        id=ctx.key,
        program_id=e.program_id,
        version=ctx.version,
        name=e.name,
        metric=e.key_result.metric,
        target=e.key_result.target,
        starts_on=e.starts_on,
        ends_on=e.ends_on,
        cadence=e.cadence,
        format=e.format,
        reporting_line_depth=e.matching.rules.reporting_line_depth,
    )


def _participant(
    current: ParticipantFact | None, ctx: FoldContext, program_id: str
) -> ParticipantFact:
    fact = current.model_copy() if current else ParticipantFact(id=ctx.key, program_id=program_id)
    fact.program_id = program_id
    return fact


def _participant_state(
    current: ParticipantFact | None,
    e: ParticipantRegistered | ParticipantUpdated,
    ctx: FoldContext,
) -> ParticipantFact:
    fact = _participant(current, ctx, e.program_id)
    if isinstance(e, ParticipantRegistered):
        fact.registered_at = _earliest(fact.registered_at, e.registered_at)
    if ctx.version > fact.version:
        fact.version, fact.role, fact.capacity = ctx.version, e.role, e.capacity
        if not fact.erased:
            fact.participant_id = e.participant_id
            fact.person_key = directory_key(e.person_id)
            fact.answers = {key: list(values) for key, values in e.choice_answers.items()}
    if ctx.version > fact.status_version:
        fact.status, fact.status_version = ParticipantStatus.ACTIVE, ctx.version
    return fact


def _withdrew(
    current: ParticipantFact | None, e: ParticipantWithdrew, ctx: FoldContext
) -> ParticipantFact:
    fact = _participant(current, ctx, e.program_id)
    if ctx.version > fact.status_version:
        fact.status, fact.status_version = ParticipantStatus.WITHDRAWN, ctx.version
        fact.withdrew_at = stored_time(e.withdrew_at)
    return fact


def _erased(
    current: ParticipantFact | None, e: ParticipantErased, ctx: FoldContext
) -> ParticipantFact:
    fact = _participant(current, ctx, e.program_id)
    fact.erased, fact.participant_id, fact.answers = True, None, {}
    fact.person_key = ""
    return fact


def _invitation(
    current: InvitationFact | None, e: InvitationSent | InvitationReminderSent, ctx: FoldContext
) -> InvitationFact:
    fact = (
        current.model_copy()
        if current
        else InvitationFact(id=ctx.key, program_id=e.program_id, person_key="")
    )
    fact.program_id, fact.person_key = e.program_id, directory_key(e.person_id)
    if isinstance(e, InvitationSent):
        fact.sent_at = _earliest(fact.sent_at, e.sent_at)
        fact.department = e.department
    else:
        fact.reminders = max(fact.reminders, e.reminder)
    return fact


def _person(
    current: PersonFact | None, e: DirectoryPersonChanged | DirectoryPersonErased, ctx: FoldContext
) -> PersonFact:
    fact = current.model_copy() if current else PersonFact(id=ctx.key, program_id="")
    if isinstance(e, DirectoryPersonErased):
        fact.erased, fact.manager_key = True, None
    elif not fact.erased and e.version > fact.version:
        fact.version = e.version
        fact.manager_key = directory_key(e.manager_person_id) if e.manager_person_id else None
        fact.department, fact.seniority = e.department, e.seniority
    return fact


def _outcome(current: OutcomeFact | None, e: OutcomeRecorded, ctx: FoldContext) -> OutcomeFact:
    if current is not None and ctx.version <= current.version:
        return current
    return OutcomeFact(
        id=ctx.key,
        program_id="",
        person_key=directory_key(e.person_id),
        version=ctx.version,
        kind=e.kind,
        occurred_on=e.occurred_on,
        voluntary=e.voluntary,
        performance_band=e.performance_band,
    )


def _outcomes_erased(
    current: OutcomeErasureFact | None, _: OutcomesErased, ctx: FoldContext
) -> OutcomeErasureFact:
    if current is not None and ctx.version <= current.version:
        return current
    return OutcomeErasureFact(id=ctx.key, program_id="", version=ctx.version)


def _run(current: RunFact | None, ctx: FoldContext, program_id: str) -> RunFact:
    fact = current.model_copy() if current else RunFact(id=ctx.key, program_id=program_id)
    fact.program_id = program_id
    return fact


def _run_proposed(current: RunFact | None, e: MatchingRunProposed, ctx: FoldContext) -> RunFact:
    fact = _run(current, ctx, e.program_id)
    fact.proposed_at = _earliest(fact.proposed_at, e.proposed_at)
    fact.parts_total, fact.is_rematch = e.parts, e.is_rematch
    fact.mentees_considered, fact.mentees_matched = e.mentees_considered, e.mentees_matched
    unmatched = [
        UnmatchedFact(key=person_key(person.participant_id), reason=person.reason)
        for person in e.unmatched
    ]
    fact.unmatched = fact.unmatched | {str(e.part): unmatched}
    return fact


def _run_approved(current: RunFact | None, e: MatchingRunApproved, ctx: FoldContext) -> RunFact:
    fact = _run(current, ctx, e.program_id)
    fact.approved, fact.pair_count = True, e.pair_count
    fact.approved_at = _earliest(fact.approved_at, e.approved_at)
    return fact


def _pair(current: PairFact | None, ctx: FoldContext, program_id: str) -> PairFact:
    fact = current.model_copy() if current else PairFact(id=ctx.key, program_id=program_id)
    fact.program_id = program_id
    return fact


def _pair_created(current: PairFact | None, e: PairCreated, ctx: FoldContext) -> PairFact:
    fact = _pair(current, ctx, e.program_id)
    fact.created, fact.score, fact.is_rematch = True, e.score, e.is_rematch
    fact.created_at, fact.group_id = stored_time(e.created_at), e.group_id
    fact.mentor_key = person_key(e.mentor_participant_id)
    fact.mentee_key = person_key(e.mentee_participant_id)
    return fact


def _pair_ended(current: PairFact | None, e: PairEnded, ctx: FoldContext) -> PairFact:
    fact = _pair(current, ctx, e.program_id)
    if ctx.version > fact.end_version:
        fact.ended, fact.end_reason, fact.ended_at = True, e.reason, stored_time(e.ended_at)
        fact.end_version = ctx.version
    return fact


def _session(
    status: SessionStatus,
) -> Callable[[SessionFact | None, SessionChange, FoldContext], SessionFact]:
    def apply(current: SessionFact | None, e: SessionChange, ctx: FoldContext) -> SessionFact:
        fact = current.model_copy() if current else SessionFact(id=ctx.key, program_id="")
        fact.program_id, fact.pair_id = e.program_id, e.pair_id
        if ctx.version > fact.time_version:
            fact.starts_at, fact.time_version = stored_time(e.starts_at), ctx.version
        if fact.status is None or status.rank >= fact.status.rank:
            fact.status = status
        if isinstance(e, SessionCompleted):
            fact.held_at, fact.held_minutes = stored_time(e.held_at), e.duration_minutes
        if isinstance(e, SessionCancelled):
            fact.cancel_reason = e.reason
        return fact

    return apply


def _scheduled(
    current: SchedulingFact | None, e: SessionScheduled | SessionRescheduled, ctx: FoldContext
) -> SchedulingFact:
    """A scheduled session is kept by its series' `SchedulingFact`."""
    fact = current.model_copy() if current else SchedulingFact(id=ctx.key, program_id=e.program_id)
    fact.program_id = e.program_id
    versions = fact.scheduled.get(e.session_id, [])
    kept = newest(versions, ctx.version)
    if kept != versions:
        fact.scheduled = fact.scheduled | {e.session_id: kept}
    return fact


def _session_feedback(
    current: SessionFact | None, e: SessionFeedbackSubmitted, ctx: FoldContext
) -> SessionFact:
    fact = current.model_copy() if current else SessionFact(id=ctx.key, program_id=e.program_id)
    previous = fact.feedback.get(e.feedback_id)
    version = f"{e.revision:06d}|{ctx.version}"
    submitted = stored_time(e.submitted_at)
    first = submitted if previous is None else min(previous.first_submitted_at, submitted)
    if previous is not None and version <= previous.version:
        entry = previous.model_copy(update={"first_submitted_at": first})
    else:
        entry = FeedbackEntry(
            pair_id=e.pair_id,
            author_key=person_key(e.participant_id),
            author_role=e.author_role,
            first_submitted_at=first,
            version=version,
            rating=e.rating,
            topics=tuple(e.topics),
        )
    if entry != previous:
        fact.feedback = fact.feedback | {e.feedback_id: entry}
    return fact


def _fit(current: FitFact | None, e: PairingFitReported, ctx: FoldContext) -> FitFact:
    if current is not None and ctx.version <= current.version:
        return current
    return FitFact(
        id=ctx.key,
        program_id=e.program_id,
        pair_id=e.pair_id,
        version=ctx.version,
        good_fit=e.good_fit,
        concern=e.concern,
    )


def _goal(current: GoalFact | None, e: GoalProgressUpdated, ctx: FoldContext) -> GoalFact:
    if current is not None and ctx.version <= current.version:
        return current
    return GoalFact(
        id=ctx.key,
        program_id=e.program_id,
        owner_key=person_key(e.participant_id),
        version=ctx.version,
        topic=e.topic,
        progress=e.progress_percent,
        completed=e.completed,
        pair_id=e.pair_id,
        milestones_due=[
            MilestoneDueFact(index=m.index, due_on=m.due_on, reached=m.reached)
            for m in e.milestones_due
        ],
    )


def _survey(current: SurveyFact | None, e: SurveyResponseSubmitted, ctx: FoldContext) -> SurveyFact:
    if current is not None and ctx.version <= current.version:
        return current
    return SurveyFact(
        id=ctx.key,
        program_id=e.program_id,
        kind=e.survey_kind,
        version=ctx.version,
        recommend=e.recommend_score,
        join_again=e.would_join_again,
        growth=e.growth_rating,
        relationship=e.relationship_rating,
    )


def _skills(current: SkillsFact | None, e: SkillsAssessed, ctx: FoldContext) -> SkillsFact:
    if current is not None and ctx.version <= current.version:
        return current
    return SkillsFact(
        id=ctx.key,
        program_id=e.program_id,
        owner_key=person_key(e.participant_id),
        version=ctx.version,
        rater_kind=e.rater_kind,
        moment=e.moment,
        levels={level.skill: level.level for level in e.levels},
        raters=e.raters,
    )


def _by_participant(
    e: ParticipantRegistered | ParticipantUpdated | ParticipantWithdrew | ParticipantErased,
) -> str:
    return person_key(e.participant_id)


def _by_session(e: SessionChange) -> str:
    return e.session_id


_FOLDS: Mapping[type[IntegrationEvent], _Fold[Any, Any]] = {
    ProgramCreated: _Fold(ProgramFact, lambda e: e.program_id, _program),
    ProgramUpdated: _Fold(ProgramFact, lambda e: e.program_id, _program),
    ParticipantRegistered: _Fold(ParticipantFact, _by_participant, _participant_state),
    ParticipantUpdated: _Fold(ParticipantFact, _by_participant, _participant_state),
    ParticipantWithdrew: _Fold(ParticipantFact, _by_participant, _withdrew),
    ParticipantErased: _Fold(ParticipantFact, _by_participant, _erased),
    MatchingRunProposed: _Fold(RunFact, lambda e: e.run_id, _run_proposed),
    MatchingRunApproved: _Fold(RunFact, lambda e: e.run_id, _run_approved),
    PairCreated: _Fold(PairFact, lambda e: e.pair_id, _pair_created),
    PairEnded: _Fold(PairFact, lambda e: e.pair_id, _pair_ended),
    SessionScheduled: _Fold(SchedulingFact, lambda e: e.pair_id, _scheduled),
    SessionRescheduled: _Fold(SchedulingFact, lambda e: e.pair_id, _scheduled),
    SessionCancelled: _Fold(SessionFact, _by_session, _session(SessionStatus.CANCELLED)),
    SessionMissed: _Fold(SessionFact, _by_session, _session(SessionStatus.MISSED)),
    SessionCompleted: _Fold(SessionFact, _by_session, _session(SessionStatus.HELD)),
    SessionFeedbackSubmitted: _Fold(SessionFact, lambda e: e.session_id, _session_feedback),
    PairingFitReported: _Fold(
        FitFact, lambda e: f"{e.pair_id}:{person_key(e.participant_id)}", _fit
    ),
    GoalProgressUpdated: _Fold(GoalFact, lambda e: e.goal_id, _goal),
    SurveyResponseSubmitted: _Fold(SurveyFact, lambda e: e.response_id, _survey),
    InvitationSent: _Fold(InvitationFact, lambda e: e.invitation_id, _invitation),
    InvitationReminderSent: _Fold(InvitationFact, lambda e: e.invitation_id, _invitation),
    DirectoryPersonChanged: _Fold(PersonFact, lambda e: directory_key(e.person_id), _person),
    DirectoryPersonErased: _Fold(PersonFact, lambda e: directory_key(e.person_id), _person),
    OutcomeRecorded: _Fold(OutcomeFact, lambda e: e.outcome_id, _outcome),
    OutcomesErased: _Fold(
        OutcomeErasureFact, lambda e: directory_key(e.person_id), _outcomes_erased
    ),
    SkillsAssessed: _Fold(SkillsFact, lambda e: e.assessment_id, _skills),
}

PROJECTED_EVENTS: tuple[type[IntegrationEvent], ...] = tuple(_FOLDS)
"""Every event some report counts (reminders are operational and left out)."""


def target_of(event: IntegrationEvent) -> Target | None:
    """The document ``event`` changes (None for an event no report counts)."""
    spec = _FOLDS.get(type(event))
    return Target(spec.kind, spec.key(event)) if spec else None


def fold_into(documents: dict[Target, Fact], envelope: Envelope[Any]) -> Target | None:
    """Fold ``envelope`` into its document in ``documents``; the document's target.

    The document remembers the event (`Fact.remembering`), so `holds` knows it next time.
    """
    spec = _FOLDS.get(type(envelope.data))
    if spec is None:
        return None
    key = spec.key(envelope.data)
    target = Target(spec.kind, key)
    version = version_of(envelope)
    current = documents.get(target)
    folded = spec.apply(current, envelope.data, FoldContext(key, version))
    documents[target] = folded.remembering(current.folded if current else (), version)
    return target


def holds(documents: Mapping[Target, Fact], envelope: Envelope[Any]) -> bool:
    """Whether ``envelope`` was already folded into its document in ``documents``.

    True for an event delivered again (published twice, replayed) while its document
    remembers it, among the newest events folded in (`documents.FOLDED_KEPT`). An event
    published again by the outbox's relay (a crash between publish and mark) always is,
    unless its document got that many newer events in between. An older one is folded
    again, which changes nothing (the folds are idempotent), and counted as processed.
    """
    target = target_of(envelope.data)
    current = documents.get(target) if target is not None else None
    return current is not None and current.holds(version_of(envelope))


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of events and the documents it changes."""

    envelopes: tuple[Envelope[Any], ...]

    @property
    def targets(self) -> set[Target]:
        """The documents the batch's events fold into."""
        return {target for envelope in self.envelopes if (target := target_of(envelope.data))}
