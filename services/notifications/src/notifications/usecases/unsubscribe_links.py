"""One-click unsubscribe links (RFC 8058).

A token that names a person and a kind, sealed with the service's link key so that nobody can
unsubscribe someone else. It never expires: a link in an old mail must still work.
"""

from __future__ import annotations

from mentorship_kit.signed_tokens import BadToken, seal, unseal
from notifications.domain.kinds import Kind

__all__ = ["BadToken", "read_token", "unsubscribe_token"]


def unsubscribe_token(person_id: str, kind: Kind, key: bytes) -> str:
    """The token of ``person_id`` stopping ``kind``."""
    return seal(f"{person_id}|{kind.value}", key)


def read_token(token: str, key: bytes) -> tuple[str, Kind]:
    """The person and kind a token names; `BadToken` unless this service sealed it."""
    person_id, _, kind = unseal(token, key).partition("|")
    try:
        return person_id, Kind(kind)
    except ValueError as error:
        raise BadToken(str(error)) from None
