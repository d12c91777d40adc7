"""The right of access: the one shape of every service's ``GET /v1/me/export``.

Each service answers with everything it holds about the calling person as::

    {"service": "<name>", "generated_at": "<UTC time>",
     "subject": {"person_id": "...", "participant_ids": ["..."]},
     "sections": {"<kind of record>": {"description": "...", "items": [...]}, ...}}

so a bundle of every service's export (the portal's "download my data") reads on its own:
each section says what it is, in words, next to every record of that kind about the person.
A service declares its document as a subclass of `PersonalDataDocument` whose ``sections``
is a model with one `ExportSection` per kind of record, and calls `exporting_person` first:
an export is only ever of the caller's own data.

Framework-free (pydantic only), so use cases and entry points alike may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, Field

from mentorship_kit.errors import ForbiddenError
from mentorship_kit.principal import Principal

EXPORT_PATH: Final = "/me/export"
"""Where every service serves the export, under its ``/v1`` prefix."""

NOT_A_PERSON: Final = "the export is of the caller's own data: call with a participant's token"
"""Why an export is refused to a token that names nobody (the static admin token)."""

EXPORT_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    403: {"description": "The token names no participant (the admin token)."}
}
"""The OpenAPI ``responses`` of an export route, beside the kit's shared 401."""


class ExportSection[Item](BaseModel):
    """One kind of record, what it is, and every record of that kind about the subject."""

    description: str = Field(description="What these records are, in plain words.")
    items: list[Item]


class ExportSubject(BaseModel):
    """Whom the export is about."""

    person_id: str = Field(description="The person's pseudonymous id across services.")
    participant_ids: list[str] = Field(
        description="Their participant id in each program this service knows them in."
    )


class PersonalDataDocument[Sections: BaseModel](BaseModel):
    """Everything one service holds about the caller.

    Subclasses fix ``service`` (a ``Literal`` with its name as the default) and
    ``Sections``.
    """

    service: str = Field(description="The service that answered.")
    generated_at: datetime = Field(description="When the service read the data (UTC).")
    subject: ExportSubject
    sections: Sections


def exporting_person(caller: Principal) -> str:
    """The person id of the caller whose data is exported.

    Raises:
        ForbiddenError: the caller is no person (the static admin token, or no pseudonym
            key to derive their person id with).
    """
    if caller.person_id is None:
        raise ForbiddenError(NOT_A_PERSON)
    return caller.person_id


def subject(person_id: str, participant_ids: Iterable[str]) -> ExportSubject:
    """The subject of an export: the person and their participant ids, sorted, once each."""
    return ExportSubject(person_id=person_id, participant_ids=sorted(set(participant_ids)))
