"""The organisation's directory: who works here, who manages whom, who is still active.

The directory holds one entry per employee id, fed by three sources:

- SCIM 2.0 provisioning from the identity provider (``scim``) and the HRIS CSV import
  (``hris_import``): the organisation's word, the last write wins between them;
- registrations (``registration``), the fallback for people neither source knows: a
  registration's manager and department fill an entry only while no directory source
  has described that person.

Each entry keeps the person's pseudonymous ``person_id`` (the keyed hash of their employee id,
so a manager is named by an id derived from the manager's employee id whether or not the
manager was ever provisioned or registered). Whenever what matching and analytics read of an
entry changes (manager, department, seniority, active) the decision announces
`DirectoryPersonChanged` with the next ``version``; nothing else ever travels. Deactivating
someone (``active: false``, a SCIM DELETE, an HRIS row saying so) takes them out of every open
program (`leave_programs`); it is not an erasure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from mentorship_contracts.events import DirectoryPersonChanged, DirectoryPersonErased
from mentorship_contracts.types import DirectorySource, Seniority

MAX_REPORTING_DEPTH = 16
"""The longest reporting line followed (an org chart deeper than this is cut)."""
DIRECTORY_SOURCES = frozenset({DirectorySource.SCIM, DirectorySource.HRIS_IMPORT})
"""Sources that describe the organisation (a registration only fills gaps)."""

PersonIds = Callable[[str], str]
"""Derives a person id from an employee id (the keyed pseudonym)."""


def slug(text: str | None, *, limit: int = 80) -> str | None:
    """A name as a stable key: "Sales EMEA" -> "sales_emea", "São Paulo" -> "sao_paulo"."""
    if text is None:
        return None
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return key[:limit] or None


def seniority_of(text: str | None) -> Seniority | None:
    """A seniority level named loosely ("Director", "co-op", "VP"), or None."""
    key = slug(text)
    if key is None:
        return None
    aliases = {"vp": Seniority.EXECUTIVE, "intern": Seniority.CO_OP, "coop": Seniority.CO_OP}
    if key in aliases:
        return aliases[key]
    try:
        return Seniority(key)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PersonFields:
    """What a directory source says about one person."""

    employee_id: str
    name: str | None = None
    emails: tuple[str, ...] = ()
    department: str | None = None
    location: str | None = None
    title: str | None = None
    seniority: Seniority | None = None
    manager_employee_id: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One person as the directory knows them."""

    employee_id: str
    person_id: str
    name: str | None = None
    emails: tuple[str, ...] = ()
    department: str | None = None
    location: str | None = None
    title: str | None = None
    seniority: Seniority | None = None
    manager_employee_id: str | None = None
    active: bool = True
    source: DirectorySource = DirectorySource.REGISTRATION
    version: int = 0
    """0 until the entry was first announced."""
    updated_at: datetime | None = None

    @property
    def department_key(self) -> str | None:
        """The department as a key ("Sales EMEA" -> "sales_emea")."""
        return slug(self.department)

    @property
    def location_key(self) -> str | None:
        """The location as a key ("San Diego" -> "san_diego")."""
        return slug(self.location)

    @property
    def described_by_directory(self) -> bool:
        """Whether SCIM or the HRIS import described this person (not only registrations)."""
        return self.source in DIRECTORY_SOURCES

    def provisioned(
        self, fields: PersonFields, source: DirectorySource, now: datetime, person_ids: PersonIds
    ) -> EntryChange:
        """Decide what SCIM or the HRIS import says about this person."""
        after = replace(
            self,
            name=fields.name,
            emails=fields.emails,
            department=fields.department,
            location=fields.location,
            title=fields.title,
            seniority=fields.seniority,
            manager_employee_id=fields.manager_employee_id,
            active=fields.active,
            source=source,
            updated_at=now,
        )
        return self._changed_to(after, now, person_ids)

    def registered(
        self,
        manager_employee_id: str | None,
        department: str | None,
        now: datetime,
        person_ids: PersonIds,
    ) -> EntryChange:
        """Decide what a registration says; it only fills what no directory source described.

        A person SCIM or the HRIS import described keeps what they said (the organisation's
        word wins over a form someone filled in).
        """
        if self.described_by_directory:
            return EntryChange(self, None)
        after = replace(
            self,
            manager_employee_id=manager_employee_id,
            department=department,
            source=DirectorySource.REGISTRATION,
            updated_at=now,
        )
        return self._changed_to(after, now, person_ids)

    def reassigned(
        self, manager_employee_id: str | None, now: datetime, person_ids: PersonIds
    ) -> EntryChange:
        """Decide a new manager for this person (their manager's employee id changed)."""
        after = replace(self, manager_employee_id=manager_employee_id, updated_at=now)
        return self._changed_to(after, now, person_ids)

    def deactivated(self, now: datetime, person_ids: PersonIds) -> EntryChange:
        """Decide that the person left (a SCIM DELETE): kept, inactive, not erased."""
        return self._changed_to(replace(self, active=False, updated_at=now), now, person_ids)

    def _changed_to(
        self, after: DirectoryEntry, now: datetime, person_ids: PersonIds
    ) -> EntryChange:
        if after.manager_employee_id == after.employee_id:
            after = replace(after, manager_employee_id=None)
        announced = (self.manager_employee_id, self.department_key, self.seniority, self.active)
        if self.version > 0 and announced == (
            after.manager_employee_id,
            after.department_key,
            after.seniority,
            after.active,
        ):
            return EntryChange(after, None, left=False)
        after = replace(after, version=self.version + 1)
        return EntryChange(after, after.changed_event(now, person_ids), left=self.left_by(after))

    def left_by(self, after: DirectoryEntry) -> bool:
        """Whether going to ``after`` deactivates this person."""
        return self.active and not after.active

    def changed_event(self, now: datetime, person_ids: PersonIds) -> DirectoryPersonChanged:
        """This entry as matching reads it: pseudonymous ids only."""
        manager = self.manager_employee_id
        return DirectoryPersonChanged(
            person_id=self.person_id,
            manager_person_id=person_ids(manager) if manager else None,
            department=self.department_key,
            seniority=self.seniority,
            active=self.active,
            source=self.source,
            version=self.version,
            changed_at=now,
        )

    def erased(self, now: datetime) -> DirectoryPersonErased:
        """The event telling subscribers to forget this person's directory facts."""
        return DirectoryPersonErased(person_id=self.person_id, erased_at=now)


@dataclass(frozen=True, slots=True)
class EntryChange:
    """A directory entry's new state and the event announcing it (None: nothing to tell)."""

    entry: DirectoryEntry
    event: DirectoryPersonChanged | None
    left: bool = False
    """The person was active and is not any more: they leave every open program."""


def new_entry(employee_id: str, person_ids: PersonIds) -> DirectoryEntry:
    """An employee the directory has not seen yet."""
    return DirectoryEntry(employee_id=employee_id, person_id=person_ids(employee_id))


def reporting_line(
    employee_id: str, managers: Mapping[str, str | None], person_ids: PersonIds
) -> tuple[str, ...]:
    """The person ids above ``employee_id``, the direct manager first (at most 16).

    ``managers`` maps employees to their manager's employee id; a manager absent from it ends
    the line after them (they are named, their own manager is not known).
    """
    return tuple(person_ids(manager) for manager in managers_above(employee_id, managers))


def managers_above(employee_id: str, managers: Mapping[str, str | None]) -> tuple[str, ...]:
    """The employee ids above ``employee_id``, the direct manager first (cycles cut)."""
    chain: list[str] = []
    seen = {employee_id}
    current = managers.get(employee_id)
    while current and current not in seen and len(chain) < MAX_REPORTING_DEPTH:
        seen.add(current)
        chain.append(current)
        current = managers.get(current)
    return tuple(chain)


def active_people(entries: Iterable[DirectoryEntry]) -> list[DirectoryEntry]:
    """The entries of people still active."""
    return [entry for entry in entries if entry.active]
