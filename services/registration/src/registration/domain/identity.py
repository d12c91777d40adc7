"""Who registers: the personal fields of a registration, validated once for every entry point."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mentorship_contracts.types import Identifier

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        msg = "not a valid e-mail address"
        raise ValueError(msg)
    return value


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_email),
    Field(examples=["ada@example.com"], json_schema_extra={"pattern": _EMAIL.pattern}),
]
Department = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Identity(BaseModel):
    """A person's identity fields as an HRIS knows them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    employee_id: Identifier
    name: PersonName
    email: Email
    department: Department | None = None
    manager_employee_id: Identifier | None = None
