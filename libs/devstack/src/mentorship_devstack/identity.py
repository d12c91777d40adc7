"""The local and test identity provider: oidc-provider-mock issuing JWT access tokens.

``python -m mentorship_devstack.identity --port 9400 --key <pem>`` serves an OpenID Connect
provider (authorization code + PKCE, discovery, JWKS, userinfo, RP-initiated logout). Its
sign-in form accepts any subject: the subject is the employee id. Claims are set per subject
with ``PUT /users/<subject>`` (JSON: ``name``, ``email``, ``roles`` ...) before signing in.

oidc-provider-mock hands out opaque access tokens; real providers (Okta, Entra ID, Keycloak)
issue JWTs (RFC 9068) that APIs verify with the provider's keys. This module makes the mock
do the same, so the services verify the very token the portal received, through
``AUTH_JWKS_URL``: ``sub`` is the employee id, ``roles`` the roles claim, ``aud``
`AUDIENCE`. The signing key is a PEM file (created on first use) so that ``devstack token``
can mint tokens the same services accept. Never use any of this outside a developer machine
or a test run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "mentorship"
"""The ``aud`` of the access tokens: what the services require (``AUTH_JWT_AUDIENCE``)."""
ADMIN_ROLE = "mentorship-admin"
TOKEN_TTL = timedelta(hours=8)
READY_TIMEOUT_S = 60.0

DEV_USERS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("ada", {"name": "Ada Lovelace", "email": "ada@example.com"}),
    ("grace", {"name": "Grace Hopper", "email": "grace@example.com"}),
    ("admin", {"name": "Program Manager", "email": "pm@example.com", "roles": [ADMIN_ROLE]}),
)
"""One-click users of the sign-in form of `make run` (any other subject works too)."""


def ensure_signing_key(path: Path) -> bytes:
    """The PEM private key at ``path``, created (RSA 2048) when missing."""
    if not path.is_file():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return path.read_bytes()


def key_id(pem: bytes) -> str:
    """The key id (RFC 7638 thumbprint) the provider publishes for ``pem``."""
    import joserfc.jwk

    return str(joserfc.jwk.RSAKey.import_key(pem).thumbprint())


def access_token(
    pem: bytes,
    subject: str,
    *,
    issuer: str,
    roles: Sequence[str] = (),
    ttl: timedelta = TOKEN_TTL,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A JWT access token (RFC 9068) for ``subject`` signed with ``pem``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + int(ttl.total_seconds()),
        "jti": uuid.uuid4().hex,
        "roles": list(roles),
        **(extra or {}),
    }
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key_id(pem), "typ": "at+jwt"})


def build_app(pem: bytes, users: Sequence[tuple[str, dict[str, Any]]] = ()) -> Any:
    """The provider's Flask app, signing ID and access tokens with ``pem``."""
    import flask
    import joserfc.jwk
    import oidc_provider_mock
    from oidc_provider_mock import _app as mock_app
    from oidc_provider_mock import _storage

    signing_key = joserfc.jwk.RSAKey.import_key(pem, parameters={"kid": key_id(pem)})

    class FixedKeyStorage(_storage.Storage):  # type: ignore[misc]  # an untyped package
        """The mock's storage with our key instead of one made up at start."""

        def __init__(self) -> None:
            super().__init__()
            self.jwk = signing_key

    mock_app.Storage = FixedKeyStorage

    def jwt_access_token(client: Any, grant_type: str, user: Any, scope: str) -> str:  # noqa: ARG001 - authlib passes it
        roles = user.claims.get("roles", [])
        return access_token(
            pem,
            user.sub,
            issuer=flask.request.host_url.rstrip("/"),
            roles=[roles] if isinstance(roles, str) else list(roles),
            extra={"client_id": client.get_client_id(), "scope": scope or ""},
        )

    app = flask.Flask(mock_app.__name__)  # its templates and static files
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = jwt_access_token
    oidc_provider_mock.init_app(
        app,
        require_nonce=True,
        access_token_max_age=TOKEN_TTL,
        user_claims=[oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in users],
    )
    app.secret_key = os.urandom(16)
    return app


@dataclass(slots=True)
class IdentityProvider:
    """A running provider process."""

    port: int
    process: subprocess.Popen[bytes]
    key_path: Path
    log_path: Path

    @property
    def issuer(self) -> str:
        """Its issuer URL (what discovery and the tokens' ``iss`` say)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def jwks_url(self) -> str:
        """Where its signing keys are published."""
        return f"{self.issuer}/jwks"

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    def service_environment(self) -> dict[str, str]:
        """What points a service at this provider's tokens (instead of ``AUTH_JWT_KEY``)."""
        return {
            "AUTH_JWT_KEY": "",
            "AUTH_JWKS_URL": self.jwks_url,
            "AUTH_JWT_ALGORITHMS": "RS256",
            "AUTH_JWT_ISSUER": self.issuer,
            "AUTH_JWT_AUDIENCE": AUDIENCE,
        }

    def set_user(self, subject: str, claims: Mapping[str, Any]) -> None:
        """Give ``subject`` these claims (name, email, roles ...) for its next sign-in."""
        response = httpx.put(f"{self.issuer}/users/{subject}", json=dict(claims), timeout=5.0)
        response.raise_for_status()

    def token(self, subject: str, *, roles: Sequence[str] = ()) -> str:
        """An access token for ``subject``, as if it had signed in."""
        return access_token(self.key_path.read_bytes(), subject, issuer=self.issuer, roles=roles)

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Block until discovery answers."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                msg = f"the identity provider exited; see {self.log_path}"
                raise RuntimeError(msg)
            try:
                url = f"{self.issuer}/.well-known/openid-configuration"
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        msg = f"the identity provider did not answer within {timeout_s:.0f}s; see {self.log_path}"
        raise RuntimeError(msg)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Terminate it."""
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_identity_provider(
    *,
    port: int,
    state_dir: Path,
    users: Sequence[tuple[str, dict[str, Any]]] = (),
) -> IdentityProvider:
    """Start the provider as a process on ``port`` (returns before it is ready)."""
    key_path = state_dir / "identity-signing-key.pem"
    ensure_signing_key(key_path)
    (state_dir / "identity-issuer").write_text(f"http://127.0.0.1:{port}")
    log_path = state_dir / "logs" / "identity.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "mentorship_devstack.identity",
                "--port",
                str(port),
                "--key",
                str(key_path),
                "--users",
                json.dumps(list(users)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"},
        )
    return IdentityProvider(port, process, key_path, log_path)


def main(argv: list[str] | None = None) -> int:
    """Serve the provider until terminated."""
    import werkzeug.serving

    parser = argparse.ArgumentParser(prog="python -m mentorship_devstack.identity")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--key", type=Path, required=True, help="PEM signing key (created)")
    parser.add_argument("--users", default="[]", help="JSON list of [subject, claims]")
    args = parser.parse_args(argv)
    users = [(str(sub), dict(claims)) for sub, claims in json.loads(args.users)]
    app = build_app(ensure_signing_key(args.key), users)
    werkzeug.serving.run_simple(args.host, args.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
