"""Provisioned resources: what an identity provider stores here over SCIM, and its rules.

A resource is kept as the provider sent it (the SCIM representation), with a version that
grows with every write (its ETag), the values that must stay unique across resources, and the
values searches look up by. The SCIM protocol itself (parsing, filters, PATCH) belongs to the
entry point; this module knows only what a stored resource is and when a write may happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

USER = "User"
GROUP = "Group"


class ResourceNotFoundError(LookupError):
    """No resource of that type has that id."""


class VersionMismatchError(Exception):
    """The resource changed since the version the client holds (a failed If-Match)."""


class UniquenessError(Exception):
    """Another resource already holds a value that must be unique."""


@dataclass(frozen=True, slots=True)
class ProvisionedResource:
    """One SCIM resource as stored."""

    resource_type: str
    resource_id: str
    body: dict[str, Any]
    """Its SCIM representation, without ``meta`` (the version and dates below are its meta)."""
    unique_values: tuple[str, ...] = ()
    """Keys ("<attribute URN>=<value>") no other resource may hold."""
    lookup: tuple[str, ...] = ()
    """Keys ("<attribute URN>=<value>") an equality filter finds the resource by."""
    employee_id: str | None = None
    """For users: the directory entry the resource describes."""
    version: int = 0
    created_at: datetime | None = None
    last_modified: datetime | None = None

    def written(self, previous: ProvisionedResource | None, now: datetime) -> ProvisionedResource:
        """This resource as stored by a write at ``now`` over ``previous`` (None: created)."""
        return ProvisionedResource(
            resource_type=self.resource_type,
            resource_id=self.resource_id,
            body=self.body,
            unique_values=self.unique_values,
            lookup=self.lookup,
            employee_id=self.employee_id,
            version=(previous.version if previous else 0) + 1,
            created_at=previous.created_at if previous else now,
            last_modified=now,
        )


def check_version(stored: ProvisionedResource, expected: int | None) -> None:
    """Accept a write against ``stored`` when the client holds its current version.

    Raises:
        VersionMismatchError: ``expected`` is given and is not the stored version.
    """
    if expected is not None and expected != stored.version:
        raise VersionMismatchError
