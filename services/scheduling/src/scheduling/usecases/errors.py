"""Refusals of scheduling's use cases, as the kit's framework-free errors."""

from __future__ import annotations

from mentorship_kit.errors import NotFoundError, RuleError


class ConcurrentChangeError(RuleError):
    """Someone changed the session at the same moment; read it again and retry."""

    def __init__(self, message: str) -> None:
        super().__init__("concurrent_change", f"{message}; read it again and retry")


class PairNotFoundError(NotFoundError):
    """Scheduling knows no such pair (never created, or its people were erased)."""

    def __init__(self, pair_id: str) -> None:
        super().__init__(f"no pair {pair_id} is known to scheduling")
        self.pair_id = pair_id


class FeedNotFoundError(NotFoundError):
    """No calendar feed at this address (never was, rotated, or its person erased)."""

    def __init__(self) -> None:
        super().__init__("no calendar feed at this address")
