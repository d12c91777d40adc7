"""Every integration event, grouped by the aggregate it is about."""

from mentorship_contracts.events.directory import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    ErasureRequested,
)
from mentorship_contracts.events.feedback import (
    GoalProgressUpdated,
    MentorRecognized,
    MilestoneDue,
    OutcomeRecorded,
    PairingFitReported,
    RaterInvited,
    SessionFeedbackSubmitted,
    SkillLevel,
    SkillsAssessed,
    SurveyResponseSubmitted,
)
from mentorship_contracts.events.invitation import InvitationReminderSent, InvitationSent
from mentorship_contracts.events.matching import (
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    ProposedPair,
    UnmatchedParticipant,
)
from mentorship_contracts.events.participant import (
    MatchingProfile,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
)
from mentorship_contracts.events.program import (
    CriterionWeights,
    KeyResult,
    MatchingRules,
    MatchingSettings,
    ProgramCreated,
    ProgramTopics,
    ProgramUpdated,
)
from mentorship_contracts.events.session import (
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)

__all__ = [
    "CriterionWeights",
    "DirectoryPersonChanged",
    "DirectoryPersonErased",
    "ErasureRequested",
    "GoalProgressUpdated",
    "InvitationReminderSent",
    "InvitationSent",
    "KeyResult",
    "MatchingProfile",
    "MatchingRules",
    "MatchingRunApproved",
    "MatchingRunProposed",
    "MatchingSettings",
    "MentorRecognized",
    "MilestoneDue",
    "OutcomeRecorded",
    "PairCreated",
    "PairEnded",
    "PairingFitReported",
    "ParticipantErased",
    "ParticipantRegistered",
    "ParticipantUpdated",
    "ParticipantWithdrew",
    "ProgramCreated",
    "ProgramTopics",
    "ProgramUpdated",
    "ProposedPair",
    "RaterInvited",
    "SessionCancelled",
    "SessionCompleted",
    "SessionFeedbackSubmitted",
    "SessionMissed",
    "SessionReminderDue",
    "SessionRescheduled",
    "SessionScheduled",
    "SkillLevel",
    "SkillsAssessed",
    "SurveyResponseSubmitted",
    "UnmatchedParticipant",
]
