"""Person ids: keyed pseudonyms of employee ids that every service can derive on its own.

Events name people only by ``person_id``. Registration assigns it as the HMAC-SHA256 of the
employee id under ``AUTH_PSEUDONYM_KEY``, a secret every service shares; a service that gets a
participant's JWT (subject: the employee id) derives the same id and so knows which pairs and
sessions are the caller's without ever storing or publishing employee ids. Without the key,
registration falls back to random ids and participant access elsewhere is refused.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

PERSON_ID_LENGTH = 32


class Pseudonyms:
    """Derives person ids from employee ids with the shared key (if there is one)."""

    def __init__(self, key: SecretStr | None) -> None:
        self._key = key.get_secret_value().encode() if key else None

    @property
    def available(self) -> bool:
        """Whether person ids can be derived here."""
        return self._key is not None

    def person_id(self, employee_id: str) -> str | None:
        """The person id of ``employee_id``; None without a key."""
        if self._key is None:
            return None
        digest = hmac.new(self._key, employee_id.encode(), hashlib.sha256).hexdigest()
        return digest[:PERSON_ID_LENGTH]
