"""The cycle collector's pause and freeze: nested and overlapping blocks and spans, and leaving
the collector as found."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from mentorship_kit.allocation import (
    bulk_allocation,
    long_lived_objects,
    release_gradually,
    tune_collector,
)


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_paused_within_and_resumed_after() -> None:
    gc.enable()
    with bulk_allocation():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_blocks_resume_once_the_last_ends() -> None:
    gc.enable()
    first, second = bulk_allocation(), bulk_allocation()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with bulk_allocation():
        pass
    assert not gc.isenabled()


def test_an_error_in_the_block_resumes_the_collector() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), bulk_allocation():
        raise RuntimeError
    assert gc.isenabled()


class _Node:
    """A weak-referenceable object to build a reference cycle of."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _dead_cycle() -> weakref.ref[_Node]:
    """A cycle nothing refers to (only the collector frees it), and a weak reference to it."""
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    return weakref.ref(first)


def test_within_a_span_what_a_block_built_is_left_alone_until_the_span_ends() -> None:
    gc.enable()
    with long_lived_objects():
        with bulk_allocation():
            cycle = _dead_cycle()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert cycle() is not None, "a full pass walked an object the block built"
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert cycle() is None


def test_outside_a_span_a_block_freezes_nothing() -> None:
    gc.enable()
    with bulk_allocation():
        cycle = _dead_cycle()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert cycle() is None


def test_within_a_span_what_is_built_after_the_block_is_collected() -> None:
    gc.enable()
    with long_lived_objects():
        with bulk_allocation():
            pass
        cycle = _dead_cycle()
        gc.collect()
        assert cycle() is None


def test_overlapping_spans_unfreeze_once_the_last_ends() -> None:
    gc.enable()
    first, second = long_lived_objects(), long_lived_objects()
    first.__enter__()
    second.__enter__()
    with bulk_allocation():
        pass
    first.__exit__(None, None, None)
    assert gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0


def _build_then_fail() -> None:
    with bulk_allocation():
        pass
    raise RuntimeError


def test_an_error_in_the_span_unfreezes() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), long_lived_objects():
        _build_then_fail()
    assert gc.get_freeze_count() == 0


class _Item:
    """Something a weak reference can watch."""


async def test_release_gradually_frees_everything_a_slice_per_turn_of_the_loop() -> None:
    items: list[object] = [_Item() for _ in range(10)]
    watched = [weakref.ref(item) for item in items]
    seen_between: list[int] = []

    async def watch() -> None:
        while items:
            seen_between.append(len(items))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)  # the watcher sees the whole list first
    await release_gradually(items, step=4)
    await watcher

    assert items == []
    assert all(ref() is None for ref in watched)
    assert seen_between == [10, 6, 2]  # the loop ran between two slices


async def test_release_gradually_refuses_a_step_that_would_never_empty_the_list() -> None:
    items: list[object] = [1, 2, 3]
    with pytest.raises(ValueError, match="step must be at least 1, not -2"):
        await release_gradually(items, step=-2)
    assert items == [1, 2, 3]


def test_tune_collector_sets_the_youngest_threshold_and_keeps_the_others() -> None:
    before = gc.get_threshold()
    try:
        tune_collector(50_000)
        assert gc.get_threshold() == (50_000, before[1], before[2])
    finally:
        gc.set_threshold(*before)
