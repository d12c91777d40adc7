"""The right of access: everything scheduling holds about the calling person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mentorship_contracts.types import utc_now
from mentorship_kit.exports import exporting_person
from mentorship_kit.principal import Principal
from scheduling.adapters.people import KnownParticipant, People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.sessions import Member, Series, Session
from scheduling.usecases.storing import sessions_of


@dataclass(frozen=True, slots=True)
class Membership:
    """A series the person is a member of, and their place in it."""

    series: Series
    member: Member


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What scheduling holds about one person, read at ``generated_at``."""

    person_id: str
    generated_at: datetime
    registrations: list[KnownParticipant]
    series: list[Membership]
    sessions: list[Session]
    feed_created_at: datetime | None

    def participant_ids(self) -> set[str]:
        """The person's participant ids scheduling knows."""
        return {r.participant_id for r in self.registrations} | {
            m.member.participant_id for m in self.series
        }


class PersonalDataExport:
    """Gathers a person's data from scheduling's collections."""

    def __init__(
        self, people: People, series: SeriesRepository, sessions: SessionRepository
    ) -> None:
        self._people = people
        self._series = series
        self._sessions = sessions

    async def of(self, caller: Principal) -> PersonalData:
        """The caller's own data (an admin token names nobody: 403)."""
        person_id = exporting_person(caller)
        generated_at = utc_now()
        registrations = await self._people.registrations(person_id)
        memberships = [
            Membership(series, member)
            for series in await self._series.of_person(person_id)
            for member in series.members
            if member.person_id == person_id
        ]
        memberships.sort(key=lambda m: (m.series.program_id, m.series.series_id))
        ids = {r.participant_id for r in registrations} | {
            m.member.participant_id for m in memberships
        }
        return PersonalData(
            person_id=person_id,
            generated_at=generated_at,
            registrations=registrations,
            series=memberships,
            sessions=await sessions_of(self._series, self._sessions, ids),
            feed_created_at=await self._people.feed_created_at(person_id),
        )
