"""Tokens for the local stack and tests: a dev admin token and HS256 JWTs for participants.

Imports nothing heavy at module level: `devstack token` must answer at once.

Never use these secrets outside a developer machine or a test run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DEV_ADMIN_TOKEN = "dev-admin-token"  # noqa: S105 - a well-known local development value
DEV_JWT_SECRET = "dev-jwt-secret-for-local-stacks-only"  # noqa: S105 - same
DEV_JWT_ALGORITHM = "HS256"
DEV_PSEUDONYM_KEY = "dev-pseudonym-key-for-local-stacks-only"
DEV_SCIM_TOKEN = "dev-scim-token"  # noqa: S105 - the local stack's SCIM bearer token
DEV_NOTIFIER_TOKEN = "dev-notifications-token"  # noqa: S105 - notifications' credential at registration
ADMIN_ROLE = "mentorship-admin"
"""The organisation admin's role (the services' default ``AUTH_ADMIN_ROLE``)."""
MANAGER_ROLE = "mentorship-program-manager"
"""The program manager's role (the services' default ``AUTH_MANAGER_ROLE``)."""


def manager_roles(program_ids: Iterable[str]) -> tuple[str, ...]:
    """The roles naming a manager of each of ``program_ids`` ("" gives the bare role)."""
    return tuple(f"{MANAGER_ROLE}:{p}" if p else MANAGER_ROLE for p in program_ids)


def auth_environment() -> dict[str, str]:
    """The auth settings every locally started service gets."""
    return {
        "AUTH_ADMIN_TOKEN": DEV_ADMIN_TOKEN,
        "AUTH_JWT_KEY": DEV_JWT_SECRET,
        "AUTH_JWT_ALGORITHMS": DEV_JWT_ALGORITHM,
        "AUTH_PSEUDONYM_KEY": DEV_PSEUDONYM_KEY,
        "SCIM_BEARER_TOKEN": DEV_SCIM_TOKEN,
        "NOTIFICATIONS_SERVICE_TOKEN": DEV_NOTIFIER_TOKEN,
        "REGISTRATION_TOKEN": DEV_NOTIFIER_TOKEN,
    }


@contextmanager
def dev_auth_defaults() -> Iterator[None]:
    """Within: the local stack's auth variables wherever the environment sets none.

    For building apps without a deployment around them (OpenAPI documents, wiring checks):
    registration refuses to start without a pseudonym key.
    """
    from unittest import mock

    missing = {name: value for name, value in auth_environment().items() if name not in os.environ}
    with mock.patch.dict(os.environ, missing):
        yield


def participant_token(
    employee_id: str,
    *,
    roles: tuple[str, ...] = (),
    ttl_s: int = 3600,
    secret: str = DEV_JWT_SECRET,
) -> str:
    """A signed JWT for ``employee_id`` (add ``roles=("mentorship-admin",)`` for an admin)."""
    now = int(time.time())
    claims = {"sub": employee_id, "roles": list(roles), "iat": now, "exp": now + ttl_s}
    return _hs256(claims, secret)


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: Mapping[str, object], secret: str) -> str:
    """A compact HS256 JWT (RFC 7519), signed with the standard library.

    PyJWT would do the same but imports ``cryptography``, which alone takes most of a second
    (several on a loaded machine): `devstack token` must answer at once.
    """
    header = _base64url(json.dumps({"alg": DEV_JWT_ALGORITHM, "typ": "JWT"}).encode())
    payload = _base64url(json.dumps(claims, separators=(",", ":")).encode())
    signed = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return f"{header}.{payload}.{_base64url(signature)}"


def stack_token(
    state_dir: Path, employee_id: str, *, roles: tuple[str, ...] = (), ttl_s: int = 12 * 3600
) -> str:
    """A JWT for ``employee_id`` that the stack `devstack run` runs from ``state_dir`` accepts.

    While it runs, the services trust its identity provider's keys (and no shared secret), so
    the token is signed with the provider's key; without one, with the tests' HS256 secret.
    """
    key = state_dir / "identity-signing-key.pem"
    if not key.is_file():
        return participant_token(employee_id, roles=roles, ttl_s=ttl_s)
    from datetime import timedelta

    from mentorship_devstack.identity import access_token

    issuer = (state_dir / "identity-issuer").read_text().strip()
    return access_token(
        key.read_bytes(), employee_id, issuer=issuer, roles=roles, ttl=timedelta(seconds=ttl_s)
    )


def dev_person_id(employee_id: str) -> str:
    """The person id the local stack's services derive for ``employee_id``."""
    from pydantic import SecretStr

    from mentorship_kit.pseudonyms import Pseudonyms

    person_id = Pseudonyms(SecretStr(DEV_PSEUDONYM_KEY)).person_id(employee_id)
    assert person_id is not None
    return person_id


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}
