"""Calendar feeds: a secret token per person, and the iCalendar document it opens."""

from __future__ import annotations

from mentorship_contracts.types import utc_now
from mentorship_kit.errors import NotFoundError
from scheduling.adapters.people import People
from scheduling.domain.calendar import feed
from scheduling.usecases.errors import FeedNotFoundError
from scheduling.usecases.programs import Programs
from scheduling.usecases.sessions import SessionService


class Calendars:
    """Each participant's feed secret and the feed itself."""

    def __init__(self, *, people: People, sessions: SessionService, programs: Programs) -> None:
        self._people = people
        self._sessions = sessions
        self._programs = programs

    async def token(self, person_id: str) -> str:
        """The person's feed secret, created on first use.

        Raises:
            NotFoundError: no registration of the person is known here (yet).
        """
        await self._known(person_id)
        return await self._people.feed_token(person_id, utc_now())

    async def rotate(self, person_id: str) -> str:
        """A new feed secret for the person; the old one stops working.

        Raises:
            NotFoundError: no registration of the person is known here (yet).
        """
        await self._known(person_id)
        return await self._people.rotate_feed_token(person_id, utc_now())

    async def feed(self, token: str) -> bytes:
        """The iCalendar document of the person whose secret ``token`` is.

        Raises:
            FeedNotFoundError: no feed has this token.
        """
        person_id = await self._people.person_of_feed(token)
        if person_id is None:
            raise FeedNotFoundError
        sessions = await self._sessions.of_person(person_id)
        zones = await self._sessions.zones(sorted({p for s in sessions for p in s.participant_ids}))
        own = await self._people.participant_ids(person_id)
        return feed(
            sessions,
            program_names=await self._programs.names({s.program_id for s in sessions}),
            zone=next((zones[p] for p in own if p in zones), "UTC"),
            generated_at=utc_now(),
        )

    async def _known(self, person_id: str) -> None:
        if not await self._people.participant_ids(person_id):
            msg = "no registration of yours is known here (yet)"
            raise NotFoundError(msg)
