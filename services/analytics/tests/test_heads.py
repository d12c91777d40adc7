"""Heads: the first rows of the long lists, kept whole per program (`analytics.domain.heads`).

`merge` on its own; then the projection into the database: each head it stores, merged batch
by batch or read anew from its list in the batch's transaction, is the first rows of the
list, as the in-memory projection (checked against a recount by the property tests) and a
rebuild from the documents give; and the first page of the mentor impact view read from its
head is the page read from the mentors' index.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pytest

from analytics.adapters.outcome_models import OrganisationModels
from analytics.adapters.read_models import ReadModels
from analytics.domain.heads import Head, HeadRow, merge
from analytics.domain.mentor_impact import mentor_page
from analytics.usecases.outcomes import OutcomeReports
from analytics.usecases.projection import Projected, Projection
from analytics.usecases.rebuild import Rebuilder
from mentorship_contracts import Envelope
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Transaction

from .histories import PROGRAM, history
from .memory import batches, project
from .stored import transactor_on


def _row(key: str, at: int) -> HeadRow:
    return HeadRow(rank=(f"{at:03d}", key), row={"key": key})


def _head(*ranked: tuple[str, int]) -> list[HeadRow]:
    return [_row(key, at) for key, at in ranked]


def test_a_short_head_holds_the_whole_list_so_any_change_merges() -> None:
    stored = _head(("a", 1), ("b", 5))
    assert merge(stored, {"c": _row("c", 3), "a": None}, 3) == _head(("c", 3), ("b", 5))
    assert merge(stored, {"c": _row("c", 9), "d": _row("d", 0)}, 3) == _head(
        ("d", 0), ("a", 1), ("b", 5)
    )


def test_a_full_head_merges_rows_that_come_before_its_last() -> None:
    stored = _head(("a", 1), ("b", 5), ("c", 7))
    # A row moving within, a row coming in (the last one drops out), a row after the last.
    changes = {"b": _row("b", 2), "d": _row("d", 4), "e": _row("e", 8)}
    assert merge(stored, changes, 3) == _head(("a", 1), ("b", 2), ("d", 4))


def test_a_full_head_a_row_leaves_is_read_anew() -> None:
    stored = _head(("a", 1), ("b", 5), ("c", 7))
    # Whatever came after "c" may now be third: only the whole list tells.
    assert merge(stored, {"a": None}, 3) is None
    assert merge(stored, {"b": _row("b", 9)}, 3) is None
    # Unless a changed row takes its place.
    assert merge(stored, {"a": None, "d": _row("d", 6)}, 3) == _head(("b", 5), ("d", 6), ("c", 7))


async def _project(
    database: Database, models: ReadModels, deliveries: Sequence[Envelope[Any]], size: int
) -> None:
    transactor, projection = transactor_on(database), Projection(models)
    for batch in batches(deliveries, [size]):

        async def work(tx: Transaction, batch: Sequence[Envelope[Any]] = batch) -> Projected:
            return await projection.project(batch, tx)

        await transactor.run(work)


@pytest.mark.integration
@pytest.mark.parametrize("seed", [6, 10])
async def test_stored_heads_are_the_first_rows_of_their_lists(
    database: Database, seed: int
) -> None:
    events = history(seed).envelopes
    deliveries = list(events)
    random.Random(seed).shuffle(deliveries)
    expected = project(deliveries, [3], head_size=2)
    assert expected.heads_read_anew, "the history must make a head be read anew"
    models = ReadModels(database, head_size=2)

    await _project(database, models, deliveries, 3)

    for head in Head:
        assert await models.head(PROGRAM, head) == expected.heads.get((PROGRAM, head), []), head
    rebuilt = await Rebuilder(models, transactor_on(database)).rebuild(PROGRAM)
    assert (rebuilt.heads_corrected, rebuilt.counters_corrected) == (0, 0)


@pytest.mark.integration
async def test_the_first_page_of_mentors_is_their_head(database: Database) -> None:
    events = history(3).envelopes
    models = ReadModels(database)
    await _project(database, models, events, 7)
    reports = OutcomeReports(models, OrganisationModels(database))
    listed = await models.mentors(PROGRAM, None, 1000)
    assert len(listed) > 2, "the history must list a few mentors"

    for limit in (1, 2, len(listed) - 1, len(listed), 100):
        page = await reports.mentor_impact(PROGRAM, limit=limit)
        assert page == mentor_page(PROGRAM, listed[: limit + 1], limit), limit

    # A rebuild stores the head as the projection did: nothing to correct.
    rebuilt = await Rebuilder(models, transactor_on(database)).rebuild(PROGRAM)
    assert rebuilt.heads_corrected == 0
