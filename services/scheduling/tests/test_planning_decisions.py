"""Planning decisions, applied one after the other to the same state as a batch does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mentorship_contracts.events import PairCreated, ProgramCreated, SessionScheduled
from mentorship_contracts.examples import example
from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.planning import (
    PlanningRules,
    PlanningState,
    pair_joins,
    pair_leaves,
    series_id_of,
)
from scheduling.domain.sessions import MemberRole, SessionStatus

NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)
ZONES = {"mentor": "Europe/Berlin", "mentee-1": "America/New_York", "mentee-2": "Asia/Kolkata"}
PROGRAM = example(
    ProgramCreated,
    program_id="program-1",
    format="group",
    max_group_size=4,
    cadence="weekly",
    starts_on=date(2027, 1, 4),
    ends_on=date(2027, 6, 30),
)


def group_pair(mentee: str, created_at: datetime) -> PairCreated:
    return example(
        PairCreated,
        pair_id=f"pair-{mentee}",
        group_id="group-1",
        program_id="program-1",
        mentor_participant_id="mentor",
        mentee_participant_id=mentee,
        mentor_person_id="person-mentor",
        mentee_person_id=f"person-{mentee}",
        created_at=created_at,
    )


def plan(state: PlanningState, pair: PairCreated, now: datetime = NOW) -> list[SessionScheduled]:
    """Decide on ``pair`` and fold the decision in; the events it caused (all scheduled)."""
    series_id = series_id_of(pair)
    decision = pair_joins(
        pair,
        PROGRAM,
        state.series.get(series_id),
        state.series_sessions(series_id),
        zones=ZONES,
        rules=PlanningRules(),
        now=now,
    )
    state.apply(series_id, decision)
    events = [e for e in decision.sessions.events if isinstance(e, SessionScheduled)]
    assert len(events) == len(decision.sessions.events)
    return events


def test_a_groups_second_mentee_joins_the_series_the_first_started_in_the_same_batch() -> None:
    state = PlanningState()
    first = plan(state, group_pair("mentee-1", NOW))
    second = plan(state, group_pair("mentee-2", NOW))

    series = state.series["group-1"]
    assert {(m.participant_id, m.role) for m in series.members} == {
        ("mentor", MemberRole.MENTOR),
        ("mentee-1", MemberRole.MENTEE),
        ("mentee-2", MemberRole.MENTEE),
    }
    sessions = state.series_sessions("group-1")
    assert len(sessions) == len(first) >= 20
    assert all(s.participant_ids == ("mentor", "mentee-1", "mentee-2") for s in sessions)
    assert all(s.version == 1 for s in sessions)  # planned, then joined
    # Every session is announced when planned, and again with its new attendees.
    assert [e.session_id for e in second] == [s.session_id for s in sessions]
    assert all(e.participant_ids == ("mentor", "mentee-1", "mentee-2") for e in second)
    # The same pair again changes nothing.
    assert plan(state, group_pair("mentee-2", NOW)) == []


def test_a_pair_that_leaves_its_group_keeps_the_others_sessions() -> None:
    state = PlanningState()
    plan(state, group_pair("mentee-1", NOW))
    plan(state, group_pair("mentee-2", NOW))
    later = NOW + timedelta(days=30)
    decision = pair_leaves(
        state.series["group-1"],
        "pair-mentee-1",
        state.series_sessions("group-1"),
        ended_at=later,
        now=later,
    )
    assert decision.series is not None
    assert [m.participant_id for m in decision.series.members] == ["mentor", "mentee-2"]
    assert not decision.series.ended
    changed = [after for _, after in decision.sessions.changed]
    assert changed
    assert all(s.starts_at > later for s in changed)
    assert all(s.participant_ids == ("mentor", "mentee-2") for s in changed)

    state.apply("group-1", decision)
    last = pair_leaves(
        state.series["group-1"],
        "pair-mentee-2",
        state.series_sessions("group-1"),
        ended_at=later,
        now=later,
    )
    assert last.series is not None
    assert last.series.ended
    cancelled = [after for _, after in last.sessions.changed]
    assert len(cancelled) == len(changed)
    assert {s.status for s in cancelled} == {SessionStatus.CANCELLED}
    assert {s.cancel_reason for s in cancelled} == {SessionCancelReason.PAIR_ENDED}
