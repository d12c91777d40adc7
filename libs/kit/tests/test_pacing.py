"""The next batch's size: the configured most, within the time budget, growing by steps."""

from __future__ import annotations

import pytest

from mentorship_kit.pacing import FIRST_BATCH, GROWTH, BatchPace


def test_before_any_batch_is_measured_a_batch_holds_at_most_the_first_batch() -> None:
    assert BatchPace(20_000, 30.0).limit() == FIRST_BATCH
    assert BatchPace(100, 30.0).limit() == 100


def test_the_next_batch_holds_what_the_last_one_shows_fits_the_budget() -> None:
    pace = BatchPace(20_000, 30.0)
    pace.applied(500, 0.5)  # 1 ms a record: 4 x 500 fit, 30,000 would
    assert pace.limit() == GROWTH * 500
    pace.applied(2000, 2.0)
    assert pace.limit() == GROWTH * 2000
    pace.applied(8000, 8.0)
    assert pace.limit() == 20_000  # the configured most
    pace.applied(20_000, 60.0)  # 3 ms a record now: 10,000 fit in 30 s
    assert pace.limit() == 10_000


def test_a_batch_slower_than_the_budget_itself_shrinks_the_next_one() -> None:
    pace = BatchPace(20_000, 1.0)
    pace.applied(10, 5.0)
    assert pace.limit() == 2
    pace.applied(1, 10.0)
    assert pace.limit() == 1  # never nothing


@pytest.mark.parametrize(("most", "budget_s", "field"), [(0, 1.0, "most"), (1, 0.0, "budget_s")])
def test_a_pace_without_room_or_time_is_refused_naming_the_argument(
    most: int, budget_s: float, field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        BatchPace(most, budget_s)
