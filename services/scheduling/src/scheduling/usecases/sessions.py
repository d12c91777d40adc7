"""Reading and changing sessions on behalf of a pair's members or an admin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import SessionCancelReason
from mentorship_kit.errors import ForbiddenError, NotFoundError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ProgramManagers, visible
from mentorship_kit.snapshots import SnapshotStore
from scheduling.adapters.pairs import PairRepository
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain import changes as decide
from scheduling.domain.changes import SessionChanges
from scheduling.domain.planning import KnownPair
from scheduling.domain.sessions import Series, Session, SessionStatus
from scheduling.usecases.storing import sessions_of, store_sessions


class RescheduleScope(StrEnum):
    """How much of a series a reschedule moves."""

    THIS = "this"
    FOLLOWING = "following"
    """This session and every later scheduled one, by the same wall-clock shift."""


@dataclass(frozen=True, slots=True)
class PlannedSeries:
    """A series and its sessions, in time order."""

    series: Series
    sessions: list[Session]


@dataclass(frozen=True, slots=True)
class SeriesBeingPlanned:
    """A pair (or group) scheduling knows of, whose series is not planned yet."""

    series_id: str
    pairs: list[KnownPair]

    @property
    def program_id(self) -> str:
        """The program the pairs belong to."""
        return self.pairs[0].pair.program_id


class SessionService:
    """Session queries and changes, with the membership check first."""

    def __init__(
        self,
        transactor: Transactor,
        *,
        programs: SnapshotStore[ProgramState],
        pairs: PairRepository,
        series: SeriesRepository,
        sessions: SessionRepository,
        people: People,
        reminder_leads: Sequence[int],
        managers: ProgramManagers,
    ) -> None:
        self._transactor = transactor
        self._managers = managers
        self._programs = programs
        self._pairs = pairs
        self._series = series
        self._sessions = sessions
        self._people = people
        self._leads = tuple(reminder_leads)

    async def series(self, series_id: str, caller: Principal) -> PlannedSeries | SeriesBeingPlanned:
        """A series and its sessions, for a member or an admin; or that it is being planned.

        Raises:
            NotFoundError: neither a series nor a pair waiting for one has this id.
            ForbiddenError: the caller is neither a member nor an admin.
        """
        series = await self._series.get(series_id)
        if series is None:
            waiting = await self._pairs.waiting_in_series(series_id)
            if waiting:
                return await self._being_planned(series_id, waiting, caller)
            # Planned between the two reads: its series is stored now.
            series = await self._series.get(series_id)
        if series is None:
            raise NotFoundError(f"pair {series_id}")
        await self._authorise(series, caller)
        return PlannedSeries(series, await self._sessions.of_series(series_id))

    async def _being_planned(
        self, series_id: str, waiting: list[KnownPair], caller: Principal
    ) -> SeriesBeingPlanned:
        """That the series is being planned, for a member of its pairs or their manager."""
        if not any(p.has_person(caller.person_id) for p in waiting) and not (
            await self._managers.manages(caller, waiting[0].pair.program_id)
        ):
            raise ForbiddenError(_MEMBERS_ONLY)
        return SeriesBeingPlanned(series_id, waiting)

    async def session(self, session_id: str, caller: Principal) -> tuple[Series, Session]:
        """A session, for a member of its series or an admin."""
        session = await self._sessions.get(session_id)
        series = await self._series.get(session.series_id) if session else None
        if session is None or series is None:
            raise NotFoundError(f"session {session_id}")
        await self._authorise(series, caller)
        return series, session

    async def of_person(self, person_id: str) -> list[Session]:
        """Every session of a person, across programs (those of series they left too)."""
        participant_ids = {
            member.participant_id
            for series in await self._series.of_person(person_id)
            for member in series.members
            if member.person_id == person_id
        } | set(await self._people.participant_ids(person_id))
        return await sessions_of(self._series, self._sessions, participant_ids)

    async def of_participant(self, participant_id: str, caller: Principal) -> list[Session]:
        """The sessions of one participant in the programs the caller manages (all: admins).

        Raises:
            ForbiddenError: the caller manages no program.
        """
        programs = await self._managers.managed_by(caller)
        if programs is not None and not programs:
            raise ForbiddenError(_MANAGERS_ONLY)
        sessions = await sessions_of(self._series, self._sessions, [participant_id])
        return [session for session in sessions if visible(programs, session.program_id)]

    async def zones(self, participant_ids: Sequence[str]) -> dict[str, str]:
        """The participants' time zones, as far as known."""
        return await self._people.zones(participant_ids)

    async def reschedule(
        self,
        session_id: str,
        starts_at: datetime,
        duration_minutes: int | None,
        scope: RescheduleScope,
        caller: Principal,
    ) -> list[Session]:
        """Move a session (or it and the rest of its series); returns what moved.

        Every new start lies within the program (checked before anything is stored).
        """

        async def work(tx: Transaction) -> list[Session]:
            series, session = await self._change_target(session_id, caller, tx)
            program = await self._programs.get(series.program_id, tx)
            if program is None:
                raise NotFoundError(f"program {series.program_id}")
            following = []
            if scope is RescheduleScope.FOLLOWING:
                later = await self._sessions.of_series(
                    series.series_id, tx, after=session.starts_at
                )
                following = [s for s in later if s.status is SessionStatus.SCHEDULED]
            changes = decide.reschedule(
                session,
                following,
                starts_at,
                duration_minutes,
                zone=series.zone,
                program_ends_on=program.ends_on,
                now=tx.now,
            )
            await self._store(changes, tx)
            return changes.sessions

        return await self._transactor.run(work)

    async def cancel(
        self, session_id: str, reason: SessionCancelReason | None, caller: Principal
    ) -> Session:
        """Cancel a future session."""

        async def work(tx: Transaction) -> Session:
            series, session = await self._change_target(session_id, caller, tx)
            staff = await self._managers.manages(caller, series.program_id)
            changes = decide.cancel(session, reason, by_admin=staff, now=tx.now)
            return await self._store(changes, tx)

        return await self._transactor.run(work)

    async def mark_held(
        self,
        session_id: str,
        held_at: datetime | None,
        duration_minutes: int | None,
        caller: Principal,
    ) -> Session:
        """Record that a session took place (once)."""

        async def work(tx: Transaction) -> Session:
            _, session = await self._change_target(session_id, caller, tx)
            changes = decide.mark_held(session, held_at, duration_minutes, tx.now)
            return await self._store(changes, tx)

        return await self._transactor.run(work)

    async def mark_missed(self, session_id: str, caller: Principal) -> Session:
        """Record that a session did not take place."""

        async def work(tx: Transaction) -> Session:
            _, session = await self._change_target(session_id, caller, tx)
            return await self._store(decide.mark_missed(session, tx.now), tx)

        return await self._transactor.run(work)

    async def _change_target(
        self, session_id: str, caller: Principal, tx: Transaction
    ) -> tuple[Series, Session]:
        session = await self._sessions.get(session_id, tx)
        series = await self._series.get(session.series_id, tx) if session else None
        if session is None or series is None:
            raise NotFoundError(f"session {session_id}")
        await self._authorise(series, caller)
        return series, session

    async def _authorise(self, series: Series, caller: Principal) -> None:
        """Members of the series, admins and the program's managers only."""
        if series.has_person(caller.person_id):
            return
        if not await self._managers.manages(caller, series.program_id):
            raise ForbiddenError(_MEMBERS_ONLY)

    async def _store(self, changes: SessionChanges, tx: Transaction) -> Session:
        """Store a decision's sessions and stage its events; the first session changed."""
        await store_sessions(self._series, self._sessions, changes, self._leads, tx)
        return changes.sessions[0]


_MEMBERS_ONLY = (
    "only the pair's members, an admin or a manager of the program may see or change these sessions"
)
_MANAGERS_ONLY = "this needs the admin role or to manage a program"
