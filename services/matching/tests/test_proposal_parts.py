"""A proposal's parts are stored packed, and still found and scrubbed as whole ones were."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from matching.adapters.runs import PARTS
from matching.domain.approval import ProposalPart
from matching.domain.matching import Proposal, ProposedMatch
from matching.domain.pairs import ERASED
from matching.domain.runs import Run, RunKind, RunOptions, RunStatus, Stage, proposal_parts
from matching.settings import MatchingServiceSettings
from mentorship_contracts.events import MatchingRunProposed, ProgramCreated
from mentorship_contracts.examples import MENTEE, MENTOR, PROGRAM, example
from mentorship_contracts.types import SolverStatus
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.outbox import Transaction

from .harness import Matching, matching_parts

pytestmark = pytest.mark.integration

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UNMATCHED = "part-mentee-2"


def a_run(run_id: str) -> Run:
    return Run(
        run_id=run_id,
        program_id=PROGRAM,
        kind=RunKind.MATCH,
        status=RunStatus.PROPOSED,
        stage=Stage.DONE,
        options=RunOptions(),
        requested_by=None,
        requested_at=AT,
    )


async def stored_runs(matching: Matching) -> tuple[ProposalPart, ProposalPart]:
    """A run stored by this version (packed) and one whose part an earlier one stored whole."""
    packed = ProposalPart(example(MatchingRunProposed, run_id="run-new"), ("pair-1",), (False,))
    whole = ProposalPart(example(MatchingRunProposed, run_id="run-old"), ("pair-2",), (False,))

    async def store(tx: Transaction) -> None:
        for part in (packed, whole):
            await matching.runs.insert(a_run(part.event.run_id), tx)
            await matching.runs.add_parts(part.event.run_id, [part], tx)

    await matching.transactor.run(store)
    await matching.runtime.database[PARTS].update_one(  # as an earlier version stored it
        {"_id": "run-old:1"},
        {
            "$set": {"event": whole.event.model_dump(mode="json")},
            "$unset": {"packed": "", "people": ""},
        },
    )
    return packed, whole


async def test_parts_read_back_and_name_their_people_packed_or_whole(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        packed, whole = await stored_runs(matching)
        document = await matching.runtime.database[PARTS].find_one({"_id": "run-new:1"})
        assert document is not None
        assert "event" not in document
        assert document["people"] == sorted([MENTOR, MENTEE, UNMATCHED])

        assert await matching.runs.parts("run-new") == [packed]
        assert await matching.runs.part("run-old", 1) == whole
        for participant_id in (MENTOR, MENTEE, UNMATCHED):
            _, named = await matching.runs.naming([PROGRAM], [participant_id])
            assert named == [packed, whole]
        assert (await matching.runs.naming([PROGRAM], ["somebody-else"]))[1] == []


async def test_an_erased_participant_is_scrubbed_from_packed_and_whole_parts(
    make_settings: SettingsFactory,
) -> None:
    async with matching_parts(make_settings(MatchingServiceSettings)) as matching:
        await stored_runs(matching)

        async def erase(tx: Transaction) -> None:
            await matching.runs.erase_participant(PROGRAM, MENTEE, tx)

        await matching.transactor.run(erase)

        cursor = matching.runtime.database[PARTS].find({})
        assert MENTEE not in repr([document async for document in cursor])
        for run_id in ("run-new", "run-old"):
            (part,) = await matching.runs.parts(run_id)
            assert part.event.pairs[0].mentee_participant_id == ERASED
            assert part.event.pairs[0].mentor_participant_id == MENTOR
        assert (await matching.runs.naming([PROGRAM], [MENTEE]))[1] == []
        assert len((await matching.runs.naming([PROGRAM], [ERASED]))[1]) == 2


def test_scores_and_contributions_are_rounded_to_nine_digits_signed_zeros_kept() -> None:
    values = [0.1234567894, 0.1234567896, 0.0, -0.0, -1e-12, 1e-12, 2.0 / 3.0, -2.0 / 3.0]
    matches = tuple(
        ProposedMatch(
            mentor=f"mentor-{k}",
            mentee=f"mentee-{k}",
            score=value,
            contributions={
                "skills": value,
                "goals": values[(k + 1) % len(values)],
                "interests": -value,
            },
            pick_rank=None,
            pinned=False,
        )
        for k, value in enumerate(values * 2)  # every value again, once known
    )
    proposal = Proposal(matches, (), SolverStatus.OPTIMAL, 1.0, 1.0, 0.0, 16, 16)

    [event] = proposal_parts(
        "run-1", example(ProgramCreated), proposal, kind=RunKind.MATCH, proposed_at=AT
    )

    def exactly(value: float) -> tuple[float, float]:  # -0.0 == 0.0, but not their signs
        return value, math.copysign(1.0, value)

    for pair, match in zip(event.pairs, matches, strict=True):
        assert exactly(pair.score) == exactly(round(match.score, 9))
        assert {name: exactly(value) for name, value in pair.contributions.items()} == {
            name: exactly(round(value, 9)) for name, value in match.contributions.items()
        }
