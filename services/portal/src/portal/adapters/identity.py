"""Signing in with OpenID Connect: authorization code + PKCE (S256), state and nonce checked.

Authlib's Starlette client does the protocol: it fetches the provider's discovery document,
keeps state, nonce and the PKCE verifier in the session between the redirect and the
callback, exchanges the code, and verifies the ID token's signature, issuer, audience and
nonce against the provider's keys. This adapter gives the portal what it needs from that: who
signed in and the access token the services accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request
from starlette.responses import RedirectResponse

from portal.settings import PortalSettings

PROVIDER = "idp"


class SignInFailed(Exception):  # noqa: N818 - names the situation
    """The provider refused, or the answer did not check out (state, nonce, signature)."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in and what to call the services with."""

    subject: str
    name: str
    email: str
    roles: tuple[str, ...]
    access_token: str
    expires_at: int


class IdentityProvider:
    """The OIDC provider the portal signs people in with."""

    def __init__(self, settings: PortalSettings) -> None:
        self._settings = settings
        oauth = OAuth()
        secret = settings.oidc_client_secret.get_secret_value()
        client_kwargs: dict[str, Any] = {
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "timeout": settings.api_timeout_s,
        }
        if not secret:
            client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 - a method name
        oauth.register(
            PROVIDER,
            client_id=settings.oidc_client_id,
            client_secret=secret or None,
            server_metadata_url=(
                f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
            ),
            client_kwargs=client_kwargs,
        )
        client = oauth.create_client(PROVIDER)
        assert client is not None
        self._client: Any = client

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once, then cached)."""
        metadata: dict[str, Any] = await self._client.load_server_metadata()
        return metadata

    async def redirect_to_sign_in(self, request: Request, ui_locale: str) -> RedirectResponse:
        """A redirect to the provider's sign-in page (state, nonce and verifier kept)."""
        extra: dict[str, str] = {"ui_locales": ui_locale}
        if self._settings.oidc_audience:
            extra["audience"] = self._settings.oidc_audience
        response: RedirectResponse = await self._client.authorize_redirect(
            request, self._settings.redirect_uri, **extra
        )
        return response

    async def complete_sign_in(self, request: Request) -> SignedIn:
        """Check the provider's answer and exchange the code for tokens."""
        try:
            token: dict[str, Any] = await self._client.authorize_access_token(request)
        except OAuthError as error:
            raise SignInFailed(error.error or "refused") from None
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        subject = claims.get("sub")
        access_token = token.get("access_token")
        if not isinstance(subject, str) or not subject or not isinstance(access_token, str):
            msg = "no subject or no access token"
            raise SignInFailed(msg)
        roles = claims.get("roles", ())
        return SignedIn(
            subject=subject,
            name=str(claims.get("name") or ""),
            email=str(claims.get("email") or ""),
            roles=tuple([roles] if isinstance(roles, str) else roles),
            access_token=access_token,
            expires_at=int(token.get("expires_at") or 0),
        )

    async def sign_out_url(self, post_logout_redirect_uri: str) -> str | None:
        """The provider's logout address (RP-initiated logout), if it has one."""
        metadata = await self.metadata()
        endpoint = metadata.get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = urlencode(
            {
                "client_id": self._settings.oidc_client_id,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{endpoint}?{query}"
