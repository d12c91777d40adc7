"""How notifications' domain errors read over HTTP (the kit answers the shared errors)."""

from __future__ import annotations

from mentorship_kit.errors import InvalidInputError
from mentorship_kit.http import SHARED_ERROR_MAPPERS, ErrorMapper
from mentorship_kit.http_errors import ApiError
from notifications.domain.preferences import PreferenceError


def _preference(error: Exception) -> ApiError:
    assert isinstance(error, PreferenceError)
    problem = [(f"body.{error.field}", str(error))]
    return SHARED_ERROR_MAPPERS[InvalidInputError](InvalidInputError(problem))


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {PreferenceError: _preference}
