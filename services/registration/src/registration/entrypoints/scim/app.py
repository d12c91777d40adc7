"""The SCIM application mounted at ``/scim``: scim2-server's ASGI app with our bearer token."""

from __future__ import annotations

import hmac
from typing import Any

from pydantic import SecretStr
from scim2_models import UnauthorizedException
from scim2_server.applications.asgi import ASGIApplication
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.provisioning import GROUP, USER
from registration.entrypoints.scim.schema import provider
from registration.entrypoints.scim.storage import DirectoryScimStorage
from registration.usecases.directory import DirectoryService


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
