"""Who is whose partner, from the pairings registration learns from matching."""

from __future__ import annotations

from registration.domain.partners import Pairing, partners_of

ONE = Pairing("pair-1", "p", mentor_participant_id="m-1", mentee_participant_id="e-1")
GROUP_A = Pairing("pair-2", "p", "m-2", "e-2", group_id="grp")
GROUP_B = Pairing("pair-3", "p", "m-2", "e-3", group_id="grp")
ENDED = Pairing("pair-4", "p", "m-1", "e-4", ended=True)


def test_the_other_member_of_an_active_pair_only() -> None:
    assert partners_of(["e-1"], [ONE, GROUP_A, ENDED]) == {"m-1"}
    assert partners_of(["m-1"], [ONE, ENDED]) == {"e-1"}  # not e-4: that pair ended
    assert partners_of(["e-4"], [ONE, ENDED]) == frozenset()


def test_a_mentoring_group_s_members_are_each_other_s_partners() -> None:
    assert partners_of(["e-2"], [ONE, GROUP_A, GROUP_B]) == {"m-2", "e-3"}
    assert partners_of(["m-2"], [GROUP_A, GROUP_B]) == {"e-2", "e-3"}


def test_nobody_is_their_own_partner_across_their_programs() -> None:
    # Two registrations of one person, paired with each other's pairs' members.
    assert partners_of(["e-1", "m-1"], [ONE]) == frozenset()
