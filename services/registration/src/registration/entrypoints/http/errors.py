"""How registration's use-case and domain errors read over HTTP."""

from __future__ import annotations

from mentorship_kit.http import ErrorMapper
from mentorship_kit.http_errors import ApiError, FieldProblem
from registration.domain.csv_import import CsvFileError
from registration.domain.launch import StepNotReviewableError
from registration.domain.programs import LifecycleError, ReadOnlyFieldsError
from registration.domain.question_pool import PoolError
from registration.domain.questionnaire import AnswersInvalidError
from registration.domain.registration import AccessRefusedError, RegistrationRefusedError
from registration.domain.template import ChoiceListError
from registration.usecases.errors import CodedNotFoundError, ProgramInvalidError


def _not_found(error: Exception) -> ApiError:
    assert isinstance(error, CodedNotFoundError)
    return ApiError(404, error.code, error.message)


def _refused(error: Exception) -> ApiError:
    assert isinstance(error, RegistrationRefusedError)
    return ApiError(409, error.code, error.message)


def _invalid(what: str, problems: list[FieldProblem]) -> ApiError:
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    return ApiError(422, "validation_failed", f"The {what} invalid ({summary}).", problems)


def _answers_invalid(error: Exception) -> ApiError:
    assert isinstance(error, AnswersInvalidError)
    return _invalid(
        "answers are", [FieldProblem(f"body.{p.field}", p.message) for p in error.problems]
    )


def _program_invalid(error: Exception) -> ApiError:
    assert isinstance(error, ProgramInvalidError)
    return _invalid(
        "program is", [FieldProblem(f"body.{field}", message) for field, message in error.problems]
    )


def _read_only_fields(error: Exception) -> ApiError:
    assert isinstance(error, ReadOnlyFieldsError)
    problems = [FieldProblem(f"body.{field}", message) for field, message in error.problems]
    if error.stale:
        message = f"The questionnaire changed since it was read ({problems[0].message})."
        return ApiError(409, "questionnaire_changed", message, problems)
    return _invalid("read-only fields are", problems)


def _csv_invalid(error: Exception) -> ApiError:
    return ApiError(422, "csv_invalid", f"The CSV file cannot be imported: {error}.")


def _lifecycle(error: Exception) -> ApiError:
    assert isinstance(error, LifecycleError)
    return ApiError(409, error.code, error.message)


def _not_eligible(error: Exception) -> ApiError:
    assert isinstance(error, AccessRefusedError)
    return ApiError(403, "not_eligible", error.message)


def _not_reviewable(error: Exception) -> ApiError:
    return ApiError(409, "step_not_reviewable", f"{str(error)[:1].upper()}{str(error)[1:]}.")


def _choice_list(error: Exception) -> ApiError:
    assert isinstance(error, ChoiceListError)
    problems = [
        FieldProblem("body.choices" if index is None else f"body.choices.{index}.key", message)
        for index, message in error.problems
    ]
    return _invalid("choices are", problems)


def _pool(error: Exception) -> ApiError:
    assert isinstance(error, PoolError)
    problems = [FieldProblem(f"body.{field}", message) for field, message in error.problems]
    return _invalid("question pool request is", problems)


ERROR_MAPPERS: dict[type[Exception], ErrorMapper] = {
    LifecycleError: _lifecycle,
    AccessRefusedError: _not_eligible,
    StepNotReviewableError: _not_reviewable,
    ChoiceListError: _choice_list,
    PoolError: _pool,
    CodedNotFoundError: _not_found,
    ProgramInvalidError: _program_invalid,
    RegistrationRefusedError: _refused,
    AnswersInvalidError: _answers_invalid,
    CsvFileError: _csv_invalid,
    ReadOnlyFieldsError: _read_only_fields,
}
