"""Participant access: who may register for a program.

A program is open to ``anyone`` (the default, and how programs behaved before access rules)
or to a combination of:

- ``everyone_active``: every person the directory lists as active;
- ``rules``: people whose directory entry matches a rule. A rule's conditions all hold
  (departments, locations, seniorities, reporting to someone, at any depth); a person may
  register when any rule matches;
- ``invite_list``: employee ids that may register whatever the rules say (people the
  directory does not know included; a person the directory deactivated never may).

A refusal says why, naming what the program is open to and what the directory says of the
person, so a 403 is something the person can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from mentorship_contracts.types import Identifier, Seniority
from registration.domain.directory import DirectoryEntry, managers_above, slug

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccessRule(_Model):
    """People whose directory entry meets every condition given."""

    departments: tuple[Name, ...] = Field(
        default=(), max_length=200, description="Department names (compared as keys)."
    )
    locations: tuple[Name, ...] = Field(
        default=(), max_length=200, description="Locations (compared as keys)."
    )
    seniorities: tuple[Seniority, ...] = Field(default=(), max_length=6)
    reports_to: Identifier | None = Field(
        default=None,
        description="Everyone reporting to this employee, directly or not (not them).",
    )

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        if not (self.departments or self.locations or self.seniorities or self.reports_to):
            msg = "a rule needs at least one of departments, locations, seniorities, reports_to"
            raise ValueError(msg)
        return self

    def matches(self, entry: DirectoryEntry, chain: Sequence[str]) -> bool:
        """Whether ``entry`` (whose managers above are ``chain``) meets every condition."""
        if self.departments and entry.department_key not in _keys(self.departments):
            return False
        if self.locations and entry.location_key not in _keys(self.locations):
            return False
        if self.seniorities and entry.seniority not in self.seniorities:
            return False
        return not (self.reports_to and self.reports_to not in chain)

    def describe(self) -> str:
        """The rule in words: "department Engineering or Design, reporting to e-7"."""
        parts = []
        if self.departments:
            parts.append(f"department {' or '.join(self.departments)}")
        if self.locations:
            parts.append(f"location {' or '.join(self.locations)}")
        if self.seniorities:
            parts.append(f"seniority {' or '.join(level.value for level in self.seniorities)}")
        if self.reports_to:
            parts.append(f"reporting to {self.reports_to}")
        return ", ".join(parts)


class ParticipantAccess(_Model):
    """Who may register for a program."""

    anyone: StrictBool = Field(
        default=True,
        description="Anyone with an account may register (the default); false restricts "
        "registration to everyone_active, the rules and the invite list.",
    )
    everyone_active: StrictBool = Field(
        default=False, description="Everyone the directory lists as active may register."
    )
    rules: tuple[AccessRule, ...] = Field(default=(), max_length=50)
    invite_list: tuple[Identifier, ...] = Field(
        default=(), max_length=50_000, description="Employee ids who may register."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        restricts = self.everyone_active or self.rules or self.invite_list
        if self.anyone and restricts:
            msg = "anyone may register: set anyone to false to restrict registration"
            raise ValueError(msg)
        if not self.anyone and not restricts:
            msg = "nobody could register: set everyone_active, rules or an invite_list"
            raise ValueError(msg)
        return self

    @property
    def restricted(self) -> bool:
        """Whether some people may not register."""
        return not self.anyone

    def describe(self) -> str:
        """What the program is open to, in words."""
        if self.anyone:
            return "anyone"
        parts = []
        if self.everyone_active:
            parts.append("everyone active in the directory")
        parts.extend(f"people with {rule.describe()}" for rule in self.rules)
        if self.invite_list:
            parts.append("its invite list")
        return "; ".join(parts)

    def refusal(
        self, employee_id: str, entry: DirectoryEntry | None, chain: Sequence[str]
    ) -> str | None:
        """Why ``employee_id`` may not register (None: they may).

        ``entry`` is their directory entry (None when unknown), ``chain`` the employee ids of
        their managers above them.
        """
        if self.anyone:
            return None
        if entry is not None and not entry.active:
            return "The directory lists you as no longer with the organisation."
        if employee_id in self.invite_list:
            return None
        open_to = f"This program is open to {self.describe()}"
        if entry is None or not entry.described_by_directory:
            return f"{open_to}; the organisation's directory does not list you."
        if self.everyone_active or any(rule.matches(entry, chain) for rule in self.rules):
            return None
        return f"{open_to}; the directory lists you as {_profile(entry)}."


def _keys(names: Iterable[str]) -> set[str | None]:
    return {slug(name) for name in names}


def _profile(entry: DirectoryEntry) -> str:
    seniority = entry.seniority.value if entry.seniority else "no seniority"
    return (
        f"department {entry.department or 'none'}, location {entry.location or 'none'}, {seniority}"
    )


@dataclass(frozen=True, slots=True)
class AccessPreview:
    """How many people an access policy lets register."""

    eligible: int
    directory_active: int
    invited_outside_directory: int
    """Invite-list people the directory does not know (they may register too)."""


def preview(access: ParticipantAccess, entries: Iterable[DirectoryEntry]) -> AccessPreview:
    """Count who ``access`` lets register among the directory's people and its invite list.

    The directory's people are those SCIM or the HRIS import described (people known only
    from registrations are not counted as its own). With ``anyone``, everyone active in the
    directory counts (and anyone else could register).
    """
    known = {entry.employee_id: entry for entry in entries}
    managers: Mapping[str, str | None] = {
        employee: entry.manager_employee_id for employee, entry in known.items()
    }
    active = [entry for entry in known.values() if entry.active and entry.described_by_directory]
    eligible = sum(
        1
        for entry in active
        if access.refusal(entry.employee_id, entry, managers_above(entry.employee_id, managers))
        is None
    )
    outside = sum(
        1
        for employee in set(access.invite_list)
        if employee not in known or not known[employee].described_by_directory
    )
    return AccessPreview(
        eligible=eligible + outside, directory_active=len(active), invited_outside_directory=outside
    )


def eligible_people(
    access: ParticipantAccess, entries: Iterable[DirectoryEntry]
) -> list[DirectoryEntry]:
    """The active directory people ``access`` lets register, in employee-id order.

    Only people SCIM or the HRIS import described: the directory can reach them.
    """
    known = {entry.employee_id: entry for entry in entries}
    managers = {employee: entry.manager_employee_id for employee, entry in known.items()}
    return sorted(
        (
            entry
            for entry in known.values()
            if entry.active
            and entry.described_by_directory
            and access.refusal(
                entry.employee_id, entry, managers_above(entry.employee_id, managers)
            )
            is None
        ),
        key=lambda entry: entry.employee_id,
    )
