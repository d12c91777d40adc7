"""Value types reject what subscribers could not rely on."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from mentorship_contracts.events import MatchingProfile, ProgramCreated
from mentorship_contracts.examples import example
from mentorship_contracts.types import (
    SENIORITY_ORDER,
    Identifier,
    LanguageCode,
    Seniority,
    Slug,
    UtcDatetime,
)


@pytest.mark.parametrize("value", ["p-1", "A9._:-x", "x" * 64])
def test_identifiers_accept_opaque_ids(value: str) -> None:
    assert TypeAdapter(Identifier).validate_python(value) == value


@pytest.mark.parametrize("value", [0, 1_700_000_000, 1.5, True])
def test_instants_are_iso_strings_not_numbers(value: object) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        TypeAdapter(UtcDatetime).validate_python(value)


def test_instants_are_read_as_utc() -> None:
    moment = TypeAdapter(UtcDatetime).validate_python("2027-06-01T02:00:00+02:00")
    assert moment.isoformat() == "2027-06-01T00:00:00+00:00"


@pytest.mark.parametrize("value", ["", "-starts-with-dash", "has space", "a@b.com", "x" * 65])
def test_identifiers_refuse_anything_else(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Identifier).validate_python(value)


@pytest.mark.parametrize("value", ["Public Speaking", "UPPER", "", "a/b"])
def test_slugs_must_be_normalised(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Slug).validate_python(value)


@pytest.mark.parametrize("value", ["en", "pt-br", "yue"])
def test_language_codes(value: str) -> None:
    assert TypeAdapter(LanguageCode).validate_python(value) == value


def test_seniority_is_ordered_from_co_op_to_executive() -> None:
    assert SENIORITY_ORDER[Seniority.CO_OP] == 0
    assert SENIORITY_ORDER[Seniority.EXECUTIVE] == max(SENIORITY_ORDER.values())


def test_at_most_three_preferred_mentors() -> None:
    with pytest.raises(ValidationError, match="preferred_mentors"):
        MatchingProfile(preferred_mentors=("a", "b", "c", "d"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": date(2026, 2, 1)}, "ends_on must be after starts_on"),
        ({"format": "group"}, "max_group_size is required"),
        ({"max_group_size": 4}, "max_group_size is required"),
    ],
)
def test_program_settings_must_be_consistent(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        example(ProgramCreated, **changes)
