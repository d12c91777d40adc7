"""One valid, realistic example of every event, for documentation and tests.

``example(ParticipantRegistered, capacity=3)`` returns the example with fields replaced.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    ErasureRequested,
    GoalProgressUpdated,
    InvitationReminderSent,
    InvitationSent,
    KeyResult,
    MatchingProfile,
    MatchingRunApproved,
    MatchingRunProposed,
    MentorRecognized,
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
    ProgramTopics,
    ProgramUpdated,
    ProposedPair,
    RaterInvited,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionMissed,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
    SkillsAssessed,
    SurveyResponseSubmitted,
    UnmatchedParticipant,
)
from mentorship_contracts.types import ParticipantRole, Seniority, UnmatchedReason

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PROGRAM = "prog-emerging-leaders-2026"
MENTOR, MENTEE = "part-mentor-1", "part-mentee-1"
PAIR, SESSION = "pair-1", "sess-1"

_PROGRAM: dict[str, Any] = {
    "program_id": PROGRAM,
    "name": "Emerging leaders 2026",
    "goal": "leadership_development",
    "goal_detail": "Grow first-time managers into confident leaders.",
    "key_result": KeyResult(
        description="80% of mentees hold at least 6 sessions",
        metric="mentees_with_6_sessions_share",
        target=0.8,
    ),
    "format": "one_on_one",
    "starts_on": date(2026, 3, 1),
    "ends_on": date(2026, 9, 1),
    "cadence": "biweekly",
    "time_zone": "Europe/Berlin",
    "registration_opens_at": datetime(2026, 1, 15, tzinfo=UTC),
    "registration_closes_at": datetime(2026, 2, 15, tzinfo=UTC),
    "registration_status": "open",
    "lifecycle": "registration_open",
    "matching_mode": "admin_led",
    "auto_approve_matches": False,
    "topics": ProgramTopics(
        skills=("public_speaking", "delegation"), goals=("first_team_lead", "promotion")
    ),
}

_PARTICIPANT: dict[str, Any] = {
    "participant_id": MENTOR,
    "program_id": PROGRAM,
    "person_id": "person-7f3a",
    "role": "mentor",
    "capacity": 2,
    "department": "engineering",
    "reporting_line": ("person-11aa", "person-22bb"),
    "profile": MatchingProfile(
        seniority=Seniority.SENIOR,
        years_experience=12,
        discipline="engineering",
        disciplines_experienced=("engineering", "product"),
        locations=("berlin",),
        time_zone="Europe/Berlin",
        languages=("en", "de"),
        skills_offered=("delegation", "public_speaking"),
        goals_achieved=("first_team_lead",),
        interests=("climbing",),
    ),
    "choice_answers": {"seniority": ("senior",), "skills_offered": ("delegation",)},
    "questionnaire_version": 1,
}

_SESSION: dict[str, Any] = {"session_id": SESSION, "pair_id": PAIR, "program_id": PROGRAM}

_EXAMPLES: dict[type[IntegrationEvent], dict[str, Any]] = {
    ProgramCreated: _PROGRAM | {"created_at": AT},
    ProgramUpdated: _PROGRAM | {"updated_at": AT, "changed_fields": ("registration_status",)},
    ParticipantRegistered: _PARTICIPANT | {"registered_at": AT},
    ParticipantUpdated: _PARTICIPANT | {"updated_at": AT},
    ParticipantWithdrew: {
        "participant_id": MENTEE,
        "program_id": PROGRAM,
        "withdrew_at": AT,
        "reason": "participant_request",
    },
    ParticipantErased: {
        "participant_id": MENTEE,
        "program_id": PROGRAM,
        "person_id": "person-9c1d",
        "erased_at": AT,
    },
    MatchingRunProposed: {
        "run_id": "run-1",
        "program_id": PROGRAM,
        "solver_status": "optimal",
        "objective": 7.5,
        "bound": 7.5,
        "gap": 0.0,
        "solve_seconds": 0.12,
        "mentors_considered": 1,
        "mentees_considered": 2,
        "mentees_matched": 1,
        "requires_approval": True,
        "pairs": (
            ProposedPair(
                mentor_participant_id=MENTOR,
                mentee_participant_id=MENTEE,
                score=7.5,
                contributions={"skills": 4.5, "goals": 2.0, "time_zone": 1.0},
            ),
        ),
        "unmatched": (
            UnmatchedParticipant(
                participant_id="part-mentee-2",
                role=ParticipantRole.MENTEE,
                reason=UnmatchedReason.NO_COMPATIBLE_PARTNER,
                detail="No mentor shares a language.",
            ),
        ),
        "proposed_at": AT,
    },
    MatchingRunApproved: {
        "run_id": "run-1",
        "program_id": PROGRAM,
        "pair_count": 1,
        "approved_automatically": False,
        "approved_at": AT,
    },
    PairCreated: {
        "pair_id": PAIR,
        "program_id": PROGRAM,
        "run_id": "run-1",
        "mentor_participant_id": MENTOR,
        "mentee_participant_id": MENTEE,
        "mentor_person_id": "person-7f3a",
        "mentee_person_id": "person-9c1d",
        "score": 7.5,
        "contributions": {"skills": 4.5, "goals": 2.0, "time_zone": 1.0},
        "created_at": AT,
    },
    PairEnded: {
        "pair_id": PAIR,
        "program_id": PROGRAM,
        "reason": "not_a_good_fit",
        "ended_at": AT,
        "rematch_requested": True,
    },
    SessionScheduled: _SESSION
    | {
        "series_id": "series-1",
        "sequence": 1,
        "participant_ids": (MENTOR, MENTEE),
        "starts_at": AT,
        "duration_minutes": 60,
    },
    SessionRescheduled: _SESSION
    | {
        "previous_starts_at": AT,
        "starts_at": datetime(2026, 3, 3, 9, 30, tzinfo=UTC),
        "duration_minutes": 45,
    },
    SessionCancelled: _SESSION
    | {"starts_at": AT, "reason": "participant_request", "cancelled_at": AT},
    SessionCompleted: _SESSION
    | {"participant_ids": (MENTOR, MENTEE), "starts_at": AT, "held_at": AT, "duration_minutes": 55},
    SessionMissed: _SESSION | {"starts_at": AT, "recorded_at": AT},
    SessionReminderDue: _SESSION
    | {"participant_ids": (MENTOR, MENTEE), "starts_at": AT, "lead_minutes": 60, "due_at": AT},
    SessionFeedbackSubmitted: {
        "feedback_id": "fb-1",
        "session_id": SESSION,
        "pair_id": PAIR,
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "author_role": "mentee",
        "rating": 5,
        "topics": ("delegation",),
        "action_item_count": 2,
        "submitted_at": AT,
    },
    PairingFitReported: {
        "pair_id": PAIR,
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "author_role": "mentee",
        "good_fit": True,
        "reported_at": AT,
    },
    GoalProgressUpdated: {
        "goal_id": "goal-1",
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "pair_id": PAIR,
        "topic": "first_team_lead",
        "progress_percent": 40,
        "milestones_total": 5,
        "milestones_reached": 2,
        "milestones_due": ({"index": 2, "due_on": date(2026, 4, 1), "reached": False},),
        "completed": False,
        "updated_at": AT,
    },
    SurveyResponseSubmitted: {
        "response_id": "resp-1",
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "respondent_role": "mentee",
        "survey_kind": "mid_program",
        "growth_rating": 4,
        "relationship_rating": 5,
        "skills_developing": ("delegation",),
        "recommend_score": 9,
        "would_join_again": True,
        "submitted_at": AT,
    },
    DirectoryPersonChanged: {
        "person_id": "person-9c1d",
        "manager_person_id": "person-7f3a",
        "department": "engineering",
        "seniority": "senior",
        "active": True,
        "source": "scim",
        "version": 3,
        "changed_at": AT,
    },
    DirectoryPersonErased: {"person_id": "person-9c1d", "erased_at": AT},
    ErasureRequested: {"request_id": "erq-1", "person_id": "person-9c1d", "requested_at": AT},
    MentorRecognized: {
        "recognition_id": "rec-1",
        "program_id": PROGRAM,
        "participant_id": MENTOR,
        "source": "rule",
        "sessions_held": 6,
        "average_rating": 4.7,
        "recognized_at": AT,
    },
    RaterInvited: {
        "request_id": "rr-1",
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "rater_kind": "manager",
        "moment": "end",
        "rater_person_id": "person-9c1d",
        "expires_at": AT,
        "invited_at": AT,
    },
    SkillsAssessed: {
        "assessment_id": "sa-1",
        "program_id": PROGRAM,
        "participant_id": MENTEE,
        "rater_kind": "mentor",
        "moment": "end",
        "levels": [{"skill": "public-speaking", "level": 4}],
        "assessed_at": AT,
    },
    OutcomeRecorded: {
        "outcome_id": "out-1",
        "person_id": "person-9c1d",
        "kind": "exit",
        "occurred_on": "2027-03-31",
        "voluntary": True,
        "recorded_at": AT,
    },
    OutcomesErased: {"person_id": "person-9c1d", "erased_at": AT},
    InvitationSent: {
        "invitation_id": "inv-1",
        "program_id": PROGRAM,
        "person_id": "person-9c1d",
        "department": "engineering",
        "sent_at": AT,
    },
    InvitationReminderSent: {
        "invitation_id": "inv-1",
        "program_id": PROGRAM,
        "person_id": "person-9c1d",
        "reminder": 1,
        "sent_at": AT,
    },
}


def example[E: IntegrationEvent](event_type: type[E], **changes: Any) -> E:
    """A valid ``event_type`` with ``changes`` applied (validated)."""
    return event_type.model_validate(_EXAMPLES[event_type] | changes)


def example_types() -> tuple[type[IntegrationEvent], ...]:
    """Every event type with an example."""
    return tuple(_EXAMPLES)
