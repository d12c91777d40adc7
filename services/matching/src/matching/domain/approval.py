"""Approving a run: the proposal's stored parts, who may still be paired, the finish.

An approval creates a proposal's pairs part by part. Each part is decided here from what
the service loads for it (the people still in the pool, their active pairs, the pairs
created already); the service stores the decision and stages its events in the same
transaction, so an interrupted approval resumes at the first part not recorded as done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from matching.domain.matching import mentor_capacity
from matching.domain.pairs import Pair
from matching.domain.runs import PART_PAIRS, Approval, Run, RunKind
from mentorship_contracts.events import MatchingRunApproved, PairCreated
from mentorship_contracts.events.matching import MatchingRunProposed, ProposedPair
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ProgramFormat


@dataclass(frozen=True, slots=True)
class ProposalPart:
    """One stored part of a proposal: its event and the ids its pairs get on approval."""

    event: MatchingRunProposed
    pair_ids: tuple[str, ...]
    kept: tuple[bool, ...]
    """What-if: which pairs already exist (approval leaves them as they are)."""

    def new_pairs(self) -> list[tuple[str, ProposedPair]]:
        """(pair id, proposed pair) of the pairs approval creates (not the kept ones)."""
        return [
            (pair_id, pair)
            for pair_id, pair, kept in zip(self.pair_ids, self.event.pairs, self.kept, strict=True)
            if not kept
        ]

    def people(self) -> set[str]:
        """Participant ids of everyone in the part's new pairs."""
        return {
            person
            for _, pair in self.new_pairs()
            for person in (pair.mentor_participant_id, pair.mentee_participant_id)
        }


def stored_parts(
    events: Sequence[MatchingRunProposed], pair_ids: Sequence[str], kept: Sequence[bool]
) -> list[ProposalPart]:
    """The proposal's events with the ids their pairs get (``pair_ids`` in proposal order)."""
    return [
        ProposalPart(
            event=event,
            pair_ids=tuple(pair_ids[k * PART_PAIRS : (k + 1) * PART_PAIRS]),
            kept=tuple(kept[k * PART_PAIRS : (k + 1) * PART_PAIRS]),
        )
        for k, event in enumerate(events)
    ]


@dataclass(frozen=True, slots=True)
class Admission:
    """What approving one part decides: the pairs to create, their events, the progress."""

    pairs: tuple[Pair, ...]
    events: tuple[PairCreated, ...]
    skipped: int
    approval: Approval


def admit_part(
    run: Run,
    program: ProgramState,
    part: ProposalPart,
    approval: Approval,
    *,
    people: Mapping[str, ParticipantState],
    active: Iterable[Pair],
    created_already: Collection[str],
    now: datetime,
) -> Admission:
    """Create the part's pairs that are still possible; skip the others.

    A pair is possible while both people are in the pool (``people``: those still there),
    the mentee (in a peer program, either of them) is in no active pair, and the mentor
    has room under their capacity. ``created_already`` are pair ids stored by an earlier
    attempt of this part: neither created again nor counted as skipped.
    """
    peer = program.format is ProgramFormat.PEER
    active = list(active)
    taken = {pair.mentee_participant_id for pair in active}
    if peer:
        taken |= {pair.mentor_participant_id for pair in active}
    load = Counter(pair.mentor_participant_id for pair in active)
    created: list[Pair] = []
    skipped = 0
    for pair_id, proposed in part.new_pairs():
        if pair_id in created_already:
            continue
        mentee = people.get(proposed.mentee_participant_id)
        mentor = people.get(proposed.mentor_participant_id)
        if (
            mentee is None
            or mentor is None
            or mentee.participant_id in taken
            or (peer and mentor.participant_id in taken)
            or load[mentor.participant_id] >= mentor_capacity(program, mentor)
        ):
            skipped += 1
            continue
        taken.add(mentee.participant_id)
        if peer:
            taken.add(mentor.participant_id)
        load[mentor.participant_id] += 1
        created.append(
            Pair(
                pair_id=pair_id,
                program_id=run.program_id,
                run_id=run.run_id,
                mentor_participant_id=mentor.participant_id,
                mentee_participant_id=mentee.participant_id,
                mentor_person_id=mentor.person_id,
                mentee_person_id=mentee.person_id,
                group_id=proposed.group_id,
                score=proposed.score,
                contributions=dict(proposed.contributions),
                is_rematch=run.kind is RunKind.REMATCH,
                created_at=now,
            )
        )
    return Admission(
        pairs=tuple(created),
        events=tuple(_created(pair) for pair in created),
        skipped=skipped,
        approval=replace(
            approval,
            parts_done=part.event.part,
            pairs_created=approval.pairs_created + len(created),
            pairs_skipped=approval.pairs_skipped + skipped,
        ),
    )


def _created(pair: Pair) -> PairCreated:
    return PairCreated(
        pair_id=pair.pair_id,
        program_id=pair.program_id,
        run_id=pair.run_id,
        mentor_participant_id=pair.mentor_participant_id,
        mentee_participant_id=pair.mentee_participant_id,
        mentor_person_id=pair.mentor_person_id,
        mentee_person_id=pair.mentee_person_id,
        group_id=pair.group_id,
        score=pair.score,
        contributions=pair.contributions,
        is_rematch=pair.is_rematch,
        created_at=pair.created_at,
    )


@dataclass(frozen=True, slots=True)
class ApprovalFinished:
    """The finished approval and the event that announces it."""

    approval: Approval
    event: MatchingRunApproved


def finish_approval(run: Run, approval: Approval, now: datetime) -> ApprovalFinished:
    """Every part is done: the run is approved."""
    return ApprovalFinished(
        approval=replace(approval, finished_at=now),
        event=MatchingRunApproved(
            run_id=run.run_id,
            program_id=run.program_id,
            pair_count=approval.pairs_created,
            approved_automatically=approval.automatic,
            approved_at=now,
        ),
    )
