"""Who is calling: an admin bearer token or a verified JWT naming an employee.

Protected endpoints declare what they need with FastAPI dependencies::

    caller, admin = Authenticator(settings).dependencies()
    principal: Annotated[Principal, Depends(caller)]   # anyone authenticated
    principal: Annotated[Principal, Depends(admin)]    # admins only
    manager = program_manager(caller, managers.of)     # on /programs/{program_id}/... routes
    principal: Annotated[Principal, Depends(manager)]  # admins and the program's managers

JWTs are verified with ``AUTH_JWT_KEY`` or with the issuer's published keys
(``AUTH_JWKS_URL``, fetched off the event loop and cached). Nothing is open by default: with
none of ``AUTH_ADMIN_TOKEN``, ``AUTH_JWT_KEY`` and ``AUTH_JWKS_URL`` set, every protected request
is refused.
"""

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import jwt
from fastapi import Depends, Path, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mentorship_kit.errors import ForbiddenError
from mentorship_kit.http_errors import ApiError
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ManagersLookup, require_manager
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.settings import ServiceSettings

JWKS_TIMEOUT_S = 5.0
"""How long fetching the issuer's keys may take before the request is answered 503."""
JWKS_COOLDOWN_S = 30.0
"""A token naming an unknown key id refetches the keys at most this often (rotation works,
a flood of made-up key ids does not reach the identity provider)."""

__all__ = [
    "Authenticator",
    "CallerDependency",
    "ManagedBy",
    "Principal",
    "any_program_manager",
    "program_manager",
]

_BEARER = HTTPBearer(
    auto_error=False,
    description="An admin token, or a JWT whose subject is the caller's employee id.",
)


CallerDependency = Callable[..., Awaitable[Principal]]
ProgramIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]
"""A program id in a path, as every service documents it (the contracts' Identifier)."""


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message)


class Authenticator:
    """Checks bearer tokens against the service's auth settings."""

    def __init__(
        self, settings: ServiceSettings, *, jwks_cooldown_s: float = JWKS_COOLDOWN_S
    ) -> None:
        self._admin_token = (
            settings.auth_admin_token.get_secret_value() if settings.auth_admin_token else None
        )
        self._jwt_key = settings.auth_jwt_key.get_secret_value() if settings.auth_jwt_key else None
        self._jwks = (
            jwt.PyJWKClient(
                settings.auth_jwks_url,
                cache_keys=True,
                lifespan=settings.auth_jwks_cache_s,
                timeout=JWKS_TIMEOUT_S,
                cooldown_duration=jwks_cooldown_s,
            )
            if settings.auth_jwks_url
            else None
        )
        self._algorithms = [
            name.strip() for name in settings.auth_jwt_algorithms.split(",") if name.strip()
        ]
        self._issuer = settings.auth_jwt_issuer
        self._audience = settings.auth_jwt_audience
        self._subject_claim = settings.auth_subject_claim
        self._roles_claim = settings.auth_roles_claim
        self._admin_role = settings.auth_admin_role
        self._manager_role = settings.auth_manager_role
        self._pseudonyms = Pseudonyms(settings.auth_pseudonym_key)

    def authenticate(self, token: str | None) -> Principal:
        """The principal a bearer token stands for.

        Raises:
            ApiError: 401 when the token is missing, invalid or expired.
        """
        if not token:
            raise _unauthenticated("Send an Authorization: Bearer <token> header.")
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token.encode()):
            return Principal(employee_id=None, is_admin=True)
        if not self._jwt_key and not self._jwks:
            raise _unauthenticated("The token is not valid for this service.")
        claims = self._verified_claims(token)
        subject = claims.get(self._subject_claim)
        if not isinstance(subject, str) or not subject:
            raise _unauthenticated(f"The token has no {self._subject_claim!r} claim.")
        roles = self._roles(claims)
        scope = f"{self._manager_role}:"
        managed = frozenset(
            role.removeprefix(scope) for role in roles if role.startswith(scope) and role != scope
        )
        return Principal(
            employee_id=subject,
            is_admin=self._admin_role in roles,
            person_id=self._pseudonyms.person_id(subject),
            is_program_manager=self._manager_role in roles or bool(managed),
            managed_programs=managed,
        )

    @property
    def fetches_keys(self) -> bool:
        """Whether verifying a JWT may fetch the issuer's keys (blocking I/O)."""
        return self._jwks is not None

    def _signing_key(self, token: str) -> Any:
        if self._jwks is None:
            return self._jwt_key
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise ApiError(
                503,
                "identity_provider_unavailable",
                "The identity provider's signing keys cannot be fetched; try again shortly.",
            ) from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
            raise _unauthenticated(f"The token is not valid: {error}.") from None

    def _verified_claims(self, token: str) -> dict[str, Any]:
        key = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp"], "verify_aud": self._audience is not None},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise _unauthenticated("The token has expired.") from None
        except jwt.InvalidTokenError as error:
            raise _unauthenticated(f"The token is not valid: {error}.") from None
        return claims

    def _roles(self, claims: dict[str, Any]) -> set[str]:
        roles = claims.get(self._roles_claim, ())
        if isinstance(roles, str):
            return set(roles.split())
        if isinstance(roles, list):
            return {role for role in roles if isinstance(role, str)}
        return set()

    def dependencies(self) -> tuple[CallerDependency, CallerDependency]:
        """FastAPI dependencies ``(caller, admin)``: any authenticated caller; admins only."""

        async def caller(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
        ) -> Principal:
            token = credentials.credentials if credentials else None
            if self.fetches_keys:
                return await asyncio.to_thread(self.authenticate, token)
            return self.authenticate(token)

        async def admin(principal: Annotated[Principal, Depends(caller)]) -> Principal:
            if not principal.is_admin:
                raise ApiError(403, "forbidden", "This operation needs the admin role.")
            return principal

        return caller, admin


def program_manager(caller: CallerDependency, managers_of: ManagersLookup) -> CallerDependency:
    """A dependency for routes under ``/programs/{program_id}``: admins and its managers.

    ``managers_of`` answers the program's managers' person ids from the service's own store.
    Anyone else gets the standard 403 body (code ``forbidden``), before the body is read.
    """

    async def manager(
        program_id: ProgramIdPath, principal: Annotated[Principal, Depends(caller)]
    ) -> Principal:
        try:
            await require_manager(principal, program_id, managers_of)
        except ForbiddenError as refused:
            raise ApiError(403, "forbidden", str(refused)) from None
        return principal

    return manager


ManagedBy = Callable[[Principal], Awaitable[frozenset[str] | None]]
"""The programs a caller manages (None: every program, an admin)."""


def any_program_manager(caller: CallerDependency, managed_by: ManagedBy) -> CallerDependency:
    """A dependency for what every program manager needs to read (e.g. the question pool).

    Admins, callers holding the program-manager role, and anyone a program's managers list
    names pass; anyone else gets the standard 403 body.
    """

    async def manager(principal: Annotated[Principal, Depends(caller)]) -> Principal:
        if principal.is_admin or principal.is_program_manager or await managed_by(principal):
            return principal
        raise ApiError(
            403, "forbidden", "This operation needs the admin role or to manage a program."
        )

    return manager
