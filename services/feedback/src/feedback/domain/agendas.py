"""Session agendas: a small template library and which template a pair's next session uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

CLOSING_WINDOW = timedelta(days=30)
"""Sessions in the program's last 30 days close the relationship."""


class AgendaKind(StrEnum):
    """The moments of a mentoring relationship an agenda is written for."""

    FIRST_SESSION = "first_session"
    GOAL_SETTING = "goal_setting"
    CHECK_IN = "check_in"
    CLOSING = "closing"


@dataclass(frozen=True, slots=True)
class AgendaTemplate:
    """A suggested structure for one session."""

    kind: AgendaKind
    title: str
    purpose: str
    minutes: tuple[tuple[str, int], ...]
    """Agenda items and the minutes each deserves."""
    questions: tuple[str, ...]


TEMPLATES: dict[AgendaKind, AgendaTemplate] = {
    AgendaKind.FIRST_SESSION: AgendaTemplate(
        kind=AgendaKind.FIRST_SESSION,
        title="Getting to know each other",
        purpose="Build trust, share backgrounds and agree how you will work together.",
        minutes=(
            ("Introductions and career stories", 20),
            ("What each of you hopes to get from the program", 15),
            ("Draft the mentoring agreement", 15),
            ("Pick a regular time and next steps", 10),
        ),
        questions=(
            "What brought you to this program, and what would make it a success for you?",
            "Which moments in your career taught you the most?",
            "How do you prefer to receive feedback?",
            "What should stay between the two of us?",
        ),
    ),
    AgendaKind.GOAL_SETTING: AgendaTemplate(
        kind=AgendaKind.GOAL_SETTING,
        title="Setting development goals",
        purpose="Turn hopes into two or three goals with milestones you can check.",
        minutes=(
            ("Where the mentee stands today", 15),
            ("Choose goals from the program's skills and goals", 20),
            ("Milestones and how progress will show", 15),
            ("First actions before the next session", 10),
        ),
        questions=(
            "Where do you want to be at the end of the program?",
            "Which skill, improved, would make the biggest difference to your work?",
            "What would a first milestone look like, and by when?",
            "What could get in the way, and how will we notice?",
        ),
    ),
    AgendaKind.CHECK_IN: AgendaTemplate(
        kind=AgendaKind.CHECK_IN,
        title="Progress check-in",
        purpose="Review progress, work on a current challenge and set the next actions.",
        minutes=(
            ("Wins and progress since last time", 10),
            ("Review action items and goal milestones", 15),
            ("A current challenge, in depth", 25),
            ("Next actions", 10),
        ),
        questions=(
            "What went well since we last met?",
            "Which action item did not happen, and why?",
            "What is the hardest thing on your plate right now?",
            "Is our time together still useful, or should we change how we meet?",
        ),
    ),
    AgendaKind.CLOSING: AgendaTemplate(
        kind=AgendaKind.CLOSING,
        title="Closing the program",
        purpose="Look back at the goals, celebrate progress and plan what comes next.",
        minutes=(
            ("Goals: where you started and where you are", 20),
            ("What worked in this relationship", 15),
            ("Next steps after the program", 15),
            ("Closing survey and thanks", 10),
        ),
        questions=(
            "Which goal moved furthest, and what made the difference?",
            "What will you keep doing after the program ends?",
            "What would you tell the next mentee in this program?",
            "Would you like to stay in touch, and how?",
        ),
    ),
}


def next_agenda(
    held_sessions: int, goals: int, today: date, program_ends_on: date
) -> AgendaTemplate:
    """The template for a pair's next session.

    The first session gets to-know-you; then goal setting until the mentee has a goal;
    check-ins after that; the program's last month closes the relationship.
    """
    if held_sessions > 0 and program_ends_on - today <= CLOSING_WINDOW:
        return TEMPLATES[AgendaKind.CLOSING]
    if held_sessions == 0:
        return TEMPLATES[AgendaKind.FIRST_SESSION]
    if goals == 0:
        return TEMPLATES[AgendaKind.GOAL_SETTING]
    return TEMPLATES[AgendaKind.CHECK_IN]
