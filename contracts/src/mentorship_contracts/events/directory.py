"""Directory events: the organisation's people as matching needs them, pseudonymous only.

The directory (registration's, fed by SCIM, an HRIS import and, for people it does not know,
registrations) announces each person's state whenever what matching reads of it changes: who
their manager is, their department, whether they are active. Names, e-mails, titles and
employee ids never travel: a person is their ``person_id`` (the keyed pseudonym of their
employee id), so a manager is named by the manager's ``person_id`` whether or not that
manager ever registered or was provisioned. Consumers keep the last state per person (the
highest ``version``) and walk manager edges when they need a reporting line, so lines hold
whatever order people were synced or registered in.
"""

from __future__ import annotations

from pydantic import Field

from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.types import DirectorySource, Identifier, Seniority, Slug, UtcDatetime


class DirectoryPersonChanged(IntegrationEvent):
    """A person of the organisation's directory appeared or changed (full state, ids only)."""

    person_id: Identifier = Field(description="Pseudonymous id of the person.")
    manager_person_id: Identifier | None = Field(
        default=None, description="Pseudonymous id of their direct manager, if any."
    )
    department: Slug | None = None
    seniority: Seniority | None = Field(
        default=None, description="Their career level, when the directory knows it."
    )
    active: bool = Field(description="False once the directory deactivated or removed them.")
    source: DirectorySource
    version: int = Field(ge=1, description="Grows with every change of this person.")
    changed_at: UtcDatetime


class DirectoryPersonErased(IntegrationEvent):
    """An organisation erased a person (GDPR): forget every directory fact about them."""

    person_id: Identifier
    erased_at: UtcDatetime


class ErasureRequested(IntegrationEvent):
    """A person asked for their data to be erased: the organisation's admins decide and erase.

    Names nobody but by the pseudonymous ``person_id``; the admins find the request (and the
    employee id to erase) in registration's ``GET /v1/erasure-requests``.
    """

    request_id: Identifier
    person_id: Identifier = Field(description="Pseudonymous id of the person who asked.")
    requested_at: UtcDatetime
