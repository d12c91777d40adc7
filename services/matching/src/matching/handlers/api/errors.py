"""How matching's errors read over HTTP."""

from __future__ import annotations

from matching.handlers.runs import RunConflictError, RunNotFoundError, RunRequestInvalidError
from mentorship_kit.http import ErrorMapper
from mentorship_kit.http_errors import ApiError, FieldProblem


def _not_found(error: Exception) -> ApiError:
    return ApiError(404, "not_found", f"Not found: {error.args[0] if error.args else error}.")


def _conflict(error: Exception) -> ApiError:
    return ApiError(409, "conflict", f"{str(error)[:1].upper()}{str(error)[1:]}.")


def _invalid(error: Exception) -> ApiError:
    assert isinstance(error, RunRequestInvalidError)
    problems = [
        FieldProblem(p.field, f"{p.participant_id} is not a participant of the program")
        for p in error.problems
    ]
    return ApiError(422, "validation_failed", f"The request is invalid: {error}.", problems)


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    RunNotFoundError: _not_found,
    RunConflictError: _conflict,
    RunRequestInvalidError: _invalid,
}
