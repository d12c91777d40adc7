"""Why a domain decision refuses: framework-free, the HTTP entry points give them a status."""

from __future__ import annotations

from collections.abc import Sequence


class FeedbackRuleError(Exception):
    """A request the feedback rules refuse now; ``code`` names the rule for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class FeedbackInputError(Exception):
    """Values the rules do not accept; ``problems`` are (field path in the input, message)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)
