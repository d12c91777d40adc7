from __future__ import annotations

from analytics.domain.registrations import RegistrationSummary, RoleTally
from mentorship_contracts.types import ParticipantRole


def test_tally_counts_roles_and_capacity_against_demand() -> None:
    summary = RegistrationSummary.tally(
        "prog-1",
        [
            RoleTally(ParticipantRole.MENTOR, participants=3, capacity=7),
            RoleTally(ParticipantRole.MENTEE, participants=10, capacity=0),
            RoleTally(ParticipantRole.BOTH, participants=2, capacity=2),
        ],
        withdrawn=4,
    )
    assert summary.participants == 15
    assert (summary.mentors, summary.mentees, summary.both) == (3, 10, 2)
    assert summary.mentor_capacity == 9
    assert summary.mentee_demand == 12
    assert summary.withdrawn == 4


def test_an_empty_program_reports_zeros() -> None:
    summary = RegistrationSummary.tally("prog-x", [], withdrawn=0)
    assert summary.participants == summary.mentor_capacity == summary.mentee_demand == 0
