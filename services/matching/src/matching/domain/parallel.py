"""Running independent blocks of array work on every core.

NumPy releases the GIL inside large array operations, so threads give real parallelism
for block-wise matrix work without copying anything to another process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

THREADS = min(4, os.cpu_count() or 1)


def each_block[T](work: Callable[[int], T], starts: Iterable[int]) -> list[T]:
    """``work(start)`` for every block start, in order, on all cores."""
    starts = list(starts)
    if THREADS == 1 or len(starts) == 1:
        return [work(start) for start in starts]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(work, starts))
