"""What the SCIM service serves, and the capabilities it announces.

Users (the core schema, the enterprise extension and the directory's own extension) and
groups.
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Extension,
    External,
    Filter,
    Group,
    Patch,
    Reference,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

DIRECTORY_EXTENSION = "urn:mentorship:params:scim:schemas:extension:directory:2.0:User"
MAX_RESULTS = 1000


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
    )
