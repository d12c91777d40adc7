"""A synthetic organisation for the demo program: people, teams, managers and their answers.

Everything is drawn from a seeded random generator, so the same seed gives the same people.
Nobody here is real: names are random combinations of common given names and family names of
the offices' regions, e-mail addresses are on ``example.com`` (reserved for examples), and
employee ids are random numbers.

The shape follows a real company: departments of very different sizes, each with a head and
team managers above individual contributors; offices in six time zones whose people speak the
local languages as well as English; mentors drawn from the senior people and mentees mostly
from the junior ones; skills and goals that depend on discipline and level. The answers are
those of the standard questionnaire template, edited as `edit_questionnaire` edits it.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CAPACITY_LIMIT = 3
"""The demo program's edit caps how many mentees a mentor takes (the template allows 5)."""
HEARD_ABOUT = (
    ("manager", "My manager"),
    ("colleague", "A colleague"),
    ("intranet", "The intranet"),
    ("newsletter", "The company newsletter"),
    ("town_hall", "A town hall"),
)
"""Choices of the question the demo adds to the questionnaire."""


@dataclass(frozen=True, slots=True)
class Office:
    """Where people work: a location choice, its time zone, the languages spoken there."""

    location: str
    time_zone: str
    languages: tuple[str, ...]
    weight: int
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]


OFFICES = (
    Office(
        "new_york", "America/New_York", ("en", "es"), 20,
        ("Ashley", "Marcus", "Jasmine", "Tyler", "Gabriela", "Kevin", "Lauren", "Andre", "Megan",
         "Carlos", "Rachel", "Darius", "Emily", "Jordan", "Sofia", "Brandon"),
        ("Johnson", "Rivera", "Williams", "Brooks", "Nguyen", "Martinez", "Coleman", "Reyes",
         "Foster", "Patel", "Hughes", "Ortiz", "Bennett", "Price", "Ramirez", "Sullivan"),
    ),
    Office(
        "toronto", "America/Toronto", ("en", "fr"), 10,
        ("Olivier", "Chloé", "Liam", "Amélie", "Noah", "Priya", "Mathieu", "Hannah", "Ethan",
         "Émilie", "Daniel", "Zoe", "Félix", "Aisha"),
        ("Tremblay", "Roy", "Gagnon", "MacDonald", "Chen", "Bouchard", "Singh", "Lavoie",
         "Campbell", "Fortin", "Wong", "Pelletier"),
    ),
    Office(
        "london", "Europe/London", ("en",), 15,
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Priya", "James", "Grace", "Mohammed",
         "Freya", "Samuel", "Chloe", "Kwame", "Eleanor", "Arjun", "Niamh"),
        ("Smith", "Taylor", "Evans", "Khan", "Wright", "Okafor", "Walker", "Hall", "Thompson",
         "Ali", "Clarke", "Murphy", "Osei", "Wood", "Shah", "Harrison"),
    ),
    Office(
        "berlin", "Europe/Berlin", ("de", "en"), 15,
        ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Leon", "Sophie", "Paul", "Lena",
         "Mehmet", "Johanna", "Tobias", "Elif", "Niklas", "Katharina"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann",
         "Demir", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schulz", "Braun"),
    ),
    Office(
        "sao_paulo", "America/Sao_Paulo", ("pt", "es", "en"), 10,
        ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Juliana", "Gustavo",
         "Camila", "Thiago", "Larissa", "Bruno", "Fernanda"),
        ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Almeida",
         "Ferreira", "Rodrigues", "Carvalho", "Gomes"),
    ),
    Office(
        "bangalore", "Asia/Kolkata", ("en", "hi"), 15,
        ("Aarav", "Ananya", "Rohan", "Diya", "Vikram", "Kavya", "Arjun", "Meera", "Siddharth",
         "Ishita", "Karthik", "Pooja", "Rahul", "Sneha", "Aditya", "Nandini"),
        ("Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Rao", "Menon", "Kumar", "Joshi",
         "Krishnan", "Bhat", "Mehta", "Pillai", "Desai", "Kulkarni", "Verma"),
    ),
    Office(
        "singapore", "Asia/Singapore", ("en", "zh"), 10,
        ("Wei Ling", "Jun Jie", "Hui Min", "Darren", "Siti", "Ryan", "Mei Xin", "Arif",
         "Rachel", "Kai", "Nurul", "Jonathan"),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Rahman", "Ong", "Teo", "Koh", "Yeo"),
    ),
    Office(
        "sydney", "Australia/Sydney", ("en",), 5,
        ("Jack", "Charlotte", "William", "Mia", "Thomas", "Ruby", "Lachlan", "Matilda",
         "Cooper", "Sienna"),
        ("Wilson", "Jones", "Brown", "Martin", "Anderson", "White", "Kelly", "Ryan", "Nguyen",
         "Mitchell"),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Department:
    """A department: its share of the company and the discipline its people practise."""

    name: str
    discipline: str
    weight: int
    skills: tuple[str, ...]
    """Skills people of this discipline grow or mentor on, besides the general ones."""


DEPARTMENTS = (
    Department("Engineering", "engineering", 28, ("system_design", "data_analysis")),
    Department("Product", "product", 8, ("product_thinking", "stakeholder_management")),
    Department("Design", "design", 6, ("design_thinking", "product_thinking")),
    Department("User Research", "user_research", 3, ("design_thinking", "data_analysis")),
    Department("Data", "data", 8, ("data_analysis", "system_design")),
    Department("Sales", "sales", 13, ("sales_techniques", "negotiation")),
    Department("Marketing", "marketing", 8, ("public_speaking", "data_analysis")),
    Department("Customer Success", "customer_success", 8, ("conflict_resolution", "negotiation")),
    Department("Finance", "finance", 6, ("financial_acumen", "data_analysis")),
    Department("People", "people", 5, ("giving_feedback", "conflict_resolution")),
    Department("Operations", "operations", 4, ("financial_acumen", "delegation")),
    Department("Legal", "legal", 3, ("negotiation", "stakeholder_management")),
)

GROWTH_SKILLS = {
    "co_op": ("career_planning", "networking", "public_speaking", "work_life_balance"),
    "associate": (
        "career_planning", "networking", "public_speaking", "giving_feedback",
        "work_life_balance", "stakeholder_management",
    ),
    "intermediate": (
        "leadership", "stakeholder_management", "giving_feedback", "delegation",
        "strategic_thinking", "negotiation", "people_management", "public_speaking",
    ),
    "senior": (
        "leadership", "people_management", "strategic_thinking", "delegation",
        "conflict_resolution", "stakeholder_management",
    ),
}  # fmt: skip
MENTOR_SKILLS = (
    "leadership", "people_management", "strategic_thinking", "delegation", "giving_feedback",
    "stakeholder_management", "career_planning", "networking", "conflict_resolution",
    "public_speaking",
)  # fmt: skip
GOALS_WANTED = {
    "co_op": ("settle_in", "grow_network", "promotion"),
    "associate": ("promotion", "grow_network", "raise_visibility", "settle_in", "lead_a_project"),
    "intermediate": (
        "promotion", "lead_a_project", "first_people_manager_role", "raise_visibility",
        "switch_discipline", "return_to_work",
    ),
    "senior": ("first_people_manager_role", "lead_a_project", "raise_visibility", "promotion"),
}  # fmt: skip
GOALS_REACHED = (
    "first_people_manager_role", "promotion", "lead_a_project", "grow_network",
    "raise_visibility", "switch_discipline", "settle_in", "return_to_work",
)  # fmt: skip
INTERESTS = (
    "sports", "music", "reading", "travel", "cooking", "gaming", "arts", "outdoors",
    "volunteering", "technology", "parenting", "photography",
)  # fmt: skip
YEARS_OF_CAREER = {
    "co_op": (0, 1),
    "associate": (1, 4),
    "intermediate": (3, 8),
    "senior": (6, 16),
    "director": (10, 22),
    "executive": (15, 30),
}
GOAL_PHRASES = {
    "first_people_manager_role": "my first people manager role",
    "promotion": "my next promotion",
    "switch_discipline": "a move to another discipline",
    "lead_a_project": "leading a large project",
    "grow_network": "a wider network",
    "raise_visibility": "more visibility for my work",
    "return_to_work": "getting back up to speed after a break",
    "settle_in": "settling into the company",
}
MENTEE_HOPES = (
    "I would like to get better at {skill} and work towards {goal}.",
    "Looking for someone who has been there: {goal}, and {skill} along the way.",
    "Honest feedback on {skill}, and a sounding board for {goal}.",
    "I want a plan for {goal}; {skill} is where I feel least sure of myself.",
)
MENTOR_HOPES = (
    "Happy to share what I learned about {skill} the hard way.",
    "I enjoy helping people grow, especially with {skill}.",
    "Giving back: I had a great mentor early on and want to pass it on.",
    "I want to stay close to what early-career colleagues face, and help with {skill}.",
)


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """One person of the organisation and their answers to the demo program's questionnaire."""

    employee_id: str
    name: str
    email: str
    department: str
    manager_employee_id: str | None
    seniority: str
    office: str
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> str:
        """mentor, mentee or both."""
        role: str = self.answers["role"]
        return role

    @property
    def mentors(self) -> bool:
        """Whether they registered to mentor (as mentor or both)."""
        return self.role in {"mentor", "both"}

    @property
    def mentee(self) -> bool:
        """Whether they registered to be mentored (as mentee or both)."""
        return self.role in {"mentee", "both"}

    def discipline_for(self, mentee: DemoPerson) -> bool:
        """Whether this person's discipline is one ``mentee`` would like a mentor from."""
        return self.answers["discipline"] in mentee.answers.get("preferred_mentor_discipline", [])

    def registration(self) -> dict[str, Any]:
        """The body of a registration request (``PUT .../registrations/me``)."""
        return {
            "name": self.name,
            "email": self.email,
            "department": self.department,
            "manager_employee_id": self.manager_employee_id,
            "answers": self.answers,
        }


@dataclass(frozen=True, slots=True)
class Organisation:
    """The company: its chief executive (who does not register) and everyone who does."""

    chief_executive: str
    people: tuple[DemoPerson, ...]

    def by_employee(self) -> dict[str, DemoPerson]:
        """Everyone by employee id."""
        return {person.employee_id: person for person in self.people}


class _Names:
    """Unique names and e-mail addresses."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._emails: set[str] = set()

    def draw(self, office: Office) -> tuple[str, str]:
        given = self._rng.choice(office.given_names)
        family = self._rng.choice(office.family_names)
        local = _ascii(f"{given}.{family}").lower().replace(" ", "")
        email, number = f"{local}@example.com", 1
        while email in self._emails:
            number += 1
            email = f"{local}{number}@example.com"
        self._emails.add(email)
        return f"{given} {family}", email


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def organisation(size: int, *, seed: int) -> Organisation:
    """``size`` people who register (the chief executive above them does not).

    Each department gets a head reporting to the chief executive, about one team manager per
    eight people reporting to the head, and individual contributors reporting to a manager.
    """
    if size < len(DEPARTMENTS) * 3:
        msg = f"an organisation needs at least {len(DEPARTMENTS) * 3} people"
        raise ValueError(msg)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    ids = iter(f"E{number}" for number in rng.sample(range(10_000, 100_000), size + 1))
    chief = next(ids)
    names = _Names(rng)
    sizes = _department_sizes(size, rng)
    people: list[DemoPerson] = []
    for department, headcount in zip(DEPARTMENTS, sizes, strict=True):
        people.extend(_department(department, headcount, chief, ids=ids, names=names, rng=rng))
    rng.shuffle(people)  # an HRIS export is in no particular order
    return Organisation(chief_executive=chief, people=tuple(people))


def _department_sizes(size: int, rng: random.Random) -> list[int]:
    total = sum(d.weight for d in DEPARTMENTS)
    sizes = [max(3, round(size * d.weight / total)) for d in DEPARTMENTS]
    while sum(sizes) != size:
        index = rng.randrange(len(sizes))
        if sum(sizes) > size and sizes[index] > 3:
            sizes[index] -= 1
        elif sum(sizes) < size:
            sizes[index] += 1
    return sizes


def _department(
    department: Department,
    headcount: int,
    chief: str,
    *,
    ids: Iterator[str],
    names: _Names,
    rng: random.Random,
) -> list[DemoPerson]:
    offices = list(OFFICES)
    weights = [office.weight for office in offices]
    managers = max(1, (headcount - 1) // 8)

    def person(seniority: str, manager: str, office: Office) -> DemoPerson:
        name, email = names.draw(office)
        role = _role(seniority, rng)
        return DemoPerson(
            employee_id=next(ids),
            name=name,
            email=email,
            department=department.name,
            manager_employee_id=manager,
            seniority=seniority,
            office=office.location,
            answers=_answers(role, seniority, department, office, rng),
        )

    head_office = rng.choices(offices, weights)[0]
    big = department.weight >= 10
    head = person("executive" if big else "director", chief, head_office)
    team: list[DemoPerson] = [head]
    leads = [
        person(rng.choice(("director", "senior", "senior")), head.employee_id, office)
        for office in rng.choices(offices, weights, k=managers)
    ]
    team += leads
    levels = ("co_op", "associate", "intermediate", "senior")
    for _ in range(headcount - 1 - managers):
        lead = rng.choice(leads)
        office = (
            next(o for o in offices if o.location == lead.office)
            if rng.random() < 0.7
            else rng.choices(offices, weights)[0]
        )
        seniority = rng.choices(levels, weights=(6, 30, 36, 28))[0]
        team.append(person(seniority, lead.employee_id, office))
    return team


LEVELS = ("co_op", "associate", "intermediate", "senior", "director", "executive")
"""Seniority from the most junior up (the template's choices)."""


def _role(seniority: str, rng: random.Random) -> str:
    draw = rng.random()
    if seniority in {"executive", "director"}:
        return "mentor"
    if seniority == "senior":
        return "mentor" if draw < 0.5 else "both" if draw < 0.62 else "mentee"
    if seniority == "intermediate":
        return "both" if draw < 0.08 else "mentee"
    return "mentee"


def _some[T](rng: random.Random, pool: Sequence[T], low: int, high: int) -> list[T]:
    unique = list(dict.fromkeys(pool))
    return rng.sample(unique, min(len(unique), rng.randint(low, high)))


def _answers(
    role: str, seniority: str, department: Department, office: Office, rng: random.Random
) -> dict[str, Any]:
    low, high = YEARS_OF_CAREER[seniority]
    career = rng.randint(low, high)
    spoken = [lang for lang in office.languages if lang == "en" or rng.random() < 0.85]
    if "en" not in spoken and rng.random() < 0.9:
        spoken.append("en")
    place = rng.random()
    locations = [office.location, "remote"] if place < 0.7 else ["remote"] if place < 0.8 else []
    answers: dict[str, Any] = {
        "role": role,
        "seniority": seniority,
        "years_of_career": career,
        "years_in_role": rng.randint(0, min(career, 6)),
        "discipline": department.discipline,
        "locations": locations or [office.location],
        "time_zone": office.time_zone,
        "languages": spoken or ["en"],
        "interests": _some(rng, INTERESTS, 2, 4),
        "heard_about": rng.choices([key for key, _ in HEARD_ABOUT], weights=(5, 4, 3, 2, 2))[0],
    }
    if rng.random() < 0.08:
        del answers["heard_about"]  # an optional question some leave blank
    skill, goal = department.skills[0], "promotion"
    if role in {"mentor", "both"}:
        offered = _some(rng, [*department.skills, *MENTOR_SKILLS], 3, 5)
        others = [d.discipline for d in DEPARTMENTS if d.discipline != department.discipline]
        answers |= {
            "capacity": rng.choices((1, 2, 3), weights=(4, 4, 2))[0],
            "disciplines_experienced": [department.discipline, *_some(rng, others, 0, 2)],
            "skills_to_mentor": offered,
            "goals_reached": _some(rng, GOALS_REACHED, 2, 4),
        }
        skill = offered[0]
    if role in {"mentee", "both"}:
        level = seniority if seniority in GROWTH_SKILLS else "senior"
        wanted = _some(rng, [*GROWTH_SKILLS[level], department.skills[0]], 2, 4)
        goals = _some(rng, GOALS_WANTED[level], 1, 3)
        preferred = [department.discipline]
        if "switch_discipline" in goals or rng.random() < 0.2:
            preferred.append(rng.choice([d.discipline for d in DEPARTMENTS]))
        answers |= {
            "preferred_mentor_discipline": list(dict.fromkeys(preferred)),
            "skills_to_grow": wanted,
            "goals_to_reach": goals,
        }
        skill, goal = wanted[0], goals[0]
    hopes = MENTEE_HOPES if role == "mentee" else MENTOR_HOPES
    if rng.random() < 0.85:
        answers["expectations"] = rng.choice(hopes).format(
            skill=skill.replace("_", " ").replace("work life", "work-life"),
            goal=GOAL_PHRASES[goal],
        )
    return answers


CSV_COLUMNS = (
    "role", "capacity", "seniority", "years_of_career", "years_in_role", "discipline",
    "disciplines_experienced", "preferred_mentor_discipline", "locations", "time_zone",
    "languages", "skills_to_grow", "skills_to_mentor", "goals_to_reach", "goals_reached",
    "interests", "heard_about", "expectations",
)  # fmt: skip


def csv_export(people: Sequence[DemoPerson]) -> str:
    """The people as an HRIS export with their answers as columns (``;`` between choices)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(
        ["Employee ID", "Full Name", "Work Email", "Department", "Manager ID", *CSV_COLUMNS]
    )
    for person in people:
        cells = [
            person.employee_id,
            person.name,
            person.email,
            person.department,
            person.manager_employee_id or "",
        ]
        for column in CSV_COLUMNS:
            value = person.answers.get(column, "")
            cells.append(";".join(value) if isinstance(value, list) else str(value))
        writer.writerow(cells)
    return output.getvalue()


def edit_questionnaire(questionnaire: Mapping[str, Any]) -> dict[str, Any]:
    """The demo's edit of a questionnaire as ``GET .../questionnaire`` returns it.

    Mentors take at most `CAPACITY_LIMIT` mentees, and an optional question asks how people
    heard about the program (a choice question, so the registration report counts it). The
    read-only fields stay as read, so the result can be sent back with ``PUT`` as it is.
    """
    edited = dict(questionnaire)
    questions: list[dict[str, Any]] = []
    for question in questionnaire["questions"]:
        if question["key"] == "capacity":
            question = {**question, "maximum": CAPACITY_LIMIT}  # noqa: PLW2901 - a copy
        questions.append(question)
    if not any(question["key"] == "heard_about" for question in questions):
        questions.append(
            {
                "key": "heard_about",
                "prompt": "How did you hear about this program?",
                "kind": "single_choice",
                "required": False,
                "choices": [{"key": key, "label": label} for key, label in HEARD_ABOUT],
            }
        )
    edited["questions"] = questions
    return edited


# What participants write: action items, notes, survey comments, development plans.
ACTION_ITEMS = (
    "Draft a one-page plan for {topic}",
    "Ask my manager for feedback on {topic}",
    "Read the article we discussed about {topic}",
    "Book a coffee chat with someone who is good at {topic}",
    "Try one thing we discussed about {topic} before the next session",
)
NOTES = (
    "",
    "Good energy today; we found common ground quickly.",
    "Felt a bit rushed, next time agree an agenda beforehand.",
    "Useful examples from their own career.",
    "We spent most of the time on my current project.",
)
SURVEY_COMMENTS = (
    "",
    "",
    "Great to have someone outside my team to talk to.",
    "Finding time every two weeks is hard.",
    "My mentor's stories about their first management role helped a lot.",
    "Would like more guidance on what to discuss in sessions.",
)
GOAL_PLANS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_people_manager_role": (
        "Prepare for a team lead role",
        ("Shadow my manager's one-on-ones", "Run the team retro for a month",
         "Talk about a lead role with my manager"),
    ),
    "promotion": (
        "Build my case for promotion",
        ("Agree the next level's expectations with my manager", "Collect evidence of impact",
         "Ask two peers for feedback"),
    ),
    "switch_discipline": (
        "Explore a move to another discipline",
        ("Talk to three people in that discipline", "Take on a small cross-team task",
         "Decide whether to move"),
    ),
    "lead_a_project": (
        "Lead a cross-team project",
        ("Write the project brief", "Run the kick-off", "Deliver the first milestone"),
    ),
    "grow_network": (
        "Grow my network across the company",
        ("Meet five people outside my team", "Join a community of practice",
         "Present at a company meetup"),
    ),
    "raise_visibility": (
        "Make my work more visible",
        ("Share a monthly update", "Present at the all-hands", "Write an internal blog post"),
    ),
    "return_to_work": (
        "Get back up to speed after my break",
        ("Catch up on what changed", "Own a first deliverable", "Settle a sustainable rhythm"),
    ),
    "settle_in": (
        "Settle into the company",
        ("Understand how my team fits in", "Meet my key stakeholders",
         "Finish my first project"),
    ),
}  # fmt: skip
