"""Building many objects at once without the cyclic garbage collector walking them each time.

CPython runs its cycle collector every few hundred container allocations, and a full pass,
over the whole heap, each time the survivors grow by a quarter. Decoding and validating a
program's pool (12,500 documents, each a dozen dicts, tuples and models that all survive)
triggered so many passes that they took half the service's CPU of the read (0.35 s of 0.7 s,
measured). The objects built there form no cycles, so reference counting frees whatever of
them is dropped; pausing the collector for the duration loses nothing but a delay in
collecting cycles made elsewhere meanwhile (a second at most, then the next pass finds them).

Pausing alone only defers the passes: once the collector resumes, its next passes walk every
object the block built (the young generation, then the middle one), and the survivors, moved
to the oldest generation, soon trigger a full pass over the whole heap. In a matching run at
n=10,000 those landed wherever the run happened to be: 45-55 ms and 35-40 ms in the first
allocations after the pool was read, and a full pass of 250 ms in the middle of storing the
proposal (measured with ``gc.callbacks``). Within a `long_lived_objects` span (a run), what a
`bulk_allocation` block built is therefore frozen (``gc.freeze``: moved to the generation no
pass looks at) when the block ends, and given back to the collector when the span ends, after
the run has dropped most of it.

`tune_collector` sets how many objects the youngest pass waits for, for the whole process.

Freeing is the other end: the last reference to such a pool dropped frees it all in one
go, with the event loop held meanwhile. `release_gradually` frees a list a slice at a time.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator, MutableSequence
from contextlib import contextmanager

RELEASE_SLICE = 500
"""Items `release_gradually` drops between two turns of the event loop (about 1 ms of states)."""

_holders = 0
_was_enabled = False
_spans = 0


def tune_collector(young_threshold: int) -> None:
    """Let ``young_threshold`` container objects accumulate before the youngest pass.

    A service's batches (a consumer's, a planning round's) build tens of thousands of short-
    lived objects: at Python's default of 700, passes walked them while they were still in
    use, and each survivor moved on to the older generations, whose passes walk the whole
    heap. Analytics spent 4.5 s of its 11.3 s of CPU projecting 42,000 events in 3,200
    passes (16 over the whole heap); at 50,000, 7.8 s in all, in 36 passes (one whole).
    Cyclic garbage waits for a pass a little longer: at most that many objects of it.
    """
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, oldest)


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cycle collector within the block (nested or concurrent blocks share one pause).

    Use it around bounded work that allocates many objects without reference cycles; an
    async block pauses the collector for every task of the process while it waits. Within a
    `long_lived_objects` span, the objects alive when the last block ends are frozen.
    """
    global _holders, _was_enabled  # noqa: PLW0603 - one pause per process, by design
    if _holders == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            if _spans:
                gc.freeze()
            if _was_enabled:
                gc.enable()


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Keep what `bulk_allocation` blocks build out of the collector's passes until the end.

    For bounded work that holds bulk-built objects for its whole duration (a matching run
    holds its pool from the read to the stored proposal). Freezing is process-wide: every
    object alive when a block ends is exempt until the last concurrent span ends, so cycles
    among them that die meanwhile are collected only after it (the next full pass).
    """
    global _spans  # noqa: PLW0603 - one freeze per process, by design
    _spans += 1
    try:
        yield
    finally:
        _spans -= 1
        if _spans == 0:
            gc.unfreeze()


async def release_gradually[T](items: MutableSequence[T], *, step: int = RELEASE_SLICE) -> None:
    """Empty ``items`` a slice at a time, letting the event loop run between two slices.

    Dropping the last reference to thousands of objects frees them all in one go: a matching
    run's pool of 12,500 states took 20-29 ms, and every request that arrived meanwhile (the
    run's own status, a health probe) waited as long. Only what nothing else holds is freed.
    """
    if step < 1:
        msg = f"step must be at least 1, not {step}"
        raise ValueError(msg)
    while items:
        del items[-step:]  # from the end: nothing is moved
        await asyncio.sleep(0)
