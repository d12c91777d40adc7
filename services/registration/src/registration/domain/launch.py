"""The launch checklist: the steps from a program's draft to its first pairs.

Nine steps, in the order a program manager takes them. Each is done or left with what is
missing. Most are done by doing them (writing the questionnaire, opening registration ...);
the review steps (``REVIEW_STEPS``) are done when the program manager marks them reviewed,
having looked at what the platform set up for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mentorship_contracts.types import MatchingMode, ProgramLifecycle
from registration.domain.programs import Program, reached
from registration.domain.questionnaire import Meaning, Questionnaire


class LaunchStep(StrEnum):
    """The launch steps, in order."""

    GENERAL_INFORMATION = "general_information"
    QUESTIONNAIRE = "questionnaire"
    PAIRING_ALGORITHM = "pairing_algorithm"
    PARTICIPANT_ACCESS = "participant_access"
    REVIEW_EMAIL_INVITES = "review_email_invites"
    LAUNCH_REGISTRATION = "launch_registration"
    REVIEW_PAIRING_PROCESS = "review_pairing_process"
    PLAN_SESSION_CONTENT = "plan_session_content"
    LAUNCH_PAIRING = "launch_pairing"


TITLES: dict[LaunchStep, str] = {
    LaunchStep.GENERAL_INFORMATION: "General information",
    LaunchStep.QUESTIONNAIRE: "Questionnaire",
    LaunchStep.PAIRING_ALGORITHM: "Pairing algorithm",
    LaunchStep.PARTICIPANT_ACCESS: "Participant access",
    LaunchStep.REVIEW_EMAIL_INVITES: "Review email invites",
    LaunchStep.LAUNCH_REGISTRATION: "Launch registration",
    LaunchStep.REVIEW_PAIRING_PROCESS: "Review pairing process",
    LaunchStep.PLAN_SESSION_CONTENT: "Plan session content",
    LaunchStep.LAUNCH_PAIRING: "Launch pairing",
}
REVIEW_STEPS = frozenset(
    {
        LaunchStep.PAIRING_ALGORITHM,
        LaunchStep.PARTICIPANT_ACCESS,
        LaunchStep.REVIEW_EMAIL_INVITES,
        LaunchStep.REVIEW_PAIRING_PROCESS,
    }
)
"""Steps a program manager completes by marking them reviewed."""


class StepNotReviewableError(ValueError):
    """A step that is done by doing it, not by marking it."""


@dataclass(frozen=True, slots=True)
class StepState:
    """One step: done, or what is missing."""

    step: LaunchStep
    title: str
    done: bool
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LaunchFacts:
    """What the checklist needs beyond the program itself."""

    questionnaire: Questionnaire
    invitations: int
    eligible: int


def check_reviewable(step: LaunchStep) -> None:
    """Refuse to mark a step that is done by doing it.

    Raises:
        StepNotReviewableError: ``step`` is not a review step.
    """
    if step not in REVIEW_STEPS:
        reviewable = ", ".join(sorted(REVIEW_STEPS))
        msg = f"{step} is done by doing it; only {reviewable} are marked reviewed"
        raise StepNotReviewableError(msg)


def launch_steps(program: Program, facts: LaunchFacts) -> list[StepState]:
    """Every launch step of ``program``, in order, done or with what is missing."""
    program_path = f"/v1/programs/{program.program_id}"
    reviewed = program.reviewed_steps
    missing: dict[LaunchStep, list[str]] = {step: [] for step in LaunchStep}
    if not program.settings.goal_detail:
        missing[LaunchStep.GENERAL_INFORMATION].append(
            f"describe the goal in a sentence (goal_detail, PATCH {program_path})"
        )
    useful = [
        question
        for question in facts.questionnaire.questions
        if question.meaning is not None and question.meaning is not Meaning.ROLE
    ]
    if not useful:
        missing[LaunchStep.QUESTIONNAIRE].append(
            "ask at least one question matching can use besides the role "
            f"(PUT {program_path}/questionnaire)"
        )
    if LaunchStep.PAIRING_ALGORITHM not in reviewed:
        missing[LaunchStep.PAIRING_ALGORITHM].append(
            f"review the matching weights and rules (matching, PATCH {program_path}), then mark "
            f"the step reviewed (POST {program_path}/launch/pairing_algorithm)"
        )
    if not program.access.restricted and LaunchStep.PARTICIPANT_ACCESS not in reviewed:
        missing[LaunchStep.PARTICIPANT_ACCESS].append(
            f"choose who may register (PUT {program_path}/access), or mark the step reviewed "
            "to keep it open to anyone"
        )
    if not facts.invitations and LaunchStep.REVIEW_EMAIL_INVITES not in reviewed:
        missing[LaunchStep.REVIEW_EMAIL_INVITES].append(
            f"invite the eligible people ({facts.eligible} eligible, none invited: POST "
            f"{program_path}/invitations), or mark the step reviewed to send none"
        )
    if not reached(program.lifecycle, ProgramLifecycle.REGISTRATION_OPEN):
        missing[LaunchStep.LAUNCH_REGISTRATION].append(
            f'open registration (POST {program_path}/lifecycle {{"to": "registration_open"}})'
        )
    if LaunchStep.REVIEW_PAIRING_PROCESS not in reviewed:
        mode = program.settings.matching_mode
        approval = "automatic" if program.settings.auto_approve_matches else "by an admin"
        picks = " with mentees' picks" if mode is not MatchingMode.ADMIN_LED else ""
        missing[LaunchStep.REVIEW_PAIRING_PROCESS].append(
            f"review how pairs are formed ({mode}{picks}, approval {approval}), then mark the "
            f"step reviewed (POST {program_path}/launch/review_pairing_process)"
        )
    if not program.agenda:
        missing[LaunchStep.PLAN_SESSION_CONTENT].append(
            f"plan what the sessions cover (PUT {program_path}/agenda)"
        )
    if not reached(program.lifecycle, ProgramLifecycle.MATCHING):
        missing[LaunchStep.LAUNCH_PAIRING].append(
            f'close registration and start matching (POST {program_path}/lifecycle {{"to": '
            '"matching"}), then run matching'
        )
    return [
        StepState(step, TITLES[step], not missing[step], tuple(missing[step]))
        for step in LaunchStep
    ]
