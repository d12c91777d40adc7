"""The cycle collector's pause: nested and overlapping blocks, and leaving it as found."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mentorship_kit.allocation import bulk_allocation


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
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
