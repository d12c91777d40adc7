"""Signed tokens for links that work without an account (HMAC-SHA256).

A token carries a short text (``seal``), or a text and its expiry (``sign``); only a holder of
the key can make one, and nobody can change what it says or extend it. Both read as
``<payload>.<signature>``, each URL-safe base64 without padding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

SIGNATURE_BYTES = 16


class BadToken(ValueError):  # noqa: N818 - reads as a condition
    """A token not made with this key, altered, or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def seal(text: str, key: bytes) -> str:
    """A token carrying ``text`` for good (a link that must keep working, e.g. unsubscribe)."""
    payload = text.encode()
    return f"{_b64(payload)}.{_b64(_signature(key, payload))}"


def unseal(token: str, key: bytes) -> str:
    """The text a token carries; `BadToken` unless it was sealed with ``key``, unaltered."""
    try:
        encoded_payload, encoded_signature = token.split(".", 1)
        payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
        if not hmac.compare_digest(signature, _signature(key, payload)):
            raise BadToken("signature mismatch")
        return payload.decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise BadToken(str(error)) from None


def sign(subject: str, expires_at: datetime, key: bytes) -> str:
    """A token naming ``subject`` (no ``|``) until ``expires_at``."""
    if "|" in subject:
        msg = "a token's subject has no '|'"
        raise ValueError(msg)
    return seal(f"{subject}|{int(expires_at.timestamp())}", key)


def verify(token: str, key: bytes, now: datetime | None = None) -> str:
    """The subject a token names; `BadToken` unless signed with ``key`` and not expired."""
    try:
        subject, expires = unseal(token, key).rsplit("|", 1)
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except ValueError as error:
        raise BadToken(str(error)) from None
    if (now or datetime.now(UTC)) >= expires_at:
        raise BadToken("expired")
    return subject
