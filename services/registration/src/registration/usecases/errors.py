"""The failures registration's use cases add to the kit's (each keeps its own error code)."""

from __future__ import annotations

from mentorship_kit.errors import InvalidInputError, NotFoundError


class CodedNotFoundError(NotFoundError):
    """Something a request names does not exist; ``code`` names what (e.g. program_not_found)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def program_not_found(program_id: str) -> CodedNotFoundError:
    """An unknown program."""
    return CodedNotFoundError("program_not_found", f"There is no program {program_id}.")


def registration_not_found(program_id: str, employee_id: str) -> CodedNotFoundError:
    """An employee not registered in a program."""
    return CodedNotFoundError(
        "registration_not_found",
        f"Employee {employee_id} is not registered for program {program_id}.",
    )


def questionnaire_version_not_found(
    program_id: str, latest: int, wanted: int
) -> CodedNotFoundError:
    """A questionnaire version a program does not have."""
    return CodedNotFoundError(
        "questionnaire_version_not_found",
        f"Program {program_id} has questionnaire versions 1 to {latest}, not {wanted}.",
    )


def participant_not_found(participant_id: str) -> CodedNotFoundError:
    """An unknown participant id."""
    return CodedNotFoundError("participant_not_found", f"No participant {participant_id}.")


class ProgramInvalidError(InvalidInputError):
    """Program settings that break the policy; ``problems`` name each setting by its path."""
