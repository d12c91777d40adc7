"""What a participant reads of matching: the mentors she may pick, her pairs as she sees them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from matching.domain.candidates import (
    NotAMenteeError,
    PeersAreNotPickedError,
    candidates_for,
)
from matching.domain.compatibility import CRITERIA
from matching.domain.matching import (
    MENTEE_ROLES,
    MENTOR_ROLES,
    MatchingRequest,
    PairKey,
    explain_pair,
    setup_market,
)
from matching.domain.membership import member_pairs
from matching.domain.pairs import Pair, PairStatus
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.events.program import MatchingRules
from mentorship_contracts.types import MatchingMode, ParticipantRole, ProgramFormat

from .programs import MENTEE, MENTOR, broken_rule, person, pools, program, rule_sets

PROPERTIES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(pool=pools(), rules=rule_sets())
def test_a_mentee_may_pick_exactly_the_mentors_a_run_could_pair_her_with_scored_as_a_run_scores(
    pool: list[ParticipantRegistered], rules: MatchingRules
) -> None:
    prog = program(rules=rules, matching_mode=MatchingMode.MENTEE_CHOICE)
    request = MatchingRequest(program=prog, participants=pool)
    for mentee in (p for p in pool if p.role in MENTEE_ROLES):
        found = candidates_for(request, mentee)
        offered = {c.mentor.participant_id: c for c in found.candidates}
        mentors = [
            m for m in pool if m.role in MENTOR_ROLES and m.participant_id != mentee.participant_id
        ]
        assert len(offered) + found.excluded == len(mentors)
        setup = setup_market(request)
        for mentor in mentors:
            allowed = broken_rule(prog, mentee, mentor) is None
            assert (mentor.participant_id in offered) == allowed, (mentee, mentor)
            if not allowed:
                continue
            candidate = offered[mentor.participant_id]
            assert sum(candidate.contributions.values()) == pytest.approx(candidate.score)
            assert set(candidate.contributions) == set(CRITERIA)
            score, explanation = explain_pair(
                setup,
                setup.mentee_rows[mentee.participant_id],
                setup.mentor_rows[mentor.participant_id],
            )
            assert candidate.score == pytest.approx(score)  # no picks: the run's own score
            assert candidate.contributions == pytest.approx(explanation)
        scores = [c.score for c in found.candidates]
        assert scores == sorted(scores, reverse=True)
        assert max(scores, default=0.0) <= found.max_score + 1e-9


def test_candidates_leave_out_earlier_pairs_show_room_and_picks_and_what_is_shared() -> None:
    prog = program(matching_mode=MatchingMode.BOTH)
    ada = person(
        "ada",
        MENTEE,
        skills_wanted=("python", "speaking"),
        interests=("chess",),
        preferred_mentors=("grace", "linus"),
    )
    grace = person("grace", MENTOR, capacity=1, skills_offered=("python",), interests=("chess",))
    linus = person("linus", MENTOR, capacity=2, skills_offered=("speaking", "python"))
    ken = person("ken", MENTOR, capacity=1)
    other = person("other", MENTEE)
    request = MatchingRequest(
        program=prog,
        participants=[ada, grace, linus, ken, other],
        existing_pairs=(PairKey(mentor="grace", mentee="other"),),
        ended_pairs=(PairKey(mentor="ken", mentee="ada"),),
    )
    found = candidates_for(request, ada)
    assert [c.mentor.participant_id for c in found.candidates] == ["linus", "grace"]
    assert found.excluded == 1
    linus_, grace_ = found.candidates
    assert (linus_.room, grace_.room) == (2, 0)
    assert (grace_.pick_rank, linus_.pick_rank) == (1, 2)
    assert grace_.in_common.skills == ("python",)
    assert grace_.in_common.interests == ("chess",)
    assert linus_.in_common.skills == ("python", "speaking")
    assert linus_.in_common.languages == ("en",)
    assert linus_.in_common.locations == ("berlin",)
    assert found.max_score == pytest.approx(sum(found.weights.values()))


def test_her_own_pair_does_not_change_what_she_may_pick() -> None:
    prog = program(matching_mode=MatchingMode.MENTEE_CHOICE)
    ada, grace = person("ada", MENTEE), person("grace", MENTOR, capacity=1)
    alone = candidates_for(MatchingRequest(program=prog, participants=[ada, grace]), ada)
    paired = candidates_for(
        MatchingRequest(
            program=prog,
            participants=[ada, grace],
            existing_pairs=(PairKey(mentor="grace", mentee="ada"),),
        ),
        ada,
    )
    assert [(c.mentor.participant_id, c.room) for c in paired.candidates] == [("grace", 1)]
    assert paired.candidates == alone.candidates


def test_mentors_and_peers_pick_nobody() -> None:
    grace = person("grace", MENTOR, capacity=1)
    with pytest.raises(NotAMenteeError):
        candidates_for(MatchingRequest(program=program(), participants=[grace]), grace)
    peer = person("peer", ParticipantRole.BOTH, capacity=1)
    with pytest.raises(PeersAreNotPickedError):
        candidates_for(
            MatchingRequest(program=program(ProgramFormat.PEER), participants=[peer]), peer
        )


def _pair(pair_id: str, mentor: str, mentee: str, **changes: object) -> Pair:
    fields: dict[str, object] = {
        "pair_id": pair_id,
        "program_id": "prog-1",
        "run_id": "run-1",
        "mentor_participant_id": mentor,
        "mentee_participant_id": mentee,
        "mentor_person_id": f"person-{mentor}",
        "mentee_person_id": f"person-{mentee}",
        "score": 4.5,
        "contributions": {"skills": 3.0, "time_zone": 1.5},
        "created_at": datetime(2026, 3, 2, tzinfo=UTC),
    }
    return Pair(**(fields | changes))  # type: ignore[arg-type]


def test_a_person_sees_their_side_of_each_pair_and_everyone_they_meet() -> None:
    ada = person("ada", MENTEE, skills_wanted=("python",), time_zone="Europe/London")
    grace = person("grace", MENTOR, capacity=2, skills_offered=("python",))
    group = [
        _pair("g-1", "grace", "ada", group_id="grp", created_at=datetime(2026, 4, 1, tzinfo=UTC)),
        _pair("g-2", "grace", "bob", group_id="grp"),
        _pair("g-3", "grace", "cy", group_id="grp", status=PairStatus.ENDED),
    ]
    earlier = _pair("p-0", "ken", "ada", status=PairStatus.ENDED)
    mine = member_pairs(
        "person-ada",
        [earlier, group[0]],
        group,
        {p.participant_id: p for p in (ada, grace)},
    )
    assert [m.pair.pair_id for m in mine] == ["g-1", "p-0"]  # newest first
    in_group, before = mine
    assert (in_group.participant_id, in_group.role) == ("ada", ParticipantRole.MENTEE)
    assert in_group.partners == ("bob", "grace")  # the ended member is no longer met
    assert in_group.in_common is not None
    assert in_group.in_common.skills == ("python",)
    assert in_group.in_common.time_zone_gap_hours == 1.0
    assert before.partners == ("ken",)
    assert before.in_common is None  # ken left the pool
    as_mentor = member_pairs("person-grace", group[:2], group, {})
    assert {m.role for m in as_mentor} == {ParticipantRole.MENTOR}
    assert [m.partners for m in as_mentor] == [("ada", "bob"), ("ada", "bob")]
    assert member_pairs("person-nobody", group, group, {}) == []


def test_scores_of_candidates_use_the_solvers_matrix() -> None:
    """Cross-check on a fixed pool: the candidates' scores are the rows of the score matrix."""
    from matching.domain.scoring import Preferences, score_matrix

    prog = program(matching_mode=MatchingMode.MENTEE_CHOICE)
    pool = [
        person("ada", MENTEE, skills_wanted=("python",), interests=("chess", "go")),
        person("grace", MENTOR, capacity=1, skills_offered=("python",), interests=("go",)),
        person("linus", MENTOR, capacity=1, goals_achieved=("promotion",)),
    ]
    request = MatchingRequest(program=prog, participants=pool)
    setup = setup_market(request)
    matrix = score_matrix(setup.market, Preferences())
    found = candidates_for(request, pool[0])
    row = setup.mentee_rows["ada"]
    for candidate in found.candidates:
        column = setup.mentor_rows[candidate.mentor.participant_id]
        assert np.isclose(matrix[row, column], candidate.score)
