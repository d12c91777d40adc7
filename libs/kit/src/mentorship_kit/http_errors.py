"""Expected HTTP failures and the one error body every service answers with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field of a request."""

    field: str
    message: str


class ApiError(Exception):
    """An expected failure, answered with its status and the standard error body."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        problems: Sequence[FieldProblem] = (),
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.problems = tuple(problems)


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str
    message: str
    errors: list[dict[str, str]] = []


def error_response(error: ApiError) -> JSONResponse:
    """Render ``error`` in the standard shape."""
    body = ErrorBody(
        error=error.error,
        message=error.message,
        errors=[{"field": p.field, "message": p.message} for p in error.problems],
    )
    return JSONResponse(body.model_dump(), status_code=error.status_code)
