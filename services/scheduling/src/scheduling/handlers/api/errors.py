"""How scheduling's session rules read over HTTP (the kit answers the shared errors)."""

from __future__ import annotations

from mentorship_kit.http import ErrorMapper, sentence
from mentorship_kit.http_errors import ApiError
from scheduling.domain.sessions import SessionRuleError


def _rule(error: Exception) -> ApiError:
    assert isinstance(error, SessionRuleError)
    return ApiError(409, error.code, sentence(error))


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {SessionRuleError: _rule}
