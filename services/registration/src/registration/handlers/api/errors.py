"""How registration's domain errors read over HTTP."""

from __future__ import annotations

from mentorship_kit.http import ErrorMapper
from mentorship_kit.http_errors import ApiError, FieldProblem
from registration.domain.csv_import import CsvFileError
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import RegistrationRefusedError


def _refused(error: Exception) -> ApiError:
    assert isinstance(error, RegistrationRefusedError)
    return ApiError(409, error.code, error.message)


def _answers_invalid(error: Exception) -> ApiError:
    assert isinstance(error, AnswersInvalidError)
    problems = [FieldProblem(f"body.{p.field}", p.message) for p in error.problems]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    return ApiError(422, "validation_failed", f"The answers are invalid ({summary}).", problems)


def _csv_invalid(error: Exception) -> ApiError:
    return ApiError(422, "csv_invalid", f"The CSV file cannot be imported: {error}.")


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    RegistrationRefusedError: _refused,
    AnswersInvalidError: _answers_invalid,
    CsvFileError: _csv_invalid,
}
