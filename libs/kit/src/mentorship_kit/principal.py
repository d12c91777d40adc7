"""Who is calling, as use cases see it: no framework, no token, just the caller's identity.

`mentorship_kit.auth` turns a bearer token into a `Principal` at the HTTP edge; use cases take
the `Principal` from here so that they import nothing of HTTP.

Three kinds of caller (see `mentorship_kit.program_access` for how services check them):

- an organisation **admin** (the admin token, or a JWT with the admin role) may do everything;
- a **program manager** may do what admins do, but only in the programs they manage: those
  whose ``managers`` list (person ids, set in registration and carried by the program events)
  names them, and those the identity provider names in a ``<manager role>:<program_id>`` role;
- anyone else is a **participant**, who acts on their own data only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

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
    is_program_manager: bool = False
    """The caller holds the program-manager role (bare, or scoped to some program)."""
    managed_programs: frozenset[str] = field(default_factory=frozenset)
    """Programs the identity provider says the caller manages (``<role>:<program_id>``)."""

    @property
    def actor(self) -> str:
        """Who to record as having acted: the employee id, or `ADMIN_TOKEN_ACTOR`."""
        return self.employee_id or ADMIN_TOKEN_ACTOR

    def may_act_for(self, employee_id: str) -> bool:
        """Admins act for anyone; everyone else for themselves only."""
        return self.is_admin or self.employee_id == employee_id

    def may_manage(self, program_id: str, managers: Collection[str] = ()) -> bool:
        """Whether the caller may manage ``program_id``, whose managers are ``managers``.

        ``managers`` are the program's managers' person ids, as the service holds them. An
        admin manages every program; anyone else the programs that list them, or that the
        identity provider's role claim names.
        """
        if self.is_admin or program_id in self.managed_programs:
            return True
        return self.person_id is not None and self.person_id in managers
