"""How many records a consumer may gather into its next batch.

A consumer commits its position once per batch, so a batch that takes longer than the stall
timeout makes a member that is working look stalled: not ready, its Kafka client started
anew and the batch delivered again, as long again, so a large backlog never gets through.
`BatchPace` keeps the next batch to what the last one
shows can be applied within a time budget (half the stall timeout): the seconds per record the
last batch took, times the records asked for, stay within the budget.

A batch's cost is not quite proportional to its size (a commit has a fixed cost, so small
batches overstate the cost per record, which only makes the pace careful), and a batch a lot
larger than any measured may cost more per record than those measured did: the limit grows
at most `GROWTH` times the largest batch applied so far, and starts at `FIRST_BATCH` records
before anything was measured.
"""

from __future__ import annotations

FIRST_BATCH = 500
"""Most records of a batch before any batch was measured."""
GROWTH = 4
"""The limit is at most this many times the largest batch applied so far."""


class BatchPace:
    """The most records the next batch may hold: ``most``, and what fits the budget."""

    def __init__(self, most: int, budget_s: float) -> None:
        if most < 1:
            msg = f"most must be at least 1, not {most}"
            raise ValueError(msg)
        if budget_s <= 0:
            msg = f"budget_s must be positive, not {budget_s}"
            raise ValueError(msg)
        self._most = most
        self._budget_s = budget_s
        self._seconds_per_record: float | None = None
        self._largest = 0

    def limit(self) -> int:
        """The most records the next batch may hold (at least 1)."""
        if self._seconds_per_record is None:
            return min(self._most, FIRST_BATCH)
        fits = int(self._budget_s / self._seconds_per_record) if self._seconds_per_record else None
        bounds = [self._most, max(GROWTH * self._largest, FIRST_BATCH)]
        if fits is not None:
            bounds.append(fits)
        return max(1, min(bounds))

    def applied(self, records: int, seconds: float) -> None:
        """A batch of ``records`` was applied in ``seconds``: the next limit follows it."""
        if records < 1:
            return
        self._seconds_per_record = max(seconds, 0.0) / records
        self._largest = max(self._largest, records)
