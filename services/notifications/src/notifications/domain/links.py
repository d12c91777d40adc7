"""One-click unsubscribe links (RFC 8058).

A token that names a person and a kind, signed so that nobody can unsubscribe someone else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from notifications.domain.kinds import Kind

SIGNATURE_BYTES = 16


class BadToken(ValueError):  # noqa: N818 - reads as a condition
    """A token that was not made here (or was altered)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(person_id: str, kind: Kind, key: bytes) -> str:
    """The token of ``person_id`` stopping ``kind``."""
    payload = f"{person_id}|{kind.value}".encode()
    signature = hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return f"{_b64(payload)}.{_b64(signature)}"


def read_token(token: str, key: bytes) -> tuple[str, Kind]:
    """The person and kind a token names; `BadToken` unless this service signed it."""
    try:
        encoded_payload, encoded_signature = token.split(".", 1)
        payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
        expected = hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]
        if not hmac.compare_digest(signature, expected):
            raise BadToken("signature mismatch")
        person_id, kind = payload.decode().split("|", 1)
        return person_id, Kind(kind)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadToken(str(error)) from None
