"""What the SCIM service serves, and the capabilities it announces.

Users (the core schema, the enterprise extension and the directory's own extension) and
groups.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    External,
    Filter,
    Group,
    Mutability,
    Patch,
    Reference,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

DIRECTORY_EXTENSION = "urn:mentorship:params:scim:schemas:extension:directory:2.0:User"
ENTERPRISE_EXTENSION = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_RESULTS = 1000


class Manager(ComplexAttribute):
    """The user's manager: the SCIM ``id`` of their user, or their employee number.

    Identity providers send ``value`` alone (Okta, Microsoft Entra ID), so ``$ref`` is
    optional here; the directory reads ``value`` only.
    """

    value: Annotated[str | None, CaseExact.true] = None
    """The manager's SCIM id (or, when no user has that id, their employee number)."""

    ref: Reference["User"] | None = Field(  # type: ignore[type-arg]  # noqa: UP037 - a resource type name
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The URI of the manager's SCIM resource."""

    display_name: Annotated[str | None, Mutability.read_only] = None
    """The manager's displayName."""


class EnterpriseUser(Extension):
    """The enterprise user extension of RFC 7643 §4.3 (with a tolerant manager)."""

    __schema__ = URN(ENTERPRISE_EXTENSION)

    employee_number: str | None = None
    """The person's employee id: how the directory and registrations name them."""

    cost_center: str | None = None
    """The name of a cost center."""

    organization: str | None = None
    """The name of an organization."""

    division: str | None = None
    """The name of a division."""

    department: str | None = None
    """The name of a department."""

    manager: Manager | None = None
    """The user's manager."""


class DirectoryUser(Extension):
    """What the directory reads beyond the core and enterprise schemas."""

    __schema__ = URN(DIRECTORY_EXTENSION)

    location: str | None = None
    """Where the person works (an office or city, e.g. "San Diego")."""

    seniority: str | None = None
    """Their level: co_op, associate, intermediate, senior, director or executive."""


USER_MODEL: Any = User[EnterpriseUser | DirectoryUser]
BEARER_SCHEME = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="OAuth Bearer Token",
    description="The SCIM bearer token the platform issued (SCIM_BEARER_TOKEN).",
    spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
    primary=True,
)


def provider() -> ScimProvider:
    """The service's description: what /Schemas, /ResourceTypes and the config publish."""
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[BEARER_SCHEME],
    )
    return ScimProvider(
        models=[User, EnterpriseUser, DirectoryUser, Group],
        resource_types=[
            ResourceType.from_resource(USER_MODEL),
            ResourceType.from_resource(Group),
        ],
        config=config,
        policy=ScimPolicy(
            remove_value_as_filter=ScimPolicy.RemoveValue.apply,
            unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
        ),
    )
