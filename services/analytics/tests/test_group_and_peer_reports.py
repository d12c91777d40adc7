"""Reports of group and peer programs, whose sessions and pairs are shaped differently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.domain import reports
from analytics.domain.facts import Doc

START = datetime(2027, 1, 4, 10, tzinfo=UTC)
NOW = START + timedelta(weeks=8)


def _pair(pair_id: str, mentee: str, mentor: str = "m1", **fields: object) -> Doc:
    return {
        "_id": pair_id,
        "program_id": "p",
        "score": 5.0,
        "mentor_key": mentor,
        "mentee_key": mentee,
        "created_at": START,
        "ended": False,
    } | fields


def _held(session_id: str, pair_id: str, week: int) -> Doc:
    held_at = START + timedelta(weeks=week)
    return {"_id": session_id, "pair_id": pair_id, "status": "held", "held_at": held_at}


def _docs(programs: list[Doc], pairs: list[Doc], sessions: list[Doc]) -> dict[str, list[Doc]]:
    participants = [
        {"_id": key, "role": "both", "status": "active", "capacity": 1}
        for key in sorted({p["mentee_key"] for p in pairs} | {p["mentor_key"] for p in pairs})
    ]
    return {
        "programs": programs,
        "participants": participants,
        "runs": [],
        "pairs": pairs,
        "sessions": sessions,
        "feedback": [],
        "fits": [],
        "goals": [],
        "surveys": [],
    }


GROUP_PROGRAM = {
    "_id": "p",
    "format": "group",
    "metric": "mentees_with_6_sessions_share",
    "target": 0.8,
    "starts_on": "2027-01-04",
    "ends_on": "2027-03-01",
}


def test_a_group_session_counts_for_every_member_of_the_group() -> None:
    pairs = [_pair(f"pair-{n}", f"e{n}", group_id="group-m1") for n in range(3)]
    sessions = [_held(f"group-m1.s{w}", "group-m1", w) for w in range(1, 8)]
    docs = _docs([GROUP_PROGRAM], pairs, sessions)

    health = reports.health(GROUP_PROGRAM, docs, now=NOW, inactive_after_days=45)

    assert health.inactive_pairs == []
    assert health.key_result is not None
    assert health.key_result.actual == 1.0
    assert reports.held_by_pair(pairs, sessions)["pair-0"] == [s["held_at"] for s in sessions]


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

    held = reports.held_by_pair([joined_late, left_early], sessions)

    assert len(held["pair-late"]) == 3
    assert len(held["pair-left"]) == 2


def test_both_members_of_a_peer_pair_are_matched() -> None:
    pairs = [_pair("pair-1", "a", mentor="b"), _pair("pair-2", "c", mentor="d")]
    docs = _docs([{"_id": "p", "format": "peer"}], pairs, [])

    peer = reports.pairing("p", docs["participants"], pairs, [], peer=True)
    one_on_one = reports.pairing("p", docs["participants"], pairs, [])

    assert (peer.mentees, peer.mentees_matched, peer.match_rate) == (4, 4, 1.0)
    assert one_on_one.match_rate == 0.5
