"""The pair-admission rule approval applies to each proposal part (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matching.domain.approval import ProposalPart, admit_part, finish_approval
from matching.domain.pairs import PairAlreadyEndedError, end_pair
from matching.domain.runs import Approval, Run, RunKind, RunOptions, RunStatus, Stage
from mentorship_contracts.events import MatchingRunProposed
from mentorship_contracts.events.matching import ProposedPair
from mentorship_contracts.examples import example
from mentorship_contracts.types import PairEndReason, ProgramFormat

from .programs import MENTEE, MENTOR, person, program
from .test_pool_members import pair

NOW = datetime(2026, 3, 1, tzinfo=UTC)
RUN = Run(
    run_id="run-1",
    program_id="prog-1",
    kind=RunKind.MATCH,
    status=RunStatus.APPROVING,
    stage=Stage.CREATING_PAIRS,
    options=RunOptions(),
    requested_by="admin-token",
    requested_at=NOW,
)
STARTED = Approval(approved_by="admin-token", automatic=False, started_at=NOW)


def part(*pairs: tuple[str, str], kept: tuple[bool, ...] | None = None) -> ProposalPart:
    proposed = tuple(
        ProposedPair(
            mentor_participant_id=mentor,
            mentee_participant_id=mentee,
            score=1.0,
            contributions={"skills": 1.0},
        )
        for mentor, mentee in pairs
    )
    event = example(MatchingRunProposed, run_id="run-1", program_id="prog-1", pairs=proposed)
    return ProposalPart(
        event=event,
        pair_ids=tuple(f"pair-{k}" for k in range(len(pairs))),
        kept=kept or tuple(False for _ in pairs),
    )


PEOPLE = {
    p.participant_id: p
    for p in (
        person("m", MENTOR, capacity=1),
        person("big", MENTOR, capacity=3),
        person("a", MENTEE),
        person("b", MENTEE),
        person("c", MENTEE),
    )
}


def test_possible_pairs_are_created_and_announced() -> None:
    admission = admit_part(
        RUN,
        program(),
        part(("m", "a"), ("big", "b")),
        STARTED,
        people=PEOPLE,
        active=[],
        created_already=set(),
        now=NOW,
    )
    assert [(p.mentor_participant_id, p.mentee_participant_id) for p in admission.pairs] == [
        ("m", "a"),
        ("big", "b"),
    ]
    assert [e.pair_id for e in admission.events] == ["pair-0", "pair-1"]
    assert admission.events[0].mentee_person_id == "person-a"
    assert (admission.approval.pairs_created, admission.approval.parts_done) == (2, 1)


def test_taken_mentees_full_mentors_and_people_who_left_are_skipped() -> None:
    people = {k: v for k, v in PEOPLE.items() if k != "c"}
    admission = admit_part(
        RUN,
        program(),
        part(("big", "a"), ("m", "b"), ("big", "c"), ("big", "b")),
        STARTED,
        people=people,
        active=[pair("big", "a"), pair("m", "x")],
        created_already=set(),
        now=NOW,
    )
    created = [(p.mentor_participant_id, p.mentee_participant_id) for p in admission.pairs]
    assert created == [("big", "b")]  # a is taken, m is full, c left
    assert admission.skipped == 3
    assert admission.approval.pairs_skipped == 3


def test_kept_and_already_created_pairs_are_neither_made_nor_skipped() -> None:
    admission = admit_part(
        RUN,
        program(),
        part(("m", "a"), ("big", "b"), kept=(True, False)),
        STARTED,
        people=PEOPLE,
        active=[],
        created_already={"pair-1"},
        now=NOW,
    )
    assert (admission.pairs, admission.skipped) == ((), 0)


def test_a_peer_already_paired_on_either_side_is_taken() -> None:
    peers = {p.participant_id: p for p in (person("p", MENTEE), person("q", MENTEE))}
    admission = admit_part(
        RUN,
        program(ProgramFormat.PEER),
        part(("p", "q")),
        STARTED,
        people={k: v.model_copy(update={"role": "both", "capacity": 1}) for k, v in peers.items()},
        active=[pair("p", "z")],
        created_already=set(),
        now=NOW,
    )
    assert admission.skipped == 1


def test_ending_a_pair_builds_its_event_once() -> None:
    ending = end_pair(pair("m", "a"), PairEndReason.NOT_A_GOOD_FIT, NOW, rematch_requested=True)
    assert ending.pair.end_reason is PairEndReason.NOT_A_GOOD_FIT
    assert (ending.event.pair_id, ending.event.rematch_requested) == ("m-a", True)
    with pytest.raises(PairAlreadyEndedError, match=r"ended already \(not_a_good_fit\)"):
        end_pair(ending.pair, PairEndReason.COMPLETED, NOW, rematch_requested=False)


def test_a_finished_approval_announces_its_pairs() -> None:
    done = finish_approval(RUN, Approval("admin-token", False, NOW, pairs_created=7), NOW)
    assert done.approval.finished_at == NOW
    assert (done.event.pair_count, done.event.approved_automatically) == (7, False)
