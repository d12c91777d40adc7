"""Who may read whose profile: pair members see each other's while they are paired.

Registration holds people's names, titles and answers but does not make pairs: matching does,
and announces them (`PairCreated`, `PairEnded`, participant ids only). Registration keeps a
small read model of those events, a `Pairing` per pair, and answers a participant's request
for a partner's profile only while an active pairing (or an active pairing of the same
mentoring group) joins the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from registration.domain.directory import DirectoryEntry
from registration.domain.registration import Registration


@dataclass(frozen=True, slots=True)
class Pairing:
    """A pair as registration knows it from matching's events."""

    pair_id: str
    program_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    group_id: str | None = None
    ended: bool = False

    @property
    def members(self) -> frozenset[str]:
        """Both members' participant ids."""
        return frozenset({self.mentor_participant_id, self.mentee_participant_id})


def partners_of(participant_ids: Iterable[str], pairings: Iterable[Pairing]) -> frozenset[str]:
    """The participants paired with any of ``participant_ids`` now.

    Members of an active pairing with them, and of active pairings of the same group (a
    mentoring group's members meet together); ended pairings join nobody.
    """
    mine = frozenset(participant_ids)
    active = [pairing for pairing in pairings if not pairing.ended]
    joined = [pairing for pairing in active if pairing.members & mine]
    groups = {pairing.group_id for pairing in joined if pairing.group_id is not None}
    partners: set[str] = set()
    for pairing in active:
        if pairing in joined or pairing.group_id in groups:
            partners |= pairing.members
    return frozenset(partners - mine)


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """What a pair member sees of the other: who they are, what they offer and want."""

    participant_id: str
    program_id: str
    role: str
    name: str
    title: str | None
    department: str | None
    in_directory: bool
    """False when the directory has no entry for them (name and department then come from
    their registration, and no title is known)."""
    skills_offered: tuple[str, ...]
    skills_wanted: tuple[str, ...]
    goals_achieved: tuple[str, ...]
    goals_wanted: tuple[str, ...]
    interests: tuple[str, ...]
    languages: tuple[str, ...]


def partner_profile(registration: Registration, entry: DirectoryEntry | None) -> PartnerProfile:
    """A registration's profile, named and placed by the directory when it knows the person."""
    profile = registration.inputs.profile
    if entry is not None and not entry.described_by_directory:
        entry = None  # filled from registrations only: it knows nothing more than they do
    return PartnerProfile(
        participant_id=registration.participant_id,
        program_id=registration.program_id,
        role=registration.role.value,
        name=(entry.name if entry and entry.name else None) or registration.name,
        title=entry.title if entry else None,
        department=(entry.department if entry and entry.department else None)
        or registration.department,
        in_directory=entry is not None,
        skills_offered=tuple(profile.skills_offered),
        skills_wanted=tuple(profile.skills_wanted),
        goals_achieved=tuple(profile.goals_achieved),
        goals_wanted=tuple(profile.goals_wanted),
        interests=tuple(profile.interests),
        languages=tuple(profile.languages),
    )
