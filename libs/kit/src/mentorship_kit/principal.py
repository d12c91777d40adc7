"""Who is calling, as use cases see it: no framework, no token, just the caller's identity.

`mentorship_kit.auth` turns a bearer token into a `Principal` at the HTTP edge; use cases take
the `Principal` from here so that they import nothing of HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN_TOKEN_ACTOR = "admin-token"  # noqa: S105 - a name recorded in place of a person
"""Who a request made with the static admin token (``AUTH_ADMIN_TOKEN``) is recorded as."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    employee_id: str | None
    """The employee the caller is; None for the static admin token."""
    is_admin: bool
    person_id: str | None = None
    """The caller's person id (see `mentorship_kit.pseudonyms`); None when not derivable."""

    @property
    def actor(self) -> str:
        """Who to record as having acted: the employee id, or `ADMIN_TOKEN_ACTOR`."""
        return self.employee_id or ADMIN_TOKEN_ACTOR

    def may_act_for(self, employee_id: str) -> bool:
        """Admins act for anyone; everyone else for themselves only."""
        return self.is_admin or self.employee_id == employee_id
