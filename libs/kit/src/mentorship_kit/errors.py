"""Failures the use cases of every service share; `create_http_app` answers each of them.

Services raise these from their handlers (domain modules keep their own, framework-free
errors): the kit turns them into the standard error body with 404, 403, 409 (the rule's code)
or 422 (every problem by field path).
"""

from __future__ import annotations

from collections.abc import Sequence


class NotFoundError(Exception):
    """No such resource (or the caller may not know of it)."""


class ForbiddenError(Exception):
    """The caller may not do this."""


class RuleError(Exception):
    """A request the rules refuse; ``code`` names the rule for clients to branch on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidInputError(Exception):
    """Input the schema accepts but the service cannot; ``problems`` are (field, message)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)
