"""Bearer tokens: the admin token, participant JWTs and the person id they imply."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import SecretStr, ValidationError

from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_JWT_ALGORITHM,
    DEV_JWT_SECRET,
    DEV_PSEUDONYM_KEY,
    participant_token,
)
from mentorship_kit.auth import Authenticator
from mentorship_kit.http_errors import ApiError
from mentorship_kit.pseudonyms import PERSON_ID_LENGTH, Pseudonyms
from mentorship_kit.settings import ServiceSettings


def authenticator(**overrides: object) -> Authenticator:
    values: dict[str, object] = {
        "auth_admin_token": DEV_ADMIN_TOKEN,
        "auth_jwt_key": DEV_JWT_SECRET,
        "auth_jwt_algorithms": DEV_JWT_ALGORITHM,
        "auth_pseudonym_key": DEV_PSEUDONYM_KEY,
    }
    return Authenticator(ServiceSettings.model_validate(values | overrides))


def test_a_participant_token_names_the_employee_and_their_person_id() -> None:
    principal = authenticator().authenticate(participant_token("e-1"))
    assert principal.employee_id == "e-1"
    assert not principal.is_admin
    assert principal.person_id == Pseudonyms(SecretStr(DEV_PSEUDONYM_KEY)).person_id("e-1")
    assert principal.person_id is not None
    assert len(principal.person_id) == PERSON_ID_LENGTH


def test_person_ids_differ_per_employee_and_per_key() -> None:
    one = Pseudonyms(SecretStr("key-one"))
    two = Pseudonyms(SecretStr("key-two"))
    assert one.person_id("e-1") != one.person_id("e-2")
    assert one.person_id("e-1") != two.person_id("e-1")
    assert one.person_id("e-1") == Pseudonyms(SecretStr("key-one")).person_id("e-1")


def test_without_a_key_no_person_id_is_derived() -> None:
    principal = authenticator(auth_pseudonym_key=None).authenticate(participant_token("e-1"))
    assert principal.person_id is None
    assert not Pseudonyms(None).available


def test_the_admin_token_is_an_admin_without_a_person() -> None:
    principal = authenticator().authenticate(DEV_ADMIN_TOKEN)
    assert principal.is_admin
    assert principal.employee_id is None
    assert principal.person_id is None


def test_a_forged_token_is_refused() -> None:
    forged = participant_token("e-1", secret="not-the-secret")
    with pytest.raises(ApiError) as refused:
        authenticator().authenticate(forged)
    assert refused.value.status_code == 401


class _KeySet:
    """An identity provider's JWKS endpoint, serving whatever keys it holds now."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(
                    {
                        "keys": [
                            RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
                            | {"kid": kid, "use": "sig", "alg": "RS256"}
                            for kid, key in outer.keys.items()
                        ]
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rotate(self) -> str:
        """Publish a new signing key; returns its key id."""
        kid = f"key-{len(self.keys) + 1}"
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return kid

    def token(self, kid: str, subject: str = "e-7", **claims: object) -> str:
        payload = {"sub": subject, "exp": int(time.time()) + 300} | claims
        return jwt.encode(payload, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def key_set() -> Iterator[_KeySet]:
    published = _KeySet()
    yield published
    published.server.shutdown()


def _jwks_authenticator(url: str, **overrides: object) -> Authenticator:
    values: dict[str, object] = {"auth_jwks_url": url, "auth_pseudonym_key": DEV_PSEUDONYM_KEY}
    return Authenticator(ServiceSettings.model_validate(values | overrides), jwks_cooldown_s=0)


def test_a_token_signed_with_a_published_key_is_accepted(key_set: _KeySet) -> None:
    kid = key_set.rotate()
    principal = _jwks_authenticator(key_set.url).authenticate(
        key_set.token(kid, roles=["mentorship-admin"])
    )
    assert (principal.employee_id, principal.is_admin) == ("e-7", True)


def test_a_rotated_key_is_fetched_when_a_token_names_it(key_set: _KeySet) -> None:
    authenticator = _jwks_authenticator(key_set.url)
    first = key_set.rotate()
    assert authenticator.authenticate(key_set.token(first)).employee_id == "e-7"
    second = key_set.rotate()
    assert authenticator.authenticate(key_set.token(second, subject="e-8")).employee_id == "e-8"


def test_a_token_naming_no_published_key_is_refused(key_set: _KeySet) -> None:
    kid = key_set.rotate()
    token = key_set.token(kid)
    del key_set.keys[kid]
    key_set.rotate()
    with pytest.raises(ApiError) as refused:
        _jwks_authenticator(key_set.url).authenticate(token)
    assert refused.value.status_code == 401


def test_an_unreachable_identity_provider_is_a_503_not_a_401(key_set: _KeySet) -> None:
    kid = key_set.rotate()
    token = key_set.token(kid)
    key_set.server.shutdown()
    key_set.server.server_close()
    with pytest.raises(ApiError) as unavailable:
        _jwks_authenticator(key_set.url).authenticate(token)
    assert unavailable.value.status_code == 503


def test_a_static_key_and_a_key_set_together_are_refused() -> None:
    with pytest.raises(ValidationError, match="AUTH_JWKS_URL"):
        ServiceSettings(auth_jwt_key="secret", auth_jwks_url="https://idp.example.com/jwks")  # type: ignore[arg-type]
