"""Reports of group and peer programs, whose sessions and pairs are shaped differently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from analytics.domain import reports
from analytics.domain.documents import (
    PairFact,
    ParticipantFact,
    ParticipantStatus,
    ProgramFact,
    RhythmFact,
    SessionFact,
    SessionStatus,
)
from analytics.domain.facts import Target
from mentorship_contracts.types import Cadence, ParticipantRole, ProgramFormat

from .memory import Store

START = datetime(2027, 1, 4, 10, tzinfo=UTC)
NOW = START + timedelta(weeks=8)


def _pair(pair_id: str, mentee: str, mentor: str = "m1", **fields: Any) -> PairFact:
    return PairFact.model_validate(
        {
            "id": pair_id,
            "program_id": "p",
            "created": True,
            "score": 5.0,
            "mentor_key": mentor,
            "mentee_key": mentee,
            "created_at": START,
        }
        | fields
    )


def _held(session_id: str, pair_id: str, week: int) -> SessionFact:
    held_at = START + timedelta(weeks=week)
    return SessionFact(
        id=session_id,
        program_id="p",
        pair_id=pair_id,
        starts_at=held_at,
        time_version="1",
        status=SessionStatus.HELD,
        held_at=held_at,
    )


def _program(program_format: ProgramFormat, metric: str = "match_rate") -> ProgramFact:
    return ProgramFact(
        id="p",
        program_id="p",
        version="1",
        name="A program",
        metric=metric,
        target=0.8,
        starts_on=date(2027, 1, 4),
        ends_on=date(2027, 3, 1),
        cadence=Cadence.WEEKLY,
        format=program_format,
    )


def _store(program: ProgramFact, pairs: list[PairFact], sessions: list[SessionFact]) -> Store:
    participants = [
        ParticipantFact(
            id=key,
            program_id="p",
            role=ParticipantRole.BOTH,
            status=ParticipantStatus.ACTIVE,
            capacity=1,
        )
        for key in sorted({p.mentee_key for p in pairs} | {p.mentor_key for p in pairs})
    ]
    return Store.rebuilt([program, *participants, *pairs, *sessions])


def _credited(store: Store, group: str) -> dict[str, list[datetime]]:
    rhythm = store.documents[Target(RhythmFact, group)]
    assert isinstance(rhythm, RhythmFact)
    return rhythm.credited()


GROUP_PROGRAM = _program(ProgramFormat.GROUP, metric="mentees_with_6_sessions_share")


def test_a_group_session_counts_for_every_member_of_the_group() -> None:
    pairs = [_pair(f"pair-{n}", f"e{n}", group_id="group-m1") for n in range(3)]
    sessions = [_held(f"group-m1.s{w}", "group-m1", w) for w in range(1, 8)]
    store = _store(GROUP_PROGRAM, pairs, sessions)

    health = store.health("p", now=NOW, inactive_after_days=45)

    assert health.inactive_pairs == []
    assert health.key_result is not None
    assert health.key_result.actual == 1.0
    assert sorted(_credited(store, "group-m1")["pair-0"]) == [s.held_at for s in sessions]


def test_a_member_is_credited_only_with_sessions_held_while_in_the_group() -> None:
    joined_late = _pair(
        "pair-late", "e9", group_id="group-m1", created_at=START + timedelta(weeks=5)
    )
    left_early = _pair(
        "pair-left",
        "e8",
        group_id="group-m1",
        ended=True,
        ended_at=START + timedelta(weeks=2, days=1),
    )
    sessions = [_held(f"group-m1.s{w}", "group-m1", w) for w in range(1, 8)]

    held = _credited(_store(GROUP_PROGRAM, [joined_late, left_early], sessions), "group-m1")

    assert len(held["pair-late"]) == 3
    assert len(held["pair-left"]) == 2


def test_both_members_of_a_peer_pair_are_matched() -> None:
    pairs = [_pair("pair-1", "a", mentor="b"), _pair("pair-2", "c", mentor="d")]
    peer = reports.pairing(_store(_program(ProgramFormat.PEER), pairs, []).aggregates("p"))
    one_on_one = reports.pairing(
        _store(_program(ProgramFormat.ONE_ON_ONE), pairs, []).aggregates("p")
    )

    assert (peer.mentees, peer.mentees_matched, peer.match_rate) == (4, 4, 1.0)
    assert one_on_one.match_rate == 0.5
