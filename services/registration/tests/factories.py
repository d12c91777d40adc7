"""Test data shared by registration's tests."""

from __future__ import annotations

from typing import Any

from mentorship_devstack.workloads import program_settings

__all__ = ["MENTEE_ANSWERS", "MENTOR_ANSWERS", "program_settings"]


MENTOR_ANSWERS: dict[str, Any] = {
    "role": "mentor",
    "capacity": 3,
    "seniority": "director",
    "years_of_career": 18,
    "years_in_role": 2.5,
    "discipline": "engineering",
    "disciplines_experienced": ["engineering", "product"],
    "locations": ["berlin", "remote"],
    "time_zone": "Europe/Berlin",
    "languages": ["en", "de"],
    "skills_to_mentor": ["leadership", "system_design"],
    "goals_reached": ["promotion"],
    "interests": ["cooking"],
    "expectations": "Help someone grow.",
}
MENTEE_ANSWERS: dict[str, Any] = {
    "role": "mentee",
    "seniority": "associate",
    "discipline": "design",
    "preferred_mentor_discipline": ["design", "product"],
    "locations": ["london"],
    "time_zone": "Europe/London",
    "languages": ["en"],
    "skills_to_grow": ["public_speaking"],
    "goals_to_reach": ["promotion", "grow_network"],
}
