"""Realistic programs and people for tests, demos and benchmarks.

People answer the standard questionnaire template (keys such as ``role``, ``seniority``,
``skills_to_grow``); mentors are more senior than mentees; departments, time zones and
languages cluster the way they do in a real company; managers form a hierarchy.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from mentorship_contracts.types import utc_now

SENIORITY = ("co_op", "associate", "intermediate", "senior", "director", "executive")
DISCIPLINES = ("sales", "marketing", "finance", "product", "design", "engineering", "data")
SKILLS = (
    "leadership", "people_management", "public_speaking", "delegation", "negotiation",
    "strategic_thinking", "stakeholder_management", "giving_feedback", "conflict_resolution",
    "product_thinking", "data_analysis", "system_design", "career_planning", "networking",
)  # fmt: skip
GOALS = (
    "first_people_manager_role", "promotion", "switch_discipline", "lead_a_project",
    "grow_network", "raise_visibility",
)  # fmt: skip
INTERESTS = ("sports", "music", "reading", "travel", "cooking", "outdoors", "technology")
SITES = (
    ("Europe/Berlin", "berlin", ("en", "de")),
    ("Europe/London", "london", ("en",)),
    ("America/New_York", "new_york", ("en", "es")),
    ("America/Toronto", "toronto", ("en", "fr")),
    ("Asia/Kolkata", "bangalore", ("en", "hi")),
    ("Asia/Singapore", "singapore", ("en", "zh")),
)
DEPARTMENTS = ("Sales", "Marketing", "Finance", "Product", "Design", "Engineering", "Data")


def program_settings(**changes: Any) -> dict[str, Any]:
    """A valid program (create request) whose registration is open now."""
    now = utc_now()
    starts = (now + timedelta(days=30)).date()
    return {
        "name": "Emerging leaders",
        "goal": "leadership_development",
        "goal_detail": "First-time managers",
        "key_result": {
            "description": "80% of mentees hold 6 sessions",
            "metric": "mentees_with_6_sessions_share",
            "target": 0.8,
        },
        "format": "one_on_one",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + relativedelta(months=6)).isoformat(),
        "cadence": "biweekly",
        "time_zone": "Europe/Berlin",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=20)).isoformat(),
        "matching_mode": "both",
        "auto_approve_matches": False,
    } | changes


@dataclass(frozen=True, slots=True)
class PersonSpec:
    """One generated person and their answers to the standard questionnaire."""

    employee_id: str
    name: str
    email: str
    department: str
    manager_employee_id: str | None
    answers: dict[str, Any] = field(default_factory=dict)

    def registration(self) -> dict[str, Any]:
        """The body of a registration request (as an admin would send it)."""
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "email": self.email,
            "department": self.department,
            "manager_employee_id": self.manager_employee_id,
            "answers": self.answers,
        }


def people(count: int, *, seed: int = 7, mentor_share: float = 0.25) -> list[PersonSpec]:
    """``count`` people; about ``mentor_share`` mentors, a few "both", the rest mentees."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    generated: list[PersonSpec] = []
    managers: list[str] = []
    for index in range(count):
        employee_id = f"emp-{seed}-{index:06d}"
        draw = rng.random()
        role = (
            "mentor" if draw < mentor_share else "both" if draw < mentor_share + 0.05 else "mentee"
        )
        manager = rng.choice(managers) if managers and rng.random() < 0.9 else None
        if role != "mentee" and rng.random() < 0.5:
            managers.append(employee_id)
        department = rng.choice(DEPARTMENTS)
        generated.append(
            PersonSpec(
                employee_id=employee_id,
                name=f"Person {index}",
                email=f"{employee_id}@example.com",
                department=department,
                manager_employee_id=manager,
                answers=_answers(rng, role, department),
            )
        )
    return generated


def _answers(rng: random.Random, role: str, department: str) -> dict[str, Any]:
    mentors = role in {"mentor", "both"}
    mentees = role in {"mentee", "both"}
    level = rng.randint(3, 5) if role == "mentor" else rng.randint(0, 3)
    time_zone, site, languages = rng.choice(SITES)
    discipline = department.lower() if department.lower() in DISCIPLINES else "engineering"
    answers: dict[str, Any] = {
        "role": role,
        "seniority": SENIORITY[level],
        "years_of_career": level * 4 + rng.randint(0, 3),
        "years_in_role": rng.randint(0, 5),
        "discipline": discipline,
        "locations": [site, "remote"] if rng.random() < 0.8 else [site],
        "time_zone": time_zone,
        "languages": list(languages) if rng.random() < 0.6 else ["en"],
        "interests": rng.sample(INTERESTS, 2),
        "expectations": "Grow, and help others grow.",
    }
    if mentors:
        answers |= {
            "capacity": rng.randint(1, 5),
            "disciplines_experienced": rng.sample(DISCIPLINES, 2),
            "skills_to_mentor": rng.sample(SKILLS, 4),
            "goals_reached": rng.sample(GOALS, 2),
        }
    if mentees:
        answers |= {
            "preferred_mentor_discipline": [discipline],
            "skills_to_grow": rng.sample(SKILLS, 3),
            "goals_to_reach": rng.sample(GOALS, 2),
        }
    return answers


CSV_COLUMNS = (
    "role", "capacity", "seniority", "years_of_career", "years_in_role", "discipline",
    "disciplines_experienced", "preferred_mentor_discipline", "locations", "time_zone",
    "languages", "skills_to_grow", "skills_to_mentor", "goals_to_reach", "goals_reached",
    "interests", "expectations",
)  # fmt: skip


def csv_export(persons: list[PersonSpec]) -> str:
    """The people as an HRIS-style CSV export with their answers as columns."""
    header = ["Employee ID", "Full Name", "Work Email", "Department", "Manager ID", *CSV_COLUMNS]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(header)
    for person in persons:
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
