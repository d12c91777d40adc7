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

from mentorship_contracts.events import MatchingProfile, ParticipantRegistered
from mentorship_contracts.types import ParticipantRole, Seniority, utc_now

SENIORITY = tuple(level.value for level in Seniority)
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


MATCHING_SITES = (
    # (time zone, location, languages, weight)
    ("Europe/Berlin", "berlin", ("en", "de"), 5),
    ("Europe/London", "london", ("en",), 5),
    ("America/New_York", "new_york", ("en", "es"), 5),
    ("America/Sao_Paulo", "sao_paulo", ("pt", "es"), 2),
    ("Asia/Kolkata", "bangalore", ("en", "hi"), 2),
    ("Asia/Singapore", "singapore", ("en", "zh"), 1),
)


def matching_pool(
    mentees: int,
    *,
    seed: int = 1,
    mentors_per_mentee: float = 0.25,
    program_id: str = "prog-bench",
    picks: bool = False,
) -> list[ParticipantRegistered]:
    """A program's pool as matching receives it: mentees, mentors (capacity 1-5).

    Sites, languages, seniority and reporting lines are drawn so that the hard rules
    exclude about 30% of mentee-mentor pairs under the default rules (6 h time-zone gap,
    a shared language, the mentor more senior, reporting line depth 2).
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    sites = [site for site in MATCHING_SITES for _ in range(site[3])]
    mentor_count = max(1, int(mentees * mentors_per_mentee))
    pool: list[ParticipantRegistered] = []
    mentor_ids: list[str] = []
    managers: list[str] = []
    for index in range(mentor_count + mentees):
        is_mentor = index < mentor_count
        participant_id = f"p-{seed}-{index:06d}"
        time_zone, location, languages, _ = rng.choice(sites)
        level_weights = (0, 0, 2, 4, 3, 2) if is_mentor else (4, 5, 3, 1, 0, 0)
        level = rng.choices(range(6), weights=level_weights)[0]
        manager_line = tuple(rng.sample(managers, k=min(2, len(managers)))) if managers else ()
        person_id = f"person-{seed}-{index:06d}"
        if is_mentor and rng.random() < 0.3:
            managers.append(person_id)
        spoken = list(dict.fromkeys([*languages, *(["en"] if rng.random() < 0.9 else [])]))
        profile = MatchingProfile(
            seniority=Seniority(SENIORITY[level]),
            years_experience=float(level * 4 + rng.randint(0, 3)),
            discipline=rng.choice(DISCIPLINES),
            disciplines_experienced=tuple(rng.sample(DISCIPLINES, 2)) if is_mentor else (),
            preferred_mentor_disciplines=() if is_mentor else tuple(rng.sample(DISCIPLINES, 1)),
            locations=(location,),
            remote_ok=rng.random() < 0.95,
            time_zone=time_zone,
            languages=tuple(spoken),
            skills_wanted=() if is_mentor else tuple(rng.sample(SKILLS, 3)),
            skills_offered=tuple(rng.sample(SKILLS, 5)) if is_mentor else (),
            goals_wanted=() if is_mentor else tuple(rng.sample(GOALS, 2)),
            goals_achieved=tuple(rng.sample(GOALS, 3)) if is_mentor else (),
            interests=tuple(rng.sample(INTERESTS, 2)),
            preferred_mentors=(
                tuple(rng.sample(mentor_ids, k=min(3, len(mentor_ids))))
                if picks and not is_mentor and mentor_ids and rng.random() < 0.5
                else ()
            ),
        )
        pool.append(
            ParticipantRegistered(
                participant_id=participant_id,
                program_id=program_id,
                person_id=person_id,
                role=ParticipantRole.MENTOR if is_mentor else ParticipantRole.MENTEE,
                capacity=rng.randint(1, 5) if is_mentor else 0,
                department=rng.choice(DEPARTMENTS).lower(),
                reporting_line=manager_line,
                profile=profile,
                questionnaire_version=1,
                registered_at=utc_now(),
            )
        )
        if is_mentor:
            mentor_ids.append(participant_id)
    return pool
