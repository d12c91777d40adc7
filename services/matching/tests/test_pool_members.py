"""Whether a run could still match someone in the pool, from the pairs they are in."""

from __future__ import annotations

from datetime import UTC, datetime

from matching.domain.pairs import Pair
from matching.domain.pool import pool_member
from mentorship_contracts.types import ParticipantRole, ProgramFormat

from .programs import MENTEE, MENTOR, person, program


def pair(mentor: str, mentee: str) -> Pair:
    return Pair(
        pair_id=f"{mentor}-{mentee}",
        program_id="prog-1",
        run_id="run-1",
        mentor_participant_id=mentor,
        mentee_participant_id=mentee,
        mentor_person_id=f"person-{mentor}",
        mentee_person_id=f"person-{mentee}",
        score=1.0,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_a_paired_mentee_waits_no_longer() -> None:
    mentee = person("e", MENTEE)
    assert pool_member(program(), mentee, []).waiting
    paired = pool_member(program(), mentee, [pair("m", "e")])
    assert (paired.pairs_as_mentee, paired.room, paired.waiting) == (1, 0, False)


def test_a_mentor_waits_while_they_have_room() -> None:
    mentor = person("m", MENTOR, capacity=2)
    one = pool_member(program(), mentor, [pair("m", "a")])
    assert (one.pairs_as_mentor, one.room, one.waiting) == (1, 1, True)
    full = pool_member(program(), mentor, [pair("m", "a"), pair("m", "b")])
    assert (full.room, full.waiting) == (0, False)


def test_a_group_mentor_has_room_up_to_the_group_size() -> None:
    mentor = person("m", MENTOR, capacity=5)
    member = pool_member(program(ProgramFormat.GROUP), mentor, [pair("m", "a")])
    assert member.room == 1  # the test program's groups hold 2


def test_someone_registered_as_both_waits_as_either() -> None:
    both = person("x", ParticipantRole.BOTH, capacity=1)
    as_mentee = pool_member(program(), both, [pair("m", "x")])
    assert (as_mentee.room, as_mentee.waiting) == (1, True)
    as_both = pool_member(program(), both, [pair("m", "x"), pair("x", "e")])
    assert not as_both.waiting


def test_a_paired_peer_waits_no_longer() -> None:
    peer = person("p", ParticipantRole.BOTH, capacity=1)
    assert pool_member(program(ProgramFormat.PEER), peer, []).waiting
    assert not pool_member(program(ProgramFormat.PEER), peer, [pair("q", "p")]).waiting


def test_without_the_program_capacities_are_taken_as_registered() -> None:
    mentor = person("m", MENTOR, capacity=3)
    assert pool_member(None, mentor, [pair("m", "a")]).room == 2
