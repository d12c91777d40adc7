"""The questionnaire templates that ship with the platform.

``standard`` covers what the product brief lists: role, capacity, seniority, career and role
tenure, disciplines, locations or remote, time zone, languages, skills and goals (to grow /
to mentor on), interests and free-text expectations. ``minimal`` asks the role only. A
program manager applies one in a single call and then edits it like any questionnaire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from mentorship_contracts.types import Seniority
from registration.domain.questionnaire import (
    REMOTE,
    Choice,
    Condition,
    Meaning,
    Question,
    QuestionKind,
    Questionnaire,
    choice_key_problem,
)


class Template(StrEnum):
    """The templates a program can start from."""

    STANDARD = "standard"
    MINIMAL = "minimal"


MENTORS = ("mentor", "both")
MENTEES = ("mentee", "both")

DISCIPLINES = (
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("finance", "Finance"),
    ("product", "Product management"),
    ("design", "Design"),
    ("user_research", "User research"),
    ("engineering", "Engineering"),
    ("data", "Data and analytics"),
    ("operations", "Operations"),
    ("people", "People and HR"),
    ("legal", "Legal"),
    ("customer_success", "Customer success"),
    ("other", "Other"),
)
SKILLS = (
    ("leadership", "Leadership"),
    ("people_management", "Managing people"),
    ("public_speaking", "Public speaking"),
    ("delegation", "Delegation"),
    ("negotiation", "Negotiation"),
    ("strategic_thinking", "Strategic thinking"),
    ("stakeholder_management", "Stakeholder management"),
    ("giving_feedback", "Giving feedback"),
    ("conflict_resolution", "Conflict resolution"),
    ("product_thinking", "Product thinking"),
    ("data_analysis", "Data analysis"),
    ("system_design", "System design"),
    ("design_thinking", "Design thinking"),
    ("financial_acumen", "Financial acumen"),
    ("sales_techniques", "Sales techniques"),
    ("career_planning", "Career planning"),
    ("networking", "Networking"),
    ("work_life_balance", "Work-life balance"),
)
GOALS = (
    ("first_people_manager_role", "Become a people manager"),
    ("promotion", "Get promoted"),
    ("switch_discipline", "Move to another discipline"),
    ("lead_a_project", "Lead a large project"),
    ("grow_network", "Grow my network"),
    ("raise_visibility", "Raise my visibility"),
    ("return_to_work", "Return to work after a break"),
    ("settle_in", "Settle into a new role or company"),
)
INTERESTS = (
    ("sports", "Sports"),
    ("music", "Music"),
    ("reading", "Reading"),
    ("travel", "Travel"),
    ("cooking", "Cooking"),
    ("gaming", "Gaming"),
    ("arts", "Arts and crafts"),
    ("outdoors", "The outdoors"),
    ("volunteering", "Volunteering"),
    ("technology", "Technology"),
    ("parenting", "Parenting"),
    ("photography", "Photography"),
)
REMOTE_CHOICE = (REMOTE, "Remote (video calls)")
LOCATIONS = (
    ("new_york", "New York"),
    ("toronto", "Toronto"),
    ("sao_paulo", "São Paulo"),
    ("london", "London"),
    ("berlin", "Berlin"),
    ("bangalore", "Bangalore"),
    ("singapore", "Singapore"),
    ("sydney", "Sydney"),
)
TIME_ZONES = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Toronto", "America/Mexico_City",
    "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Atlantic/Azores",
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul",
    "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore", "Asia/Shanghai",
    "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
    "Pacific/Auckland",
)  # fmt: skip
LANGUAGES = (
    ("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German"),
    ("pt", "Portuguese"), ("it", "Italian"), ("nl", "Dutch"), ("pl", "Polish"),
    ("sv", "Swedish"), ("tr", "Turkish"), ("ar", "Arabic"), ("hi", "Hindi"),
    ("zh", "Chinese"), ("ja", "Japanese"), ("ko", "Korean"),
)  # fmt: skip
SENIORITY_LABELS = {
    Seniority.CO_OP: "Co-op / intern",
    Seniority.ASSOCIATE: "Associate",
    Seniority.INTERMEDIATE: "Intermediate",
    Seniority.SENIOR: "Senior",
    Seniority.DIRECTOR: "Director",
    Seniority.EXECUTIVE: "VP / executive",
}


def _choices(pairs: Sequence[tuple[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(key=key, label=label) for key, label in pairs)


class ChoiceList(StrEnum):
    """The standard template's lists an organisation edits once for all its programs."""

    LOCATIONS = "locations"
    TIME_ZONES = "time_zones"
    LANGUAGES = "languages"


_LIST_MEANINGS = {
    ChoiceList.LOCATIONS: Meaning.LOCATIONS,
    ChoiceList.TIME_ZONES: Meaning.TIME_ZONE,
    ChoiceList.LANGUAGES: Meaning.LANGUAGES,
}
MAX_LIST_CHOICES = 300


class ChoiceListError(ValueError):
    """An edited list the template cannot use; ``problems`` are (index, message)."""

    def __init__(self, problems: Sequence[tuple[int | None, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class OrganisationChoices:
    """The organisation's offices, time zones and languages (the platform's by default).

    Locations are the offices people can meet in; the template always offers remote first.
    """

    locations: tuple[Choice, ...] = _choices(LOCATIONS)
    time_zones: tuple[Choice, ...] = tuple(
        Choice(key=zone, label=zone.replace("_", " ")) for zone in TIME_ZONES
    )
    languages: tuple[Choice, ...] = _choices(LANGUAGES)

    def of(self, name: ChoiceList) -> tuple[Choice, ...]:
        """One list."""
        return tuple(getattr(self, name.value))

    def with_list(self, name: ChoiceList, choices: Sequence[Choice]) -> OrganisationChoices:
        """These choices with one list replaced, checked for the template's question.

        Raises:
            ChoiceListError: a key is not what the question takes, repeats, or the list is
                empty or too long.
        """
        problems: list[tuple[int | None, str]] = []
        if not choices or len(choices) > MAX_LIST_CHOICES:
            problems.append((None, f"a list holds 1 to {MAX_LIST_CHOICES} choices"))
        seen: set[str] = set()
        for index, choice in enumerate(choices):
            if name is ChoiceList.LOCATIONS and choice.key == REMOTE:
                problems.append((index, "remote is always offered; list the offices only"))
            elif problem := choice_key_problem(_LIST_MEANINGS[name], choice.key):
                problems.append((index, problem))
            if choice.key in seen:
                problems.append((index, f"{choice.key!r} is listed twice"))
            seen.add(choice.key)
        if problems:
            raise ChoiceListError(problems)
        return replace(self, **{name.value: tuple(choices)})


def _role() -> Question:
    return Question(
        key="role",
        prompt="Do you want to mentor, be mentored, or both?",
        kind=QuestionKind.SINGLE_CHOICE,
        required=True,
        meaning=Meaning.ROLE,
        choices=_choices((("mentor", "Mentor"), ("mentee", "Mentee"), ("both", "Both"))),
    )


def _standard(lists: OrganisationChoices) -> Questionnaire:
    only_mentors = Condition(question="role", any_of=MENTORS)
    only_mentees = Condition(question="role", any_of=MENTEES)
    multiple, single = QuestionKind.MULTIPLE_CHOICE, QuestionKind.SINGLE_CHOICE
    return Questionnaire(
        questions=(
            _role(),
            Question(
                key="capacity",
                prompt="How many mentees can you take on?",
                kind=QuestionKind.NUMBER,
                integer=True,
                minimum=1,
                maximum=5,
                required=True,
                meaning=Meaning.CAPACITY,
                show_if=only_mentors,
            ),
            Question(
                key="seniority",
                prompt="What is your level?",
                kind=single,
                required=True,
                meaning=Meaning.SENIORITY,
                choices=_choices(
                    [(level.value, label) for level, label in SENIORITY_LABELS.items()]
                ),
            ),
            Question(
                key="years_of_career",
                prompt="How many years have you worked?",
                kind=QuestionKind.NUMBER,
                minimum=0,
                maximum=60,
                meaning=Meaning.YEARS_EXPERIENCE,
            ),
            Question(
                key="years_in_role",
                prompt="How many years have you been in your current role?",
                kind=QuestionKind.NUMBER,
                minimum=0,
                maximum=60,
                meaning=Meaning.YEARS_IN_ROLE,
            ),
            Question(
                key="discipline",
                prompt="What is your current discipline?",
                kind=single,
                required=True,
                meaning=Meaning.DISCIPLINE,
                choices=_choices(DISCIPLINES),
            ),
            Question(
                key="disciplines_experienced",
                prompt="Which disciplines have you worked in?",
                kind=multiple,
                meaning=Meaning.DISCIPLINES_EXPERIENCED,
                choices=_choices(DISCIPLINES),
                show_if=only_mentors,
            ),
            Question(
                key="preferred_mentor_discipline",
                prompt="Which disciplines would you like your mentor to come from?",
                kind=multiple,
                meaning=Meaning.PREFERRED_MENTOR_DISCIPLINES,
                choices=_choices(DISCIPLINES),
                show_if=only_mentees,
            ),
            Question(
                key="locations",
                prompt="Where can you meet?",
                help="Choose remote if video calls suit you.",
                kind=multiple,
                required=True,
                meaning=Meaning.LOCATIONS,
                choices=(Choice(key=REMOTE_CHOICE[0], label=REMOTE_CHOICE[1]), *lists.locations),
            ),
            Question(
                key="time_zone",
                prompt="Which time zone do you work in?",
                kind=single,
                required=True,
                meaning=Meaning.TIME_ZONE,
                choices=lists.time_zones,
            ),
            Question(
                key="languages",
                prompt="Which languages can you hold a mentoring conversation in?",
                kind=multiple,
                required=True,
                meaning=Meaning.LANGUAGES,
                choices=lists.languages,
            ),
            Question(
                key="skills_to_grow",
                prompt="Which skills do you want to grow?",
                kind=multiple,
                max_selections=5,
                meaning=Meaning.SKILLS_WANTED,
                choices=_choices(SKILLS),
                show_if=only_mentees,
            ),
            Question(
                key="skills_to_mentor",
                prompt="Which skills can you mentor others on?",
                kind=multiple,
                max_selections=5,
                meaning=Meaning.SKILLS_OFFERED,
                choices=_choices(SKILLS),
                show_if=only_mentors,
            ),
            Question(
                key="goals_to_reach",
                prompt="Which goals do you want to reach?",
                kind=multiple,
                max_selections=3,
                meaning=Meaning.GOALS_WANTED,
                choices=_choices(GOALS),
                show_if=only_mentees,
            ),
            Question(
                key="goals_reached",
                prompt="Which of these have you achieved and can mentor on?",
                kind=multiple,
                meaning=Meaning.GOALS_ACHIEVED,
                choices=_choices(GOALS),
                show_if=only_mentors,
            ),
            Question(
                key="interests",
                prompt="What are your interests and hobbies?",
                kind=multiple,
                max_selections=5,
                meaning=Meaning.INTERESTS,
                choices=_choices(INTERESTS),
            ),
            Question(
                key="expectations",
                prompt="What do you hope to get from this mentorship?",
                kind=QuestionKind.FREE_TEXT,
                max_length=1000,
            ),
        )
    )


def questionnaire_from(
    template: Template, lists: OrganisationChoices | None = None
) -> Questionnaire:
    """A fresh copy of ``template``'s questions, with the organisation's lists."""
    if template is Template.MINIMAL:
        return Questionnaire(questions=(_role(),))
    return _standard(lists or OrganisationChoices())
