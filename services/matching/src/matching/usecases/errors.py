"""What matching's use cases refuse, as the kit's framework-free errors.

The HTTP entry points answer them (404, 409 with the rule's code, 422 by field); the run
worker catches `LostClaimError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mentorship_kit.errors import InvalidInputError, NotFoundError, RuleError

CONFLICT = "conflict"
"""The rule code of a request the run's or pair's state does not allow (409)."""


class ProgramNotFoundError(NotFoundError):
    """Matching knows no such program."""

    def __init__(self, program_id: str) -> None:
        super().__init__(f"program {program_id}")


class RunNotFoundError(NotFoundError):
    """No such run (or no such part of its proposal)."""


class RunConflictError(RuleError):
    """The run (or its program) is not in a state that allows the request."""

    def __init__(self, message: str) -> None:
        super().__init__(CONFLICT, message)


class RunUnsolvableError(RuleError):
    """The run cannot be solved again on today's pool (why-not has nothing to compare)."""

    def __init__(self, message: str) -> None:
        super().__init__("run_unsolvable", message)


class PairNotFoundError(NotFoundError):
    """No such pair."""

    def __init__(self, pair_id: str) -> None:
        super().__init__(f"pair {pair_id}")


class PairConflictError(RuleError):
    """The pair is not in a state that allows the request (it ended already)."""

    def __init__(self, message: str) -> None:
        super().__init__(CONFLICT, message)


class LostClaimError(RuleError):
    """Another worker took the run over (this one's lease ran out): it stops working on it."""

    def __init__(self, run_id: str) -> None:
        super().__init__("run_taken_over", f"run {run_id} is held by another worker")


@dataclass(frozen=True, slots=True)
class InvalidReference:
    """A participant id in a request that the program's pool does not hold."""

    field: str
    participant_id: str


class RunRequestInvalidError(InvalidInputError):
    """A request names participants the program does not have."""

    def __init__(self, references: Sequence[InvalidReference]) -> None:
        super().__init__(
            [
                (r.field, f"{r.participant_id} is not a participant of the program")
                for r in references
            ]
        )
