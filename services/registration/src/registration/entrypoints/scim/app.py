"""The SCIM application mounted at ``/scim``: scim2-server's ASGI app with our bearer token."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from scim2_models import UnauthorizedException
from scim2_server.applications.asgi import ASGIApplication, Receive, Scope, Send
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.provisioning import GROUP, USER
from registration.entrypoints.scim.schema import ENTERPRISE_EXTENSION, provider
from registration.entrypoints.scim.storage import DirectoryScimStorage
from registration.usecases.directory import DirectoryService


@dataclass(frozen=True, slots=True)
class _Route:
    """What the kit's HTTP metrics read as the route template of a request."""

    path: str


SCIM_ROUTE = _Route("/scim/v2")
"""Every SCIM request's route label: one series for the service provider, bounded."""


class DirectoryScimApp(ASGIApplication):
    """SCIM 2.0 over the directory.

    Every request but the service provider configuration needs ``Authorization: Bearer
    <SCIM_BEARER_TOKEN>`` (none is accepted while it is unset).
    """

    def __init__(
        self,
        directory: DirectoryService,
        resources: ScimResourceRepository,
        bearer_token: SecretStr | None,
    ) -> None:
        described = provider()
        models: dict[str, Any] = {
            USER: described.model_for(USER),
            GROUP: described.model_for(GROUP),
        }
        super().__init__(
            DirectoryScimStorage(directory, resources, models),
            described,
            ScimService(described),
        )
        self._token = bearer_token.get_secret_value().encode() if bearer_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a request, labelled for the HTTP metrics as the SCIM route."""
        scope["route"] = SCIM_ROUTE
        await super().__call__(scope, receive, send)

    async def read_request(self, scope: Scope, receive: Receive) -> ScimRequest:
        """The request, with Microsoft Entra ID's manager PATCH read as RFC 7644 writes it.

        Entra sends ``{"op": "Add", "path": "...:enterprise:2.0:User:manager", "value":
        "<id>"}``: the manager's id as a bare string where the schema has a complex value.
        """
        request = await super().read_request(scope, receive)
        if request.method.upper() == "PATCH" and request.body:
            request.body = _manager_values_as_objects(request.body)
        return request

    def check_auth(self, request: ScimRequest) -> None:
        """Refuse a request without the SCIM bearer token."""
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if (
            self._token is None
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(token.strip().encode(), self._token)
        ):
            raise UnauthorizedException(
                detail="Send Authorization: Bearer <the SCIM token the platform issued>."
            )


def _manager_values_as_objects(body: bytes) -> bytes:
    try:
        payload = json.loads(body)
    except ValueError:
        return body  # the service answers the parse error
    operations = payload.get("Operations") if isinstance(payload, dict) else None
    if not isinstance(operations, list):
        return body
    changed = False
    for operation in operations:
        if (
            isinstance(operation, dict)
            and str(operation.get("path", "")).lower() == f"{ENTERPRISE_EXTENSION}:manager".lower()
            and isinstance(operation.get("value"), str)
        ):
            operation["value"] = {"value": operation["value"]}
            changed = True
    return json.dumps(payload).encode() if changed else body
