"""The mentor impact view reads a page of mentors as a range of its index, in its order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from analytics.adapters.read_models import MENTORS_IN_ORDER, RM_PREFIX, ReadModels
from analytics.domain.documents import MeetingLink, MentorFact, held_rank
from analytics.domain.mentor_impact import page_bound
from mentorship_kit.mongo import Database

pytestmark = pytest.mark.integration

PROGRAM = "prog-impact"


def _mentor(key: str, program_id: str, held: int, *, listed: bool = True) -> MentorFact:
    """A mentor whose meetings held ``held`` sessions (listed: not erased)."""
    meeting = MeetingLink(held=held, minutes=45 * held, ratings=0, rating_sum=0, raters=())
    mentor = MentorFact(
        id=key,
        program_id=program_id,
        profile={key: f"part-{key}"} if listed else {},
        meetings={f"pair-{key}": meeting},
    )
    mentor.settle()
    return mentor


async def test_pages_list_every_listed_mentor_once_in_the_views_order(database: Database) -> None:
    rng = random.Random(3)
    mentors = [_mentor(f"m{n:03d}", PROGRAM, rng.randint(0, 6)) for n in range(230)]
    others = [
        _mentor("gone", PROGRAM, 9, listed=False),  # erased: not listed
        _mentor("elsewhere", "prog-other", 3),
    ]
    collection = database[f"{RM_PREFIX}{MentorFact.collection}"]
    await collection.insert_many([m.model_dump(by_alias=True) for m in mentors + others])
    models = ReadModels(database)
    expected = sorted(
        (m.sessions_held, m.mentor_participant_id) for m in mentors if m.mentor_participant_id
    )
    expected.sort(key=lambda pair: (-pair[0], pair[1]))

    seen: list[tuple[int, str | None]] = []
    after: str | None = None
    while page := await models.mentors(PROGRAM, after, 17):
        seen.extend((m.sessions_held, m.mentor_participant_id) for m in page)
        after = page[-1].rank
    assert seen == expected


def _stages(plan: dict[str, Any]) -> list[str]:
    found = [plan["stage"]]
    for child in ("inputStage", "inputStages"):
        inputs = plan.get(child, [])
        for item in inputs if isinstance(inputs, list) else [inputs]:
            found += _stages(item)
    return found


async def test_a_page_deep_in_the_view_is_a_range_of_its_index(database: Database) -> None:
    """No sort in memory, and none of the mentors before the cursor (nor of other programs)
    is examined. (mongod stops at the page's limit; the embedded test server reads the rest
    of the range, so only the lower bound is asserted here.)"""
    mentors = [_mentor(f"m{n:04d}", PROGRAM, n % 40) for n in range(2000)]
    others = [_mentor(f"o{n:04d}", f"{PROGRAM}-2", n % 40) for n in range(300)]
    collection = database[f"{RM_PREFIX}{MentorFact.collection}"]
    await collection.insert_many([m.model_dump(by_alias=True) for m in mentors + others])
    after = next(m.rank for m in mentors if m.id == "m0500")
    assert after is not None
    later = sum(1 for m in mentors if m.rank is not None and m.rank > after)
    explained = await (
        collection.find({"rank": {"$gt": after, "$lt": f"{PROGRAM}}}"}})
        .sort("rank", 1)
        .limit(51)
        .explain()
    )
    stages = _stages(explained["queryPlanner"]["winningPlan"])
    assert "SORT" not in stages
    assert "IXSCAN" in stages
    assert MENTORS_IN_ORDER in str(explained["queryPlanner"]["winningPlan"])
    assert explained["executionStats"]["totalDocsExamined"] <= later < len(mentors)
    page = await ReadModels(database).mentors(PROGRAM, after, 51)
    assert len(page) == 51
    assert [m.sessions_held for m in page] == sorted((m.sessions_held for m in page), reverse=True)
    assert all(m.rank is not None and m.rank > after for m in page)
    assert {m.program_id for m in page} == {PROGRAM}


def test_a_page_is_bounded_by_the_counts_of_mentors_by_sessions_held() -> None:
    by_held = {9: 3, 7: 40, 5: 100, 0: 2}
    # 3 + 40 mentors hold 9 or 7 sessions: a page of 20 ends before those of 6 or fewer
    assert page_bound(PROGRAM, by_held, None, 20) == f"{PROGRAM}|{held_rank(6)}|"
    after = f"{PROGRAM}|{held_rank(7)}|part-x"
    assert page_bound(PROGRAM, by_held, after, 60) == f"{PROGRAM}|{held_rank(4)}|"
    assert page_bound(PROGRAM, by_held, after, 500) is None  # read on to the end
    assert page_bound(PROGRAM, by_held, None, 145) is None  # the last ones hold none
