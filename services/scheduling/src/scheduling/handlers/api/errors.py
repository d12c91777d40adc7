"""How scheduling's errors read over HTTP."""

from __future__ import annotations

from mentorship_kit.http import ErrorMapper
from mentorship_kit.http_errors import ApiError
from scheduling.domain.sessions import SessionRuleError
from scheduling.handlers.sessions import ConcurrentChangeError, ForbiddenError, NotFoundError


def _sentence(error: Exception) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _not_found(error: Exception) -> ApiError:
    return ApiError(404, "not_found", f"Not found: {error}.")


def _forbidden(error: Exception) -> ApiError:
    return ApiError(403, "forbidden", _sentence(error))


def _concurrent(error: Exception) -> ApiError:
    return ApiError(409, "concurrent_change", _sentence(error) + " Read it again and retry.")


def _rule(error: Exception) -> ApiError:
    assert isinstance(error, SessionRuleError)
    return ApiError(409, error.code, _sentence(error))


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    NotFoundError: _not_found,
    ForbiddenError: _forbidden,
    ConcurrentChangeError: _concurrent,
    SessionRuleError: _rule,
}
