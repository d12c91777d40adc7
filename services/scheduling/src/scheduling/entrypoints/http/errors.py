"""How scheduling's refusals read over HTTP (the kit answers the shared errors)."""

from __future__ import annotations

from mentorship_kit.errors import InvalidInputError
from mentorship_kit.http import SHARED_ERROR_MAPPERS, ErrorMapper, sentence
from mentorship_kit.http_errors import ApiError
from scheduling.domain.sessions import SessionInputError, SessionRuleError
from scheduling.usecases.errors import FeedNotFoundError, PairNotFoundError


def _rule(error: Exception) -> ApiError:
    assert isinstance(error, SessionRuleError)
    return ApiError(409, error.code, sentence(error))


def _input(error: Exception) -> ApiError:
    """A 422 naming the request body's field, like every other invalid input."""
    assert isinstance(error, SessionInputError)
    invalid = InvalidInputError([(f"body.{error.field}", str(error))])
    return SHARED_ERROR_MAPPERS[InvalidInputError](invalid)


def _pair_not_found(error: Exception) -> ApiError:
    return ApiError(404, "pair_not_found", sentence(error))


def _feed_not_found(error: Exception) -> ApiError:
    return ApiError(404, "not_found", sentence(error))


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    SessionRuleError: _rule,
    SessionInputError: _input,
    PairNotFoundError: _pair_not_found,
    FeedNotFoundError: _feed_not_found,
}
