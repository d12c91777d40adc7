"""How feedback's errors read over HTTP."""

from __future__ import annotations

from feedback.handlers.access import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from mentorship_kit.http import ErrorMapper
from mentorship_kit.http_errors import ApiError, FieldProblem


def _sentence(error: Exception) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _not_found(error: Exception) -> ApiError:
    return ApiError(404, "not_found", f"Not found: {error}.")


def _forbidden(error: Exception) -> ApiError:
    return ApiError(403, "forbidden", _sentence(error))


def _rule(error: Exception) -> ApiError:
    assert isinstance(error, RuleError)
    return ApiError(409, error.code, _sentence(error))


def _invalid(error: Exception) -> ApiError:
    assert isinstance(error, InvalidInputError)
    problems = [FieldProblem(field, message) for field, message in error.problems]
    return ApiError(422, "validation_failed", f"The request is invalid: {error}.", problems)


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    NotFoundError: _not_found,
    ForbiddenError: _forbidden,
    RuleError: _rule,
    InvalidInputError: _invalid,
}
