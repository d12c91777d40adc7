"""How feedback's domain errors read over HTTP (the kit answers the shared errors)."""

from __future__ import annotations

from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from mentorship_kit.errors import InvalidInputError, RuleError
from mentorship_kit.http import SHARED_ERROR_MAPPERS, ErrorMapper
from mentorship_kit.http_errors import ApiError


def _rule(error: Exception) -> ApiError:
    """A 409 with the rule's code, like the kit's `RuleError`."""
    assert isinstance(error, FeedbackRuleError)
    return SHARED_ERROR_MAPPERS[RuleError](RuleError(error.code, str(error)))


def _input(error: Exception) -> ApiError:
    """A 422 naming each request body field, like every other invalid input."""
    assert isinstance(error, FeedbackInputError)
    problems = [(f"body.{field}", message) for field, message in error.problems]
    return SHARED_ERROR_MAPPERS[InvalidInputError](InvalidInputError(problems))


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    FeedbackRuleError: _rule,
    FeedbackInputError: _input,
}
